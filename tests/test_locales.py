"""Translation catalogs: extraction, the translator workflow, and `consent locales check`."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent.catalogs import (
    check,
    compile_catalogs,
    compiled_bytes,
    extract,
    init,
    stats,
    update,
)
from consent.cli import app
from consent.errors import ConsentError
from consent.i18n import Localizer, pseudo

DATA = Path(__file__).parent / "data" / "locales"
GOOD = (DATA / "pl-good.po").read_text(encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    folder.mkdir()
    shutil.copy(DATA / "messages.pot", folder / "messages.pot")
    return folder


def install(root: Path, text: str, lang: str = "pl", compiled: bool = True) -> Path:
    path = root / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if compiled:
        # A catalog too broken to compile is still checked; check reports why.
        with contextlib.suppress(ConsentError):
            compile_catalogs(root)
    return path


def test_a_good_catalog_has_no_problems(root):
    install(root, GOOD)
    assert check("pl", root) == []


BROKEN = [
    pytest.param("%(event)s %(timeframe)s.\"\nmsgstr[2]", "%(event)s.\"\nmsgstr[2]",
                 "placeholders of 'Of %(people)s, about %(num)s in %(total)s %(event)s "
                 "%(timeframe)s.': expected ['event', 'num', 'people', 'timeframe', 'total'], "
                 "found ['event', 'num', 'people', 'total']", id="dropped-placeholder"),
    pytest.param("msgstr[0] \"Spośród %(people)s", "msgstr[0] \"Spośród %(osoby)s",
                 "found ['event', 'num', 'osoby', 'timeframe', 'total']", id="renamed-placeholder"),
    pytest.param('msgstr "Podpisy"', 'msgstr "Podpisy %(name)s"',
                 "placeholders of 'Signatures': expected [], found ['name']", id="added-placeholder"),
    pytest.param("nplurals=3;", "nplurals=2;",
                 "more translations than num_plurals of catalog on 15", id="plural-header-count"),
    pytest.param('msgstr[2] "Spośród %(people)s około %(num)s na %(total)s %(event)s %(timeframe)s."\n',
                 "", "missing: plural form 2 of 'Of %(people)s", id="missing-plural-form"),
    pytest.param('msgid "Signatures"', '#, fuzzy\nmsgid "Signatures"',
                 "fuzzy: 'Signatures' needs a translator's check", id="fuzzy"),
    pytest.param('msgstr "Podpisy"', 'msgstr ""',
                 "missing: 'Signatures' is not translated", id="missing"),
    pytest.param('msgid "Signatures"', '#| msgid "Signature"\nmsgid "Signatures"',
                 "stale: the English of 'Signatures' changed since it was translated", id="stale"),
    pytest.param('msgid "Signatures"\nmsgstr "Podpisy"', 'msgid "Signature lines"\nmsgstr "Podpisy"',
                 "stale: 'Signature lines' is no longer in messages.pot", id="not-in-template"),
    pytest.param('msgstr "Podpisy"', 'msgstr "<b>Podpisy</b>"',
                 "markup in the translation of 'Signatures'", id="markup"),
    # Babel reads this without a word and drops the string's last character.
    pytest.param('msgstr "Podpisy"', 'msgstr "Podpisy',
                 "msgfmt: end-of-line within string", id="unterminated-string"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_each_broken_catalog_is_reported_with_file_and_line(root, old, new, message):
    assert old in GOOD
    path = install(root, GOOD.replace(old, new, 1))
    problems = [p for p in check("pl", root) if message in p.message]
    assert problems, [str(p) for p in check("pl", root)]
    assert problems[0].error
    assert str(problems[0]).startswith(f"{path}:")


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_check_catches_at_least_what_msgfmt_catches(root, old, new, message):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is not installed (gettext); .ci/run installs it")
    path = install(
        root, GOOD.replace(old, new, 1).replace("#: consent", "#, python-format\n#: consent")
    )
    msgfmt = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    ours = [p for p in check("pl", root) if p.error]
    if msgfmt.returncode != 0:
        assert ours, f"msgfmt found: {msgfmt.stderr}"


def test_compile_refuses_a_catalog_that_would_print_a_wrong_sentence(root):
    """A dropped %(total)s would print "1 de cada 100" at any denominator."""
    install(root, GOOD)
    mo = root / "pl" / "LC_MESSAGES" / "messages.mo"
    before = mo.read_bytes()
    install(
        root,
        GOOD.replace('%(event)s %(timeframe)s."\nmsgstr[2]', '%(event)s."\nmsgstr[2]'),
        compiled=False,
    )
    with pytest.raises(ConsentError, match=r"not compiled: .*placeholders of"):
        compile_catalogs(root)
    assert mo.read_bytes() == before


def test_untranslated_and_fuzzy_are_warnings_for_an_incomplete_catalog(root):
    text = GOOD.replace("# Complete: yes", "# Complete: no")
    text = text.replace('msgstr "Podpisy"', 'msgstr ""')
    install(root, text)
    (problem,) = check("pl", root)
    assert not problem.error and "missing: 'Signatures'" in problem.message


def test_an_uncompiled_or_old_mo_is_an_error(root):
    install(root, GOOD)
    install(root, GOOD.replace("Podpisy", "Podpisy pacjenta"), compiled=False)
    (problem,) = check("pl", root)
    assert problem.error and "messages.mo is missing or older than messages.po" in problem.message


def test_init_update_compile_and_stats(root):
    path = init("pl", root)
    text = path.read_text(encoding="utf-8")
    assert 'msgid "Signatures"' in text and "# Complete: no" in text
    assert "nplurals=3" in text
    (root / "messages.pot").write_text(
        (root / "messages.pot").read_text().replace('msgid "Signatures"', 'msgid "Sign here"')
    )
    update(root)
    assert 'msgid "Sign here"' in path.read_text(encoding="utf-8")
    compile_catalogs(root)
    (coverage,) = stats(root)
    assert (coverage.lang, coverage.translated, coverage.total) == ("pl", 0, 3)
    assert not coverage.complete and coverage.reviewed_by == ""


def test_init_refuses_an_existing_catalog_and_an_unknown_language(root):
    init("pl", root)
    runner = CliRunner()
    again = runner.invoke(app, ["locales", "init", "pl", "--locales", str(root)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    unknown = runner.invoke(app, ["locales", "init", "qq", "--locales", str(root)])
    assert unknown.exit_code == 1 and "not a language" in unknown.stderr


def test_check_command_exits_1_on_errors(root):
    install(root, GOOD.replace('msgstr "Podpisy"', 'msgstr "<i>Podpisy</i>"'))
    result = CliRunner().invoke(app, ["locales", "check", "--locales", str(root)])
    assert result.exit_code == 1 and "markup in the translation" in result.stderr


def test_extract_finds_templates_python_and_table_strings():
    catalog = extract()
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    for expected in [
        "Patient name",
        "Signatures",
        "%(num)s person",
        "have a serious leak from a staple line",
        "people having a revision operation",
        "Any eating disorder is treated first.",
        "within 2 years",
    ]:
        assert expected in ids
    die = catalog.get("die")
    assert any("a verb phrase after 'about 5 in 100'" in c for c in die.auto_comments)


def test_committed_template_is_current():
    from babel.messages.pofile import read_po

    from consent.resources import locales_dir

    with (locales_dir() / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert committed == {m.id for m in extract() if m.id}, "run: consent locales extract"


def test_pseudo_locale_marks_every_string_and_keeps_placeholders():
    assert pseudo("About %(num)s in %(total)s do not.") == (
        "[Áƀóúŧ %(num)s íñ %(total)s đó ñóŧ. ~~~~~~~~~~~]"
    )
    loc = Localizer("en-XA")
    assert loc.gettext("Of %(people)s, x.", people="P") == "[Óƒ P, ẋ. ~~~~~]"
    assert not loc.reviewed and loc.direction == "ltr"


@pytest.mark.parametrize(("tag", "chosen"), [("en", "en"), ("en-GB", "en"), ("en-XA", "en-XA")])
def test_bcp47_tags_pick_the_best_catalog(tag, chosen):
    assert Localizer(tag).locale == chosen


@pytest.mark.parametrize("lang", ["es", "pl", "ar"])
def test_shipped_catalogs_are_complete_current_and_marked_unreviewed(lang):
    from consent.catalogs import po_path, review_status

    assert check(lang) == []
    status = review_status(po_path(lang))
    assert status.complete and status.reviewed_by == ""
    assert not Localizer(lang).reviewed


MSGFMT_PARITY = [
    pytest.param('msgstr "Podpisy"', 'msgstr "Podpisy 100% pewne"', "cannot be filled in",
                 id="stray-percent"),
    pytest.param('msgstr[0] "Spośród %(people)s', 'msgstr[0] "Spośród %s %(people)s',
                 "a % that is not a %(name)s placeholder", id="bare-percent-s"),
    pytest.param('około %(num)s na %(total)s %(event)s %(timeframe)s."\nmsgstr[1]',
                 'około %(num)d na %(total)s %(event)s %(timeframe)s."\nmsgstr[1]',
                 "cannot be filled in", id="number-format-d"),
    pytest.param("plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
                 "plural=(n==1 ? 0 : n%10>=2 && n%10<=4 ? 1 : 3)",
                 "gives form 3 for n=", id="plural-rule-out-of-range"),
    pytest.param("plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
                 "plural=(n==1 ? 0 : 2)", "CLDR gives 1", id="plural-rule-wrong"),
    pytest.param("plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
                 "plural=(n==1 ? 0 : (2)", "cannot be read", id="plural-rule-syntax"),
    pytest.param('msgstr "Podpisy"', 'msgstr "Podpisy<!--"', "markup in the translation",
                 id="html-comment"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), MSGFMT_PARITY)
def test_check_catches_what_breaks_a_packet(root, old, new, message):
    assert old in GOOD
    install(root, GOOD.replace(old, new, 1).replace("#: consent", "#, python-format\n#: consent"))
    errors = [p for p in check("pl", root) if p.error]
    assert any(message in p.message for p in errors), [str(p) for p in errors]


def test_an_empty_plural_form_is_an_error_even_in_an_incomplete_catalog(root):
    text = GOOD.replace("# Complete: yes", "# Complete: no").replace(
        'msgstr[1] "Spośród %(people)s około %(num)s na %(total)s %(event)s %(timeframe)s."',
        'msgstr[1] ""',
    )
    install(root, text)
    assert any(p.error and "missing: plural form 1" in p.message for p in check("pl", root))


def test_init_accepts_a_region_tag(root):
    path = init("pt-BR", root)
    assert path.parent.parent.name == "pt-BR"
    compile_catalogs(root)
    assert {c.lang for c in stats(root)} == {"pt-BR"}


@pytest.mark.parametrize(
    ("tag", "chosen", "ten_thousand"),
    [
        ("ES", "es", "10.000"),
        ("es-MX", "es", "10,000"),
        ("es-419", "es", "10,000"),
        ("pl-PL", "pl", "10\u00a0000"),
        ("AR-eg", "ar", "10,000"),
        ("en-xa", "en-XA", "10,000"),
    ],
)
def test_tags_ignore_case_and_numbers_follow_the_region(tag, chosen, ten_thousand):
    loc = Localizer(tag)
    assert (loc.locale, loc.number(10_000)) == (chosen, ten_thousand)


def test_template_translations_are_text_not_markup(root, table, alex):
    from consent.render import packet_html

    text = GOOD.replace('msgstr "Podpisy"', 'msgstr "Podpisy<!--"')
    path = install(root, text, compiled=False)
    # compile refuses markup; a .mo made by another tool still reaches the packet as text.
    path.with_suffix(".mo").write_bytes(compiled_bytes(path, "pl"))
    loc = Localizer("pl", root)
    html = packet_html(table, *alex, loc)
    assert "Podpisy&lt;!--" in html and "Podpisy<!--" not in html


@pytest.mark.parametrize(
    ("tag", "declared"), [("es-MX", "es-MX"), ("ES", "es"), ("ar", "ar"), ("en-XA", "en-XA")]
)
def test_the_packet_declares_the_language_asked_for_with_its_region(tag, declared, table, alex):
    from consent.render import packet_html

    assert Localizer(tag).tag == declared
    assert f'<html lang="{declared}"' in packet_html(table, *alex, Localizer(tag))


def test_without_msgfmt_an_unclosed_string_is_still_refused(root, monkeypatch):
    """A translator's machine may lack GNU gettext; compile must still refuse."""
    install(root, GOOD)
    path = root / "pl" / "LC_MESSAGES" / "messages.po"
    path.write_text(GOOD.replace('msgstr "Podpisy"', 'msgstr "Podpisy'), encoding="utf-8")
    monkeypatch.setenv("PATH", "")
    problems = [p for p in check("pl", root) if p.error]
    assert any("a string is not closed with a quote" in p.message for p in problems)
    with pytest.raises(ConsentError, match="not closed with a quote"):
        compile_catalogs(root)


@pytest.mark.parametrize("inside", ["\u2028", "\v", "\x0c"])
def test_a_line_separator_inside_a_string_is_not_an_unclosed_string(root, inside):
    """Word's Shift+Enter pastes a \\v; msgfmt and Babel accept it inside a string."""
    install(root, GOOD.replace('msgstr "Podpisy"', f'msgstr "Pod{inside}pisy"'))
    assert not [p for p in check("pl", root) if "not closed" in p.message]
