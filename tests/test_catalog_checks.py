"""What `consent locales check` and `compile` refuse, and what the Localizer refuses to
load, so that a packet never prints a wrong number or claims a review it did not have."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from test_locales import DATA, GOOD, install
from typer.testing import CliRunner

from consent.catalogs import (
    check,
    compile_catalogs,
    init,
    placeholders,
    review_status,
    update,
)
from consent.cli import app
from consent.errors import ConsentError, InputError
from consent.i18n import SOURCE_HEADER, Localizer

SIGNATURES = 'msgstr "Podpisy"'
PLURAL_FORM = 'msgstr[0] "Spośród %(people)s około %(num)s'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    folder.mkdir()
    shutil.copy(DATA / "messages.pot", folder / "messages.pot")
    return folder


def arabic_indic(text: str) -> str:
    """Arabic-Indic digits and thousands separator, as an Arabic translation writes them."""
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text).replace(",", "\u066c")


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").split("\n"), 1) if text in line)


def errors(root: Path, lang: str = "pl") -> list[str]:
    return [str(p) for p in check(lang, root) if p.error]


def add_entry(root: Path, msgid: str, msgstr: str, text: str = GOOD, lang: str = "pl") -> Path:
    """A catalog with one more entry, in messages.pot too."""
    pot = root / "messages.pot"
    pot.write_text(pot.read_text("utf-8") + f'\nmsgid "{msgid}"\nmsgstr ""\n', "utf-8")
    return install(root, text + f'\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n', lang, compiled=False)


# --- 1. bidirectional controls ---------------------------------------------------


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"])
def test_a_bidi_embedding_or_override_is_an_error_naming_line_and_code_point(root, control):
    """An override around %(num)s prints 25 as 52; an isolate (U+2068) does not."""
    isolated = GOOD.replace(SIGNATURES, 'msgstr "\u2068Podpisy\u2069"')
    text = isolated.replace(PLURAL_FORM, PLURAL_FORM.replace("%(num)s", f"\u202e%(num)s{control}"))
    path = install(root, text, compiled=False)
    line = line_of(path, "\u202e")
    found = [e for e in errors(root) if "U+202E" in e]
    assert found and found[0].startswith(f"{path}:{line}: error:")
    assert any(f"U+{ord(control):04X}" in e for e in errors(root))
    assert not [e for e in errors(root) if "U+2068" in e or "U+2069" in e]
    with pytest.raises(ConsentError, match=r"not compiled: .*bidirectional control"):
        compile_catalogs(root)


# --- 2. numbers --------------------------------------------------------------------

ENGLISH = "between 0 and 11 in 100, or 10,000 people"
SAME = "entre 0 y 11 de cada 100, o 10.000 personas"


@pytest.mark.parametrize(
    ("same", "other"),
    [
        (SAME, "entre 0 y 1 de cada 100, o 10.000 personas"),  # the reviewer's case
        (SAME, "entre 0 y 11 de cada 1000, o 10.000 personas"),
        (SAME, "entre 0 y 11 de cada 100, o 100.000 personas"),
        (SAME, "entre 0 y de cada 100, o 10.000 personas"),  # a number dropped
        (SAME, "entre 0 y 11 de cada 100, o 10.000 personas (2)"),  # a number added
        (
            "entre 0 y 11 de cada 100, o 10 000 personas",
            "entre 0 y 11 de cada 100, o 10 0 personas",
        ),
        ("od 0 do 11 na 100 lub 10\u00a0000 osób", "od 0 do 11 na 100 lub 1\u00a0000 osób"),
        # The same numbers in another order: "88 in 100 ... 2 years" read as "2 in 100".
        (SAME, "entre 11 y 0 de cada 100, o 10.000 personas"),
        (arabic_indic(SAME), arabic_indic("entre 0 y 1 de cada 100, o 10,000 personas")),
    ],
)
def test_a_translation_must_write_the_numbers_of_its_english(root, same, other):
    """Runs of digits in any script are compared, grouping separators aside."""
    add_entry(root, ENGLISH, same)
    assert not [e for e in errors(root) if "numbers of" in e]
    path = add_entry(root, ENGLISH, other)
    found = [e for e in errors(root) if "numbers of" in e]
    assert found and found[0].startswith(f"{path}:{line_of(path, ENGLISH)}:")
    with pytest.raises(ConsentError, match=r"not compiled: .*numbers of"):
        compile_catalogs(root)


def test_a_translator_may_say_an_entry_orders_its_numbers_otherwise(root):
    """Another order is another grammar ("of 100, 5"), said in a translator comment
    a reviewer sees (msgmerge keeps comments, not unknown flags); the numbers
    themselves must still be the English ones."""
    path = add_entry(root, ENGLISH, "na 100, od 0 do 11 lub 10 000 osób")
    found = [e for e in errors(root) if "numbers of" in e]
    assert found and "# consent: numbers reordered" in found[0]
    text = path.read_text("utf-8").replace(
        f'msgid "{ENGLISH}"', f'# consent: numbers reordered\nmsgid "{ENGLISH}"'
    )
    install(root, text, compiled=False)
    assert not [e for e in errors(root) if "numbers of" in e]
    install(root, text.replace("od 0 do 11", "od 0 do 12"), compiled=False)
    assert [e for e in errors(root) if "numbers of" in e]


def test_each_plural_form_must_keep_the_numbers_of_its_english(root):
    forms = [f"{form}na 100" for form in ("", "", "")]
    english = 'msgid "%(num)s in 100"\nmsgid_plural "%(num)s in 100"\n'
    pot = root / "messages.pot"
    pot.write_text(pot.read_text("utf-8") + f'\n{english}msgstr[0] ""\nmsgstr[1] ""\n', "utf-8")
    entry = english + "".join(f'msgstr[{i}] "%(num)s {f}"\n' for i, f in enumerate(forms))
    install(root, GOOD + "\n" + entry, compiled=False)
    assert not [e for e in errors(root) if "numbers of" in e]
    install(root, GOOD + "\n" + entry.replace('msgstr[2] "%(num)s na 100"', 'msgstr[2] "%(num)s na 1000"'),
            compiled=False)  # fmt: skip
    assert [e for e in errors(root) if "numbers of '%(num)s in 100'" in e]


def test_numbers_written_as_words_are_said_so_by_the_translator(root):
    """Arabic writes "within 2 years" as خلال سنتين (the dual), no digit. Forgiving
    every missing 2 in Arabic let "(R2)" lose its 2; the translator says so per entry."""
    path = add_entry(root, "within 2 years", "w ciągu dwóch lat")
    assert [e for e in errors(root) if "numbers of" in e]
    text = path.read_text("utf-8").replace(
        'msgid "within 2 years"', '# consent: numbers checked\nmsgid "within 2 years"'
    )
    install(root, text, compiled=False)
    assert not [e for e in errors(root) if "numbers of" in e]


def test_old_numbers_stop_compile_unless_the_entry_is_fuzzy(root):
    """After the English changed (88 to 90), the fuzzy entry is left out of the .mo."""
    path = add_entry(root, "about 90 in 100", "około 88 na 100")
    with pytest.raises(ConsentError, match=r"not compiled: .*numbers of"):
        compile_catalogs(root)
    text = path.read_text("utf-8").replace('msgid "about 90', '#, fuzzy\nmsgid "about 90')
    install(root, text, compiled=False)
    compile_catalogs(root)
    assert not [e for e in errors(root) if "numbers of" in e]


# --- 3. the .mo is the one compiled from the .po on disk ---------------------------


def test_compile_stamps_the_mo_with_the_digest_of_its_po(root):
    path = install(root, GOOD)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"{SOURCE_HEADER}: {digest}".encode() in path.with_suffix(".mo").read_bytes()


def test_a_mo_compiled_before_the_po_was_fixed_and_marked_reviewed_is_refused(root):
    """Else the old, wrong text prints under the new review marks, with no banner."""
    install(root, GOOD.replace("Podpisy", "Podpisy (zle)"))
    fixed = GOOD.replace("# Reviewed-By:", "# Reviewed-By: Dr. Anna Nowak").replace(
        "# Reviewed-On:", "# Reviewed-On: 2026-01-02"
    )
    install(root, fixed, compiled=False)
    with pytest.raises(InputError, match=r"messages\.mo was not compiled from the current "
                       r"messages\.po beside it; run 'consent locales compile'"):  # fmt: skip
        Localizer("pl", root)
    compile_catalogs(root)
    loc = Localizer("pl", root)
    assert loc.gettext("Signatures") == "Podpisy" and loc.reviewed


@pytest.mark.parametrize("made_by", ["msgfmt", "truncated"])
def test_a_mo_not_written_by_compile_is_refused(root, made_by):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is not installed (gettext); .ci/run installs it")
    path = install(root, GOOD)
    mo = path.with_suffix(".mo")
    if made_by == "msgfmt":
        subprocess.run(["msgfmt", "-o", str(mo), str(path)], check=True)
    else:
        mo.write_bytes(mo.read_bytes()[:40])
    with pytest.raises(InputError, match="not compiled from the current"):
        Localizer("pl", root)


def test_a_mo_edited_after_it_was_compiled_is_refused(root):
    """Its source stamp still matches the .po; the digest of its entries does not."""
    mo = install(root, GOOD).with_suffix(".mo")
    assert Localizer("pl", root).gettext("Signatures") == "Podpisy"
    mo.write_bytes(mo.read_bytes().replace(b"Podpisy", b"Podpisz"))
    with pytest.raises(InputError, match=r"messages\.mo was changed after it was compiled"):
        Localizer("pl", root)


def test_check_reports_a_mo_compiled_before_the_review_marks_changed(root):
    install(root, GOOD)
    install(root, GOOD.replace("# Reviewed-By:", "# Reviewed-By: Dr. Anna Nowak"), compiled=False)
    assert any("messages.mo is missing or older than messages.po" in e for e in errors(root))


def test_render_refuses_a_stale_mo_in_one_line_without_a_traceback(root, monkeypatch, tmp_path):
    install(root, GOOD)
    install(root, GOOD.replace("Podpisy", "Podpisy pacjenta"), compiled=False)
    monkeypatch.setattr("consent.i18n.locales_dir", lambda: root)
    monkeypatch.setattr("consent.catalogs.locales_dir", lambda: root)
    result = CliRunner().invoke(
        app,
        ["render", "bariatric-revision", "--locale", "pl", "--html", str(tmp_path / "p.html")],
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {root}/pl/LC_MESSAGES/messages.mo was not compiled from the current "
        "messages.po beside it; run 'consent locales compile'"
    ]
    assert not (tmp_path / "p.html").exists()


# --- 4. escaped percent signs -------------------------------------------------------


def test_an_escaped_percent_is_not_a_placeholder():
    assert placeholders("Około %%(num)s na %(total)s, 100%%") == ["total"]
    assert placeholders("%%%(num)s") == ["num"]


def test_without_msgfmt_an_escaped_placeholder_is_refused(root, monkeypatch):
    """Else "Alrededor de %%(num)s" prints "%(num)s" where the number belongs."""
    monkeypatch.setenv("PATH", "")
    install(root, GOOD.replace(PLURAL_FORM, PLURAL_FORM.replace("%(num)s", "%%(num)s")),
            compiled=False)  # fmt: skip
    assert any("placeholders of" in e and "found ['event', 'people', 'timeframe', 'total']" in e
               for e in errors(root))  # fmt: skip
    with pytest.raises(ConsentError, match=r"not compiled: .*placeholders of"):
        compile_catalogs(root)


# --- 5. charset ----------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["ISO-8859-1", "cp1250"])
def test_a_charset_other_than_utf8_is_refused(root, charset):
    """A UTF-8 file read as ISO-8859-1 prints "CirugÃa"."""
    path = install(root, GOOD.replace("charset=utf-8", f"charset={charset}"), compiled=False)
    found = [e for e in errors(root) if "charset" in e]
    assert found and found[0].startswith(f"{path}:{line_of(path, 'Content-Type')}: error:")
    with pytest.raises(ConsentError, match=r"not compiled: .*charset"):
        compile_catalogs(root)


# --- 6. review marks -----------------------------------------------------------------

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("by", "on", "message"),
    [
        ("TODO", "2026-01-02", "is a placeholder"),
        ("tbd", "2026-01-02", "is a placeholder"),
        ("FIXME: ask Ana", "2026-01-02", "is a placeholder"),
        ("XXX", "2026-01-02", "is a placeholder"),
        ("?", "2026-01-02", "is a placeholder"),
        ("-", "2026-01-02", "is a placeholder"),
        ("N/A", "2026-01-02", "is a placeholder"),
        ("none", "2026-01-02", "is a placeholder"),
        ("(none)", "2026-01-02", "is a placeholder"),
        ("pending", "2026-01-02", "is a placeholder"),
        ("Not yet reviewed", "2026-01-02", "is a placeholder"),
        ("Your Name", "2026-01-02", "is a placeholder"),
        ("<name>", "2026-01-02", "is a placeholder"),
        ("12345", "2026-01-02", "is a placeholder"),
        ("Dr. Anna Nowak", "2099-13-45", "is not a date"),
        ("Dr. Anna Nowak", "2 January 2026", "is not a date"),
        ("Dr. Anna Nowak", TOMORROW, "is in the future"),
        ("Dr. Anna Nowak", "", "Reviewed-On is empty"),
        ("", "2026-01-02", "Reviewed-By is empty"),
    ],
)
def test_review_marks_that_are_not_believable_do_not_count(root, by, on, message):
    text = GOOD.replace("# Reviewed-By:", f"# Reviewed-By: {by}").replace(
        "# Reviewed-On:", f"# Reviewed-On: {on}"
    )
    path = install(root, text)
    assert not review_status(path).reviewed
    assert not Localizer("pl", root).reviewed
    found = [e for e in errors(root) if message in e]
    assert found and "counts as not reviewed" in found[0]
    field = "Reviewed-By" if message == "is a placeholder" else "Reviewed-On"
    if message.endswith("is empty"):
        field = message.split()[0]
    assert found[0].startswith(f"{path}:{line_of(path, field)}:")


def test_a_named_reviewer_with_a_past_date_counts_as_reviewed(root):
    text = GOOD.replace("# Reviewed-By:", "# Reviewed-By: Dr. Ana López, interpreter").replace(
        "# Reviewed-On:", "# Reviewed-On: 2026-01-02"
    )
    path = install(root, text)
    assert review_status(path).reviewed and Localizer("pl", root).reviewed
    assert errors(root) == []


# --- 7. previous msgids after update -------------------------------------------------

LONG = (
    "Most regrowth (about 88 in 100 cases) is found within the first 2 years, "
    "which is why checks are most frequent then."
)


def test_update_writes_previous_msgids_that_msgfmt_accepts(root):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is not installed (gettext); .ci/run installs it")
    path = add_entry(root, LONG, LONG.replace("Most regrowth", "Większość"))
    pot = root / "messages.pot"
    pot.write_text(pot.read_text("utf-8").replace("about 88", "about 90"), "utf-8")
    update(root)
    text = path.read_text("utf-8")
    assert "#| msgid" in text and "about 88" in text
    msgfmt = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert msgfmt.returncode == 0, msgfmt.stderr
    assert any("stale: the English of 'Most regrowth (about 90" in e for e in errors(root))
    compile_catalogs(root)
    # A second round reads the previous msgid back as one: Babel alone took its
    # lines for translator comments and wrote them back rewrapped, as junk.
    update(root)
    again = path.read_text("utf-8")
    assert again.count("#| msgid") == 1 and "about 88" in again
    assert not [line for line in again.splitlines() if line.startswith("# |")]
    # The English changes again before the translator gets to it: the previous
    # msgid stays the one the translation was made from (88), as msgmerge keeps it.
    pot.write_text(pot.read_text("utf-8").replace("about 90", "about 91"), "utf-8")
    update(root)
    third = path.read_text("utf-8")
    start = third.index("#| msgid")
    previous = third[start : third.index("\nmsgid ", start)]
    assert "about 88" in previous and "about 91" in third


# --- 8. template syntax ----------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["{{ patient.name }}", "{% if x %}", "{# note #}"])
def test_template_syntax_in_a_translation_is_refused(root, syntax):
    path = install(root, GOOD.replace(SIGNATURES, f'msgstr "Podpisy {syntax}"'), compiled=False)
    found = [e for e in errors(root) if "template syntax" in e]
    assert found and found[0].startswith(f"{path}:{line_of(path, 'Signatures')}:")
    with pytest.raises(ConsentError, match="not compiled: "):
        compile_catalogs(root)


# --- 9. byte order mark ------------------------------------------------------------------


def test_a_byte_order_mark_is_named(root):
    path = install(root, GOOD, compiled=False)
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    (problem,) = [p for p in check("pl", root) if p.error]
    assert str(problem).startswith(f"{path}:1: error:") and "byte order mark" in problem.message
    with pytest.raises(ConsentError, match="byte order mark"):
        compile_catalogs(root)


# --- 10. regional catalogs fall back to their language ------------------------------------


REVIEWED = GOOD.replace("# Reviewed-By:", "# Reviewed-By: Dr. Anna Nowak").replace(
    "# Reviewed-On:", "# Reviewed-On: 2026-01-02"
)


def test_a_new_regional_catalog_falls_back_to_its_language(root):
    install(root, REVIEWED)
    init("pl-PL", root)
    compile_catalogs(root)
    loc = Localizer("pl-PL", root)
    assert loc.gettext("Signatures") == "Podpisy"
    assert loc.ngettext(GOOD_PLURAL, GOOD_PLURAL, 5, people="p", total="100", event="e",
                        timeframe="t").startswith("Spośród p około 5")  # fmt: skip
    assert not loc.fallbacks
    # Nothing printed comes from the empty pl-PL catalog: pl's review counts.
    assert loc.reviewed


def test_a_regional_catalog_wins_and_its_review_counts_too(root):
    install(root, REVIEWED)
    regional = GOOD.replace("# Complete: yes", "# Complete: no").replace(
        "Language: pl", "Language: pl_PL"
    )
    regional = regional.replace('msgstr "Imię i nazwisko pacjenta"', 'msgstr ""')
    regional = regional.replace(SIGNATURES, 'msgstr "Podpisy (PL)"')
    install(root, regional, "pl-PL")
    loc = Localizer("pl-PL", root)
    assert loc.gettext("Signatures") == "Podpisy (PL)"
    assert loc.gettext("Patient name") == "Imię i nazwisko pacjenta"
    assert not loc.reviewed  # pl-PL's own strings are not reviewed
    install(root, regional.replace("# Reviewed-By:", "# Reviewed-By: Dr. Jan Kowalski").replace(
        "# Reviewed-On:", "# Reviewed-On: 2026-01-03"), "pl-PL")  # fmt: skip
    assert Localizer("pl-PL", root).reviewed
    install(root, GOOD)  # pl no longer reviewed: pl-PL packets print its strings too
    assert not Localizer("pl-PL", root).reviewed


GOOD_PLURAL = "Of %(people)s, about %(num)s in %(total)s %(event)s %(timeframe)s."


def test_a_decimal_cannot_become_a_range():
    """2.5 and 2,5 are one number; "2 a 5" is two."""
    from consent.catalogs import _wrong_numbers

    assert _wrong_numbers("unos 2,5 estudios al año", ("about 2.5 scans a year",), False) is None
    assert _wrong_numbers("unos 2 a 5 estudios al año", ("about 2.5 scans a year",), False)


def test_a_risk_tables_text_keeps_its_percent_sign_as_written(root):
    """A table's text is printed as written, never %-filled: "60 %" must pass,
    and "60 %%" (what the check used to ask for) would print two signs."""
    english = "60% of people keep the weight off"
    pot = root / "messages.pot"
    entry = f'\n#: risk_tables/demo/1.yaml:3\nmsgid "{english}"\nmsgstr ""\n'
    pot.write_text(pot.read_text("utf-8") + entry, "utf-8")

    def translated(text: str) -> list[str]:
        install(root, GOOD + f'\n#: risk_tables/demo/1.yaml:3\nmsgid "{english}"\n'
                f'msgstr "{text}"\n', compiled=False)  # fmt: skip
        return [e for e in errors(root) if english in e]

    assert translated("60 % osób utrzymuje wagę") == []
    assert "prints as two percent signs" in translated("60 %% osób utrzymuje wagę")[0]


def test_a_plural_form_for_one_number_alone_may_say_it_in_words(root):
    """Polish form 0 is taken by n = 1 alone: "jedna osoba" needs no %(num)s; the
    form for 2, 3, 4, 22... still does."""
    english = 'msgid "%(num)s person"\nmsgid_plural "%(num)s people"\n'
    pot = root / "messages.pot"
    pot.write_text(pot.read_text("utf-8") + f'\n{english}msgstr[0] ""\nmsgstr[1] ""\n', "utf-8")

    def placeholder_errors(forms: list[str]) -> list[str]:
        entry = english + "".join(f'msgstr[{i}] "{f}"\n' for i, f in enumerate(forms))
        install(root, GOOD + "\n" + entry, compiled=False)
        return [e for e in errors(root) if "placeholders of" in e]

    assert placeholder_errors(["jedna osoba", "%(num)s osoby", "%(num)s osób"]) == []
    assert placeholder_errors(["jedna osoba", "kilka osób", "%(num)s osób"])
