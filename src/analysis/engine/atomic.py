"""A lock on an output folder, and the one-line message for a failed write (files written whole
or not at all: ``analysis.atomic_files``; a run's outputs published together: ``publish``)."""

from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".analysis-run.lock"


class OutputLocked(RuntimeError):
    """Another run holds the output folder."""


class WriteFailed(OSError):
    """An output could not be written (disk full, read-only or unwritable folder)."""


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
