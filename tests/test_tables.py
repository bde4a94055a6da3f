"""Loading and validating risk tables: every rejection names its file, line and YAML path."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.errors import TableInvalid, TableNotFound
from consent.tables import load_table, load_table_file, procedures, version_key

FILE = "bariatric-revision/2026.1.yaml"


def test_bundled_reference_table_loads_with_its_figures(table):
    assert (table.id, table.version, table.status) == ("bariatric-revision", "2026.1", "reference")
    assert table.effective == dt.date(2026, 1, 15)
    assert [o.key for o in table.options] == ["primary", "revision"]
    assert table.comparator.key == "primary"
    leak = table.outcomes[0]
    assert leak.kind == "event"
    assert (leak.values["primary"].rate, leak.values["revision"].rate) == (0.02, 0.05)
    weight = table.outcomes[1]
    assert weight.kind == "measure" and weight.no_guarantee
    assert (weight.values["revision"].low, weight.values["revision"].high) == (0.40, 0.60)
    assert len(table.sha256) == 64


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "rate: 0.05,",
            "rate: 1.5,",
            f"{FILE}:31 outcomes[0].values.revision.rate: 1.5 is not a probability (0 to 1)",
            id="rate-above-one",
        ),
        pytest.param(
            "rate: 0.05,",
            "rate: -0.1,",
            f"{FILE}:31 outcomes[0].values.revision.rate: -0.1 is not a probability",
            id="negative-rate",
        ),
        pytest.param(
            "rate: 0.05,",
            "rate: 5%,",
            f"{FILE}:31 outcomes[0].values.revision.rate: '5%' should be a number",
            id="percent-text",
        ),
        pytest.param(
            "rate: 0.05,",
            "rate: true,",
            f"{FILE}:31 outcomes[0].values.revision.rate: True should be a number",
            id="boolean-rate",
        ),
        pytest.param(
            "{rate: 0.05, source: seed-example}",
            "{rate: 0.05, low: 0.06, high: 0.07, source: seed-example}",
            f"{FILE}:31 outcomes[0].values.revision: expected low <= rate <= high",
            id="low-above-rate",
        ),
        pytest.param(
            "{rate: 0.05, source: seed-example}",
            "{rate: 0.05, low: 0.01, source: seed-example}",
            f"{FILE}:31 outcomes[0].values.revision: give both low and high",
            id="low-without-high",
        ),
        pytest.param(
            "    timeframe: within 30 days after surgery\n",
            "",
            f"{FILE}:25 outcomes[0]: missing required key 'timeframe'",
            id="no-timeframe-R5",
        ),
        pytest.param(
            "    people: people having a revision operation\n",
            "",
            f"{FILE}:21 options.revision: missing required key 'people'",
            id="no-reference-class-R5",
        ),
        pytest.param(
            "revision: {rate: 0.05, source: seed-example}",
            "revision: {rate: 0.05}",
            f"{FILE}:31 outcomes[0].values.revision: missing required key 'source'",
            id="value-without-source-R13",
        ),
        pytest.param(
            "revision: {rate: 0.05, source: seed-example}",
            "revision: {rate: 0.05, source: nowhere}",
            f"{FILE}:31 outcomes[0].values.revision.source: 'nowhere' is not listed under sources",
            id="unknown-source",
        ),
        pytest.param(
            "      revision: {rate: 0.05, source: seed-example}",
            "      redo: {rate: 0.05, source: seed-example}",
            f"{FILE}:31 outcomes[0].values.redo: 'redo' is not one of the table's options",
            id="unknown-option",
        ),
        pytest.param(
            "kind: event",
            "kind: chance",
            f"{FILE}:26 outcomes[0].kind: 'chance' is not 'event' or 'measure'",
            id="unknown-kind",
        ),
        pytest.param(
            "status: reference",
            "status: final",
            f"{FILE}:10 status: 'final' is not one of draft, reference, approved",
            id="unknown-status",
        ),
        pytest.param(
            "status: reference",
            "status: approved",
            f"{FILE}:11 approved_by: is empty but required",
            id="approved-without-approver",
        ),
        pytest.param(
            "effective: 2026-01-15",
            "effective: 2026-02-30",
            f"{FILE}:13 effective: '2026-02-30' is not valid (day is out of range for month)",
            id="impossible-date",
        ),
        pytest.param(
            "effective: 2026-01-15",
            "effective: soon",
            f"{FILE}:13 effective: 'soon' should be a date (YYYY-MM-DD)",
            id="date-as-text",
        ),
        pytest.param(
            "id: bariatric-revision",
            "id: something-else",
            f"{FILE}:8 id: 'something-else' does not match its folder 'bariatric-revision'",
            id="id-not-folder",
        ),
        pytest.param(
            'version: "2026.1"',
            'version: "2026.2"',
            f"{FILE}:9 version: '2026.2' does not match the file name '2026.1.yaml'",
            id="version-not-file-name",
        ),
        pytest.param(
            "  - id: excess-weight-loss",
            "  - id: serious-leak",
            f"{FILE}:32 outcomes[1].id: outcome id 'serious-leak' is used twice",
            id="duplicate-outcome-id",
        ),
        pytest.param(
            "      revision: {low: 0.40, high: 0.60, source: seed-example}",
            "      revision: {rate: 0.5, low: 0.40, high: 0.60, source: seed-example}",
            f"{FILE}:39 outcomes[1].values.revision.rate: a measure has a low..high range",
            id="measure-with-rate",
        ),
    ],
)
def test_invalid_table_is_rejected_naming_line_and_path(
    write_table, reference_yaml, old, new, expected
):
    assert old in reference_yaml
    path = write_table(reference_yaml.replace(old, new, 1), "bariatric-revision", "2026.1")
    with pytest.raises(TableInvalid) as caught:
        load_table_file(path)
    shown = [p.replace(str(path.parent.parent) + "/", "") for p in caught.value.problems]
    assert any(p.startswith(expected) for p in shown), shown


def test_every_problem_is_reported_not_just_the_first(write_table, reference_yaml):
    broken = reference_yaml.replace("rate: 0.05,", "rate: 1.5,").replace(
        "status: reference", "status: final"
    )
    path = write_table(broken, "bariatric-revision", "2026.1")
    with pytest.raises(TableInvalid) as caught:
        load_table_file(path)
    assert len(caught.value.problems) == 2


def test_duplicate_keys_are_rejected_not_silently_overwritten(write_table, reference_yaml):
    # PyYAML alone would keep the second rate (0.5) without a word.
    doubled = reference_yaml.replace(
        "primary: {rate: 0.02, source: seed-example}",
        "primary: {rate: 0.02, rate: 0.5, source: seed-example}",
    )
    path = write_table(doubled, "bariatric-revision", "2026.1")
    with pytest.raises(
        TableInvalid, match=r":30 outcomes\[0\]\.values\.primary\.rate: duplicate key"
    ):
        load_table_file(path)


def test_yaml_aliases_are_rejected(write_table):
    path = write_table("""\
        sources: &s {a: {citation: x, year: 2020}}
        again: *s
        """)
    with pytest.raises(TableInvalid, match=r":2: YAML aliases \(\*name\) are not allowed"):
        load_table_file(path)


def test_not_yaml_gives_one_line_with_the_line_number(write_table):
    path = write_table("schema: 1\nid: [unclosed\nversion: 1\n")
    with pytest.raises(TableInvalid) as caught:
        load_table_file(path)
    (problem,) = caught.value.problems
    assert "not valid YAML" in problem and "\n" not in problem
    assert problem.startswith(f"{path}:")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n", "just text\n"])
def test_a_file_that_is_not_a_mapping_is_rejected(write_table, text):
    path = write_table(text)
    with pytest.raises(TableInvalid, match=str(path)):
        load_table_file(path)


def test_oversized_file_is_refused_before_parsing(write_table):
    path = write_table("# " + "x" * 1_100_000 + "\n")
    with pytest.raises(TableInvalid, match="the limit is 1,000,000"):
        load_table_file(path)


def test_unknown_procedure_lists_the_available_ones():
    with pytest.raises(
        TableNotFound, match=r"unknown procedure 'knee'; available: .*bariatric-revision"
    ):
        load_table("knee")


@pytest.mark.parametrize("name", ["../risk_tables", "/etc", "Bariatric", "a/b", ""])
def test_procedure_names_cannot_reach_outside_the_tables_folder(name):
    with pytest.raises(TableNotFound, match="unknown procedure"):
        load_table(name)


def test_unknown_version_lists_the_available_ones():
    with pytest.raises(TableNotFound, match=r"no version '1999'; available: 2026\.1"):
        load_table("bariatric-revision", "1999")


def _variant(reference_yaml: str, version: str, status: str) -> str:
    text = reference_yaml.replace('version: "2026.1"', f'version: "{version}"')
    text = text.replace("status: reference", f"status: {status}")
    if status == "approved":
        text = text.replace("approved_by: null", "approved_by: Consent committee")
        text = text.replace("approved_on: null", "approved_on: 2026-03-01")
    return text


def test_newest_approved_version_is_the_default(write_table, tables_root, reference_yaml):
    for version, status in [
        ("2026.1", "approved"),
        ("2026.2", "approved"),
        ("2026.10", "reference"),
        ("2027.1", "draft"),
    ]:
        write_table(_variant(reference_yaml, version, status), "bariatric-revision", version)
    assert load_table("bariatric-revision", root=tables_root).version == "2026.2"


def test_newest_reference_version_is_used_when_none_is_approved(
    write_table, tables_root, reference_yaml
):
    for version in ("2026.2", "2026.10", "2026.9"):
        write_table(_variant(reference_yaml, version, "reference"), "bariatric-revision", version)
    assert load_table("bariatric-revision", root=tables_root).version == "2026.10"


def test_drafts_need_to_be_allowed(write_table, tables_root, reference_yaml):
    write_table(_variant(reference_yaml, "2027.1", "draft"), "bariatric-revision", "2027.1")
    with pytest.raises(TableNotFound, match="only draft versions; pass --allow-draft"):
        load_table("bariatric-revision", root=tables_root)
    with pytest.raises(TableNotFound, match="is a draft; pass --allow-draft"):
        load_table("bariatric-revision", "2027.1", root=tables_root)
    assert load_table("bariatric-revision", root=tables_root, allow_draft=True).status == "draft"


def test_versions_sort_naturally():
    assert sorted(["2026.10", "2026.2", "2025.1", "2026.2-rc1"], key=version_key) == [
        "2025.1",
        "2026.2",
        "2026.2-rc1",
        "2026.10",
    ]


def test_procedures_lists_bundled_tables():
    assert "bariatric-revision" in procedures()
