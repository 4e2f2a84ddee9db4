"""Folders whose files are renamed into place together, a lock on an output folder, and the
one-line message for a failed write (single files: ``analysis.atomic_files``)."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from analysis.atomic_files import TEMP_PREFIX

LOCK_NAME = ".analysis-run.lock"


class OutputLocked(RuntimeError):
    """Another run holds the output folder."""


class WriteFailed(OSError):
    """An output could not be written (disk full, read-only or unwritable folder)."""


@contextmanager
def staging_folder(final: Path):
    """A temporary folder inside ``final`` for writers that take a folder (the reports); its
    files are renamed into ``final`` one by one when the block succeeds."""
    final.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=final))
    try:
        yield stage
        for entry in sorted(stage.iterdir()):
            destination = final / entry.name
            if entry.is_dir() and destination.is_dir():
                shutil.rmtree(destination)
            os.replace(entry, destination)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def folder_lock(*folders: Path):
    """Hold an exclusive lock on each folder for the block, or raise :class:`OutputLocked` at once.

    ``flock`` locks die with their process, so a killed run never leaves a stale lock behind.
    """
    handles = []
    try:
        for folder in dict.fromkeys(Path(f).resolve() for f in folders):
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(folder / LOCK_NAME, "a+")
            handles.append(handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise OutputLocked(
                    f"{folder} is in use by another run ({holder}); wait for it to finish or choose another --out"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}\n")
            handle.flush()
        yield
    finally:
        for handle in handles:
            handle.close()


def describe_write_error(error: OSError) -> str:
    """One line for a failed write: what, where, and that the previous outputs are kept."""
    reason = {
        errno.ENOSPC: "no space left on the device",
        errno.EACCES: "permission denied",
        errno.EROFS: "read-only file system",
        errno.EDQUOT: "disk quota exceeded",
    }.get(error.errno or 0, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return f"cannot write the outputs: {reason}{where}; the previous outputs are unchanged"
