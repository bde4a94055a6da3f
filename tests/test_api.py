"""The public API: complete, importable, and light to import."""

from __future__ import annotations

import subprocess
import sys

import consent


def test_every_exported_name_resolves():
    for name in consent.__all__:
        assert getattr(consent, name) is not None


def test_all_is_sorted_and_lists_every_lazy_export():
    assert consent.__all__ == sorted(consent.__all__)
    assert set(consent.__all__) == {*consent._EXPORTS, "__version__"}


def test_importing_consent_does_not_load_weasyprint_or_babel():
    code = (
        "import sys, consent; print(sorted(m for m in ('weasyprint', 'babel') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_unknown_attribute_is_an_attribute_error():
    try:
        consent.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")
