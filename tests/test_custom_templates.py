"""An institution's templates (--templates DIR): what they cannot do, and the errors
a broken one gets. Each case is run through the command line, as a clinician would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent.cli import app

from pdftools import pdftotext

SECRET = "NOT-FOR-THE-PACKET"


def render(*args: str):
    return CliRunner().invoke(app, ["render", "bariatric-revision", *args], terminal_width=200)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def templates_with_logo(tmp_path: Path, logo: str | bytes) -> Path:
    folder = tmp_path / "templates"
    (folder / "parts").mkdir(parents=True)
    target = folder / "parts" / "logo.html.j2"
    if isinstance(logo, bytes):
        target.write_bytes(logo)
    else:
        target.write_text(logo)
    return folder


def assert_refused(result, out: Path, *words: str) -> None:
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert message.startswith("Error: ") and "internal error" not in message
    assert "Traceback" not in message and SECRET not in message
    for word in words:
        assert word in message
    assert not out.exists()


def test_a_template_cannot_reach_python_to_read_a_file(tmp_path, secret):
    folder = templates_with_logo(
        tmp_path, "{{ lipsum.__globals__['__builtins__']['open']('" + str(secret) + "').read() }}"
    )
    out = tmp_path / "p.pdf"
    assert_refused(
        render("--templates", str(folder), "--out", str(out)), out, "sandbox does not allow"
    )


@pytest.mark.parametrize(
    "call",
    [
        "table.path.joinpath('{secret}').read_text()",
        "table.path.joinpath('{secret}').write_text('overwritten')",
        "table.model_dump()",
        "patient.from_input('x')",
        "table.model_fields.id.annotation.format('{{0.__init__.__globals__}}', lipsum)",
    ],
    ids=["read a file", "write a file", "a model's method", "a class method", "str.format"],
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydantic's, for model_fields
def test_a_template_can_call_methods_of_plain_values_only(tmp_path, secret, call):
    """Jinja's sandbox still let a template call any public method of what it was
    given: the table's path object read and wrote any file the user can reach."""
    folder = templates_with_logo(tmp_path, "{{ " + call.format(secret=secret) + " }}")
    out = tmp_path / "p.pdf"
    assert_refused(
        render("--templates", str(folder), "--out", str(out)), out, "sandbox does not allow"
    )
    assert secret.read_text() == SECRET


def test_a_template_may_still_use_methods_of_text_lists_and_loops(tmp_path):
    folder = templates_with_logo(
        tmp_path,
        "{{ 'clinic'.upper() }} {{ {'a': 1}.items()|list|length }}{{ '{}'.format('-') }}"
        "{% for x in [1, 2] %}{{ loop.cycle('-', '+') }}{% endfor %}",
    )
    out = tmp_path / "p.pdf"
    result = render("--templates", str(folder), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "CLINIC 1--+" in pdftotext(out)


def test_a_template_that_links_outside_its_folder_is_refused(tmp_path, secret):
    folder = templates_with_logo(tmp_path, "")
    (folder / "parts" / "logo.html.j2").unlink()
    (folder / "parts" / "logo.html.j2").symlink_to(secret)
    out = tmp_path / "p.pdf"
    result = render("--templates", str(folder), "--out", str(out), "--html", str(out) + ".html")
    assert_refused(result, out, "parts/logo.html.j2", "outside")
    assert not Path(str(out) + ".html").exists()


@pytest.mark.parametrize(
    ("logo", "words"),
    [
        ("{% if %}", ["logo.html.j2", "line 1"]),
        ("{{ no_such_name }}", ["no_such_name", "undefined", "logo.html.j2, line 1"]),
        ('{% include "parts/missing.html.j2" %}', ["logo.html.j2, line 1", "not in the template"]),
        (b"caf\xe9", ["parts/logo.html.j2", "UTF-8"]),
        ('{% include "parts/logo.html.j2" %}', ["logo.html.j2, line 1", "includes itself"]),
    ],
    ids=["syntax", "undefined", "missing include", "not utf-8", "includes itself"],
)
def test_a_broken_template_gets_one_sentence_naming_it(tmp_path, logo, words):
    folder = templates_with_logo(tmp_path, logo)
    out = tmp_path / "p.pdf"
    assert_refused(render("--templates", str(folder), "--out", str(out)), out, *words)


@pytest.mark.parametrize("option", ["--out", "--html"])
def test_a_stylesheet_that_is_not_utf8_is_named(tmp_path, option):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "style.css").write_bytes(b"p { color: red } /* caf\xe9 */")
    out = tmp_path / "p.out"
    assert_refused(render("--templates", str(folder), option, str(out)), out, "style.css", "UTF-8")


def test_the_pdf_and_the_preview_cannot_share_a_file(tmp_path):
    out = tmp_path / "packet"
    assert_refused(render("--out", str(out), "--html", str(out)), out, "same", "packet")


def test_the_template_digest_leaves_out_links_to_files_outside_the_folder(tmp_path, secret):
    from consent.provenance import folder_digest

    folder = templates_with_logo(tmp_path, "<p>Example Hospital</p>")
    (folder / "notes.txt").symlink_to(secret)
    digest = folder_digest.__wrapped__  # uncached: the files change in between
    before = digest((folder,))
    secret.write_text("something else")
    assert digest((folder,)) == before
    (folder / "parts" / "logo.html.j2").write_text("<p>Another Hospital</p>")
    assert digest((folder,)) != before


