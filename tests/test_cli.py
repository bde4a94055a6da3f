"""The command line as a user meets it: real processes, exit codes, stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from consent import __version__

from pdftools import pdftotext


def consent(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consent", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_version():
    result = consent("--version")
    assert (result.returncode, result.stdout) == (0, f"consent {__version__}\n")


def test_help_lists_render_and_does_not_load_weasyprint():
    code = (
        "import sys\nfrom consent.cli import main\nsys.argv = ['consent', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED' if 'weasyprint' in sys.modules else 'NOT LOADED')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "render" in result.stdout
    assert result.stdout.strip().endswith("NOT LOADED")


def test_render_writes_a_packet(tmp_path):
    result = consent(
        "render",
        "bariatric-revision",
        "--patient-name",
        "Alex Doe",
        "--clinician",
        "Dr. Rivera",
        "--date",
        "2026-11-30",
        "--out",
        "packet.pdf",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote packet.pdf (bariatric-revision 2026.2, reference, en)" in result.stderr
    text = pdftotext(tmp_path / "packet.pdf")
    assert "Patient name Alex Doe" in text and "about 5 in 100 have a serious leak" in text


@pytest.mark.parametrize(
    ("date", "exit_code"), [("2026-11-30", 0), ("2026-02-30", 1)], ids=["made", "refused"]
)
def test_render_pauses_the_cycle_collector_and_turns_it_back_on(tmp_path, date, exit_code):
    # A one-packet command need not collect cycles (about 8% of a cold render),
    # but whoever calls it in-process must get the collector back, error or not.
    code = (
        "import gc, os, sys\nfrom consent.cli import main\n"
        "collections = []\n"
        "def count(phase, info):  # from loading the packet code to writing the packet\n"
        "    if phase == 'start' and 'consent.packet' in sys.modules"
        " and not os.path.exists('packet.pdf'):\n"
        "        collections.append(1)\n"
        "gc.callbacks.append(count)\n"
        f"sys.argv = ['consent', 'render', 'bariatric-revision', '--date', '{date}',"
        " '--out', 'packet.pdf']\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\n"
        "print(code, len(collections), gc.isenabled())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.stdout.split() == [str(exit_code), "0", "True"], result.stderr
    assert (tmp_path / "packet.pdf").exists() == (exit_code == 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "knee-revision"], "unknown procedure 'knee-revision'; available: "),
        (
            ["render", "bariatric-revision", "--table-version", "1999"],
            "procedure 'bariatric-revision' has no version '1999'; available: 2026.1, 2026.2",
        ),
        (
            ["render", "bariatric-revision", "--date", "2026-02-30"],
            "date must be a real date written YYYY-MM-DD",
        ),
        (
            ["render", "bariatric-revision", "--date", "tomorrow"],
            "date must be a real date written YYYY-MM-DD",
        ),
        (
            ["render", "bariatric-revision", "--date-of-birth", "1980-13-01"],
            "date of birth must be a real date written YYYY-MM-DD",
        ),
        (
            ["render", "bariatric-revision", "--date-of-birth", "2999-01-01"],
            "date of birth is in the future",
        ),
        (
            ["render", "bariatric-revision", "--patient-name", "Alex\u202eeoD"],
            "patient name contains control or invisible formatting characters",
        ),
        (
            ["render", "bariatric-revision", "--patient-name", "A" * 201],
            "patient name is longer than 200 characters",
        ),
        (["render", "bariatric-revision", "--pdf-variant", "pdf/x"], "unknown PDF variant 'pdf/x'"),
        (
            ["render", "bariatric-revision", "--date", "2026-01-02"],
            "the packet is dated 2026-01-02, before this risk table version took effect "
            "(2026-11-30): choose the version in use then (--table-version",
        ),
        (["render", "bariatric-revision", "--date", "0001-01-01"], "date must be a date from 1900"),
    ],
)
def test_bad_input_is_one_sentence_exit_1_and_no_file(tmp_path, args, message):
    result = consent(*args, "--out", "packet.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_error_messages_never_quote_the_patient_name(tmp_path):
    result = consent(
        "render",
        "bariatric-revision",
        "--patient-name",
        "Zelda\x07Quinn",
        "--out",
        "p.pdf",
        cwd=tmp_path,
    )
    assert result.returncode == 1 and "Zelda" not in result.stderr


@pytest.mark.parametrize(
    "out", ["missing-folder/p.pdf", ".", "x" * 300 + ".pdf", "packet.pdf/inside.pdf"]
)
def test_unwritable_output_path_is_exit_1(tmp_path, out):
    if out.startswith("packet.pdf/"):
        (tmp_path / "packet.pdf").write_text("a file, not a folder")
    result = consent("render", "bariatric-revision", "--out", out, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write ") and result.stderr.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] in ([], ["packet.pdf"])


VALID = (Path(__file__).parent / "data" / "valid-table.yaml").read_text(encoding="utf-8")


def broken_tables(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = VALID
    for old, new in changes:
        text = text.replace(old, new)
    folder = tmp_path / "tables" / "test-procedure"
    folder.mkdir(parents=True)
    (folder / "1.yaml").write_text(text)
    return tmp_path / "tables"


def test_invalid_table_lists_every_problem(tmp_path):
    tables = broken_tables(
        tmp_path, ("rate: 0.05,", "rate: 1.5,"), ("status: reference", "status: x")
    )
    result = consent(
        "render", "test-procedure", "--tables", str(tables), "--out", "p.pdf", cwd=tmp_path
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: the risk table is not valid (2 problems):"
    assert any("test-procedure/1.yaml:5 status" in line for line in lines[1:])
    assert any("1.yaml:25 outcomes[0].values.revision.rate" in line for line in lines[1:])
    assert not (tmp_path / "p.pdf").exists()


def test_one_table_problem_is_one_line(tmp_path):
    tables = broken_tables(tmp_path, ("rate: 0.05,", "rate: 1.5,"))
    result = consent(
        "render", "test-procedure", "--tables", str(tables), "--out", "p.pdf", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: the risk table is not valid: ")
    assert "1.5 is not a probability (0 to 1)" in result.stderr


def test_unknown_keys_are_warnings_on_stderr(tmp_path):
    tables = broken_tables(tmp_path, ("    year: 2024", "    year: 2024\n    reviewed_in: 1"))
    result = consent(
        "render", "test-procedure", "--tables", str(tables), "--out", "p.pdf", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Warning: " in result.stderr and "unknown key 'reviewed_in'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["render", "bariatric-revision"],
        ["render"],
        ["frobnicate"],
        ["render", "bariatric-revision", "--out", "p.pdf", "--nope"],
    ],
)
def test_usage_errors_exit_2(tmp_path, args):
    result = consent(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_render_names_the_language_as_asked_with_its_region(tmp_path):
    """es-MX packets write Mexican numbers from the Spanish catalog; the summary
    said "es" as if the region had been dropped."""
    result = consent(
        "render", "bariatric-revision", "--locale", "es-MX", "--out", "p.pdf", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "(bariatric-revision 2026.2, reference, es-MX)" in result.stderr


def test_a_preview_that_cannot_be_written_leaves_the_old_packet_and_no_new_file(tmp_path):
    """The PDF was written before the HTML preview: a disk that filled up meanwhile
    left a new packet behind (or replaced the old one) and reported a failure."""
    old = tmp_path / "p.pdf"
    old.write_bytes(b"the packet signed yesterday")
    # A real write failure: files over 1 MB cannot be written (the preview, with
    # its fonts, is about 3 MB; the packet 45 KB).
    limited = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000)); "
        "from consent.cli import main; sys.argv[0] = 'consent'; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", limited, "render", "bariatric-revision", "--out", "p.pdf",
         "--html", "p.html"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: cannot write p.html"), result.stderr
    assert old.read_bytes() == b"the packet signed yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf"]


def test_render_prints_the_interpreter_on_their_signature_line(tmp_path):
    """Only a batch roster could name the interpreter; one packet could not."""
    result = consent(
        "render", "bariatric-revision", "--out", "p.pdf", "--interpreter-name", "Ana Ruiz",
        "--interpreter-language", "Spanish", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = " ".join(pdftotext(tmp_path / "p.pdf").split())
    assert "Interpreter I interpreted this packet" in text
    assert "Ana Ruiz · Spanish Name and language" in text


def test_a_packet_that_cannot_replace_its_old_file_leaves_the_preview_as_it_was(tmp_path):
    """The preview was renamed into place, then the packet's rename failed: the
    folder held one patient's new preview beside another's old packet."""
    (tmp_path / "a.pdf").write_bytes(b"yesterday's packet")
    (tmp_path / "a.html").write_text("yesterday's preview")
    if subprocess.run(["chattr", "+i", str(tmp_path / "a.pdf")], check=False).returncode:
        pytest.skip("files cannot be made immutable here (chattr +i)")
    try:
        result = consent(
            "render", "bariatric-revision", "--out", "a.pdf", "--html", "a.html", cwd=tmp_path
        )
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "a.pdf")], check=True)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write a.pdf: Operation not permitted")
    assert (tmp_path / "a.html").read_text() == "yesterday's preview"
    assert (tmp_path / "a.pdf").read_bytes() == b"yesterday's packet"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.pdf"]


def test_a_packet_written_over_a_private_one_stays_private(tmp_path):
    packet = tmp_path / "p.pdf"
    packet.write_bytes(b"old")
    packet.chmod(0o600)
    assert consent("render", "bariatric-revision", "--out", "p.pdf", cwd=tmp_path).returncode == 0
    assert packet.stat().st_mode & 0o777 == 0o600


def test_an_interpreters_language_alone_leaves_room_for_their_name(tmp_path):
    """ "· Spanish" filled the line the interpreter writes their name on."""
    result = consent(
        "render", "bariatric-revision", "--out", "p.pdf", "--interpreter-language", "Spanish",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = " ".join(pdftotext(tmp_path / "p.pdf").split())
    assert "________________________ · Spanish Name and language" in text


@pytest.mark.parametrize("given", ["-", "sub/-"])
def test_out_must_name_a_file(tmp_path, given):
    """ "-" was written as a file named "-" (a PDF is not written to the terminal)."""
    (tmp_path / "sub").mkdir()
    result = consent("render", "bariatric-revision", "--out", given, cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a file name; a packet is written to a file" in result.stderr
    assert [p.name for p in tmp_path.rglob("*")] == ["sub"]
