"""Files that are either whole or absent, and a lock on an output folder.

Every output is written under a temporary name in its own folder and renamed over the final
name: a rename within one file system is atomic, so a kill, a full disk or an unwritable
folder at any moment leaves the previous file whole (or no file), never a truncated one.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import polars as pl

TEMP_PREFIX = ".tmp-"
LOCK_NAME = ".analysis-run.lock"


class OutputLocked(RuntimeError):
    """Another run holds the output folder."""


class WriteFailed(OSError):
    """An output could not be written (disk full, read-only or unwritable folder)."""


@contextmanager
def atomic_path(target: Path):
    """A temporary path next to ``target``; renamed over it when the block ends without error,
    removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_parquet(frame: pl.DataFrame, target: Path) -> Path:
    with atomic_path(target) as temp:
        frame.write_parquet(temp)
    return target


def write_bytes(data: bytes, target: Path) -> Path:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return target


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