def test_the_html_preview_inlines_an_image_however_its_source_is_quoted(tmp_path):
    example = Path(__file__).resolve().parent.parent / "docs" / "custom-templates" / "logo.svg"
    folder = templates_with_logo(
        tmp_path, "<img src='logo.svg' alt='Logo'/><img src=logo.svg alt='Logo'/>"
    )
    (folder / "logo.svg").write_bytes(example.read_bytes())
    preview = tmp_path / "p.html"
    result = render("--templates", str(folder), "--html", str(preview))
    assert result.exit_code == 0, result.output
    html = preview.read_text()
    assert html.count('src="data:image/svg+xml;base64,') == 2 and "logo.svg" not in html


@pytest.mark.parametrize(
    ("logo", "stylesheet"),
    [
        ('<img src="https://example.org/logo.png" alt="Logo"/>', None),
        ('<img src="file:///etc/hostname" alt="Logo"/>', None),
        ('<object data="logo.svg"></object>', None),
        ('<p style="background: url(logo.svg)">Clinic</p>', None),
        ("", '@import "more.css";\np { color: red }'),
    ],
    ids=["remote image", "file url", "object", "style attribute", "css import"],
)
def test_the_html_preview_refuses_what_it_cannot_inline(tmp_path, logo, stylesheet):
    folder = templates_with_logo(tmp_path, logo)
    if stylesheet is not None:
        (folder / "style.css").write_text(stylesheet)
        (folder / "more.css").write_text("p { color: blue }")
    preview = tmp_path / "p.html"
    assert_refused(render("--templates", str(folder), "--html", str(preview)), preview)


@pytest.mark.parametrize(
    "logo",
    [
        "{{ {}[patient.name].x }}",
        "{% include patient.name|upper %}",
        "{% include patient.name|replace(' ', '_') %}",
        "{{ {}[patient.record_number|lower] }}",
    ],
)
def test_a_template_error_never_quotes_the_patient(tmp_path, logo):
    folder = templates_with_logo(tmp_path, logo)
    out = tmp_path / "p.pdf"
    result = render(
        "--templates",
        str(folder),
        "--patient-name",
        "Zelda Quixote",
        "--record-number",
        "MRN777",
        "--out",
        str(out),
    )
    assert_refused(result, out, "logo.html.j2, line 1")
    for leaked in ("Zelda", "ZELDA", "Quixote", "mrn777", "MRN777"):
        assert leaked not in result.output


def test_an_unprintable_character_beside_patient_data_never_quotes_it(tmp_path):
    folder = templates_with_logo(
        tmp_path, "<p>For {{ patient.name }} (record {{ patient.record_number }}) ☎ call us</p>"
    )
    out = tmp_path / "p.pdf"
    result = render(
        "--templates",
        str(folder),
        "--patient-name",
        "Zed Qwx",
        "--record-number",
        "MRN777",
        "--out",
        str(out),
    )
    assert_refused(result, out, "U+260E", "a text of the en packet that holds patient data")
    assert "Zed" not in result.output and "MRN777" not in result.output


def test_a_logo_too_large_to_verify_is_refused_by_name(tmp_path):
    """pypdf, which verify reads with, refuses a stream over 75 MB uncompressed;
    such a logo got "internal error (LimitReachedError)" after layout."""
    from PIL import Image

    folder = templates_with_logo(tmp_path, '<img src="logo.png" alt="Clinic" style="width: 20mm">')
    Image.new("RGB", (4400, 5800), "red").save(folder / "logo.png")  # 76.6 MB of pixels
    out = tmp_path / "p.pdf"
    result = render("--templates", str(folder), "--out", str(out))
    assert_refused(result, out, "an image in the packet is too large", "75 MB")


@pytest.mark.parametrize(
    "runaway", ["{{ '{:>10000000000}'.format(1) }}", "{{ 'x' * 10000000000 }}"]
)
def test_a_template_that_asks_for_gigabytes_fails_alone(tmp_path, runaway):
    """It took all the machine's memory until the kernel killed a process (24 GB)."""
    (tmp_path / "mine" / "parts").mkdir(parents=True)
    (tmp_path / "mine" / "parts" / "extra.html.j2").write_text(f"<p>{runaway}</p>")
    result = subprocess.run(
        [sys.executable, "-m", "consent", "render", "bariatric-revision", "--templates", "mine",
         "--out", "p.pdf"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the packet needed more memory than one command")
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.parametrize(
    "logo",
    [
        '<img src="logo.svg" alt="">',
        '<img src="logo.svg">',
        '<img src="logo.svg" alt="&#8203;">',  # a zero-width space says nothing
        '<svg xmlns="http://www.w3.org/2000/svg" aria-label="Clinic"><rect width="9" height="9"/></svg>',
    ],
)
def test_a_tagged_packet_refuses_a_logo_without_alternate_text(tmp_path, logo):
    """It became a Figure with no alternate text in a packet claiming PDF/UA."""
    folder = templates_with_logo(tmp_path, logo)
    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
        'height="10"/></svg>'
    )
    out = tmp_path / "p.pdf"
    assert_refused(render("--templates", str(folder), "--out", str(out)), out, "alternate text")
    plain = render("--templates", str(folder), "--out", str(out), "--pdf-variant", "plain")
    assert plain.exit_code == 0, plain.output  # untagged: nothing claims to describe it


def test_a_template_that_makes_megabytes_of_text_is_refused_before_layout(tmp_path):
    """40 MB of text passed the memory ceiling; the text layout then asked for 1.3 GB
    and the process ended with a GLib error and no sentence (exit 133)."""
    folder = templates_with_logo(tmp_path, "<p>{{ '{:x>40000000}'.format(1) }}</p>")
    out = tmp_path / "p.pdf"
    assert_refused(render("--templates", str(folder), "--out", str(out)), out, "40 MB of markup")
