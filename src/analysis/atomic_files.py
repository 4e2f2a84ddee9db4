"""Files that are either whole or absent.

Every output is written under a temporary name in its own folder and renamed over the final
name: a rename within one file system is atomic, so a kill, a full disk or an unwritable
folder at any moment leaves the previous file whole (or no file), never a truncated one. A run
removes temporary names a killed one left behind (they all start with ``TEMP_PREFIX``).
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import polars as pl

TEMP_PREFIX = ".tmp-"


def temporary_name(target: Path) -> Path:
    """A name next to ``target`` that no other writer picks. The writer creates the file, so it
    gets the mode the umask gives every other output (``mkstemp`` would make it private to its
    owner, unreadable to colleagues and to cluster workers running as another user)."""
    return target.with_name(f"{TEMP_PREFIX}{target.stem}-{os.getpid()}-{secrets.token_hex(6)}{target.suffix}")


@contextmanager
def atomic_path(target: Path):
    """A temporary path next to ``target`` (not created); renamed over it when the block ends
    without error, removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temporary_name(target)
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
