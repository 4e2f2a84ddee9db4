"""A run's tables where they were written: read from parquet when a stage asks for them, not
held by the parent between stages (issue 14: memory flat in the number of documents)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from analysis.atomic_files import atomic_path, write_parquet
from analysis.extract import OUTPUT_TABLES
from analysis.schema import empty

STORED_TABLES = tuple(name for name in OUTPUT_TABLES if name != "documents")
"""The large extraction tables: written once gathered, read back only by the stage that needs them."""


def write_tables(frames: Mapping[str, pl.DataFrame | pl.LazyFrame], folder: Path) -> None:
    """Every extraction table into ``folder`` as ``<name>.parquet``; a lazy frame (the
    gathered parts) is streamed, never collected whole."""
    for name in OUTPUT_TABLES:
        table = frames[name]
        if isinstance(table, pl.LazyFrame):
            with atomic_path(folder / f"{name}.parquet") as temp:
                table.sink_parquet(temp)
        else:
            write_parquet(table, folder / f"{name}.parquet")


class StoredFrames(Mapping[str, pl.DataFrame]):
    """Frames by name: ``held`` ones in memory, the ``stored`` ones read from
    ``folder/<name>.parquet`` on first access and kept from then on.

    With ``pin``, the stored files are opened at once, so the frames stay those of this run even
    after a later run on the same folder publishes its own outputs (an open file stays readable
    on POSIX); without it they are read from the folder when asked for.
    """

    def __init__(
        self,
        folder: Path,
        held: Mapping[str, pl.DataFrame],
        stored: tuple[str, ...] = STORED_TABLES,
        *,
        pin: bool = False,
    ) -> None:
        self._folder = Path(folder)
        self._loaded: dict[str, pl.DataFrame] = dict(held)
        self._names = list(dict.fromkeys([*held, *stored]))
        self._pinned: dict[str, int] = {}
        if pin:
            for name in stored:
                if name not in self._loaded:
                    descriptor = os.open(self._folder / f"{name}.parquet", os.O_RDONLY)
                    self._pinned[name] = descriptor
                    weakref.finalize(self, _close, descriptor)

    def __getitem__(self, name: str) -> pl.DataFrame:
        if name not in self._loaded:
            if name not in self._names:
                raise KeyError(name)
            self._loaded[name] = self._read(name)
        return self._loaded[name]

    def _read(self, name: str) -> pl.DataFrame:
        if name in self._pinned:
            with os.fdopen(os.dup(self._pinned[name]), "rb") as handle:
                handle.seek(0)
                return pl.read_parquet(handle)
        return pl.read_parquet(self._folder / f"{name}.parquet")

    def scan(self, name: str) -> pl.LazyFrame:
        """The table as a lazy frame, nothing read yet: a query on it reads only the columns and
        row groups it needs (issue 14: the compare stage never holds line items whole). A held
        or already loaded frame is handed out as it is; a pinned file is read (it is this run's)."""
        if name in self._loaded or name in self._pinned:
            return self[name].lazy()
        if name not in self._names:
            raise KeyError(name)
        return pl.scan_parquet(self._folder / f"{name}.parquet")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def release(self, *names: str) -> None:
        """Drop loaded frames (read again if asked for later)."""
        for name in names:
            if name in self._names and (name in self._pinned or name in STORED_TABLES):
                self._loaded.pop(name, None)


def processed_frames(folder: Path, names: tuple[str, ...]) -> StoredFrames:
    """The tables ``names`` of a processed folder for a stage run on its own (``analysis
    compare``): documents read, the other files scanned when a step asks, a missing one empty."""
    folder = Path(folder)
    if not (folder / "documents.parquet").is_file():
        raise FileNotFoundError(f"{folder}: documents.parquet not found (run analysis run first)")
    present = tuple(n for n in names if n != "documents" and (folder / f"{n}.parquet").is_file())
    held = {n: empty(n) for n in names if n != "documents" and n not in present}
    held["documents"] = pl.read_parquet(folder / "documents.parquet")
    return StoredFrames(folder, held, present)


def _close(descriptor: int) -> None:
    try:
        os.close(descriptor)
    except OSError:
        pass
