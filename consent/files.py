"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


def check_writable(out: Path) -> None:
    """Fail before rendering if ``out`` cannot be written, so no work is wasted."""
    try:
        if out.is_dir():
            raise OutputError(f"cannot write {out}: it is a folder")
        # A packet replaces the file it is written to (see write_atomically): a
        # link would be replaced rather than followed, a device or pipe by a file.
        if out.is_symlink() or (out.exists() and not out.is_file()):
            raise OutputError(
                f"cannot write {out}: it is a link or a special file, not a plain file"
            )
        folder = out.parent
        if not folder.is_dir():
            problem = "is a file, not a folder" if folder.exists() else "does not exist"
            raise OutputError(f"cannot write {out}: {folder} {problem}")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write {out}: no permission to write in {folder}")
        if len(os.fsencode(out.name)) > os.pathconf(folder, "PC_NAME_MAX"):
            raise OutputError(f"cannot write {out}: the file name is too long")
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror}") from None


def write_atomically(data: bytes, out: Path) -> None:
    """Write ``data`` to ``out`` so that ``out`` is either absent, the old file, or complete.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    then renamed over ``out``; a crash at any point leaves no half-written file.
    """
    write_all_atomically([(data, out)])


def write_all_atomically(files: list[tuple[bytes, Path]]) -> None:
    """Write several files, all or none: a packet and its HTML preview.

    Every file is written in full to a temporary file beside it first; then
    they are renamed into place, with Ctrl-C and SIGTERM held off. Should a
    rename fail (a file made immutable, or held open on a network share), the
    ones already renamed are put back as they were: the old file, or none.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for data, out in files:
            check_writable(out)
            staged.append((_staged(data, out), out))
        with _signals_held():
            _rename_all(staged)
    finally:
        for temp_name, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)  # gone already once renamed


def _rename_all(staged: list[tuple[str, Path]]) -> None:
    # Each file renamed into place, with what puts it back: its old file, kept
    # as a link ("" where there was none, None where one could not be kept).
    done: list[tuple[Path, str | None]] = []
    try:
        for temp_name, out in staged:
            kept = _kept(out, temp_name.removesuffix(".tmp") + ".old.tmp")
            try:
                os.replace(temp_name, out)
            except OSError:
                if kept:
                    os.unlink(kept)
                raise
            done.append((out, kept))
    except OSError as error:
        for replaced, kept in reversed(done):
            with contextlib.suppress(OSError):
                if kept == "":
                    os.unlink(replaced)
                elif kept is not None:
                    os.replace(kept, replaced)
        raise OutputError(f"cannot write {out}: {error.strerror}") from None
    for _, kept in done:
        if kept:
            with contextlib.suppress(OSError):
                os.unlink(kept)


def _kept(out: Path, name: str) -> str | None:
    """A link to ``out`` named ``name`` (it matches ``.consent-*.tmp``, which a batch
    run clears), "" if there is no ``out``, None if the file system has no links."""
    if not out.exists():
        return ""
    try:
        os.link(out, name)
    except OSError:
        return None
    return name


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the few renames that must all happen."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives them
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _staged(data: bytes, out: Path) -> str:
    """``data`` in a new temporary file beside ``out``, flushed to disk; its name."""
    temp_name: str | None = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".consent-", suffix=".tmp", dir=out.parent)
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        # A packet replaced keeps its permissions (an office may keep them private);
        # a new one gets those of any new file here.
        mode = out.stat().st_mode & 0o777 if out.is_file() else 0o666 & ~_umask()
        os.chmod(temp_name, mode)
        return temp_name
    except OSError as error:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        raise OutputError(f"cannot write {out}: {error.strerror}") from None


def _umask() -> int:
    # mkstemp creates files private to the owner; give the final file the
    # permissions any other new file here would get.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomically(out: Path, text: str) -> None:
    write_atomically(text.encode("utf-8"), out)
