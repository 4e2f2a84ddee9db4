"""``Frames``: the one shape every stage takes and gives back (a named set of Polars frames).

A stage result is a read-only mapping from table name (``documents``, ``line_items``,
``findings`` …, the names of ``metadata/schema.toml``) to its frame, with attribute access for
notebooks (``frames.findings``), and ``read``/``write`` to and from a folder of parquet files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from analysis.schema import empty

_SKIPPED_FOLDERS = {"cache"}  # the run's per-document cache lives beside the outputs


class Frames(Mapping[str, pl.DataFrame]):
    """Named Polars frames; missing names of the output schema read as empty frames of it."""

    __slots__ = ("_tables",)

    def __init__(self, tables: Mapping[str, pl.DataFrame] | None = None, /, **more: pl.DataFrame) -> None:
        self._tables: dict[str, pl.DataFrame] = {**(tables or {}), **more}

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __getattr__(self, name: str) -> pl.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._tables:
            return self._tables[name]
        try:
            return empty(name)
        except (KeyError, StopIteration):  # not an output table of the schema
            raise AttributeError(f"no frame named {name!r}; have {sorted(self._tables)}") from None

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}={df.height}" for name, df in self._tables.items())
        return f"Frames({shapes})"

    def with_frames(self, tables: Mapping[str, pl.DataFrame] | None = None, /, **more: pl.DataFrame) -> Frames:
        """A new ``Frames`` with these tables added or replaced."""
        return Frames({**self._tables, **(tables or {}), **more})

    def to_dict(self) -> dict[str, pl.DataFrame]:
        return dict(self._tables)

    @classmethod
    def read(cls, folder: str | Path) -> Frames:
        """Every ``*.parquet`` file of ``folder`` (as written by ``write`` or ``analysis run``)."""
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"no such folder: {root}")
        return cls(
            {
                path.stem: pl.read_parquet(path)
                for path in sorted(root.glob("*.parquet"))
                if path.parent.name not in _SKIPPED_FOLDERS
            }
        )

    def write(self, folder: str | Path) -> list[Path]:
        """Write each frame as ``folder/<name>.parquet`` (each file whole or not at all)."""
        root = Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        written = []
        for name, df in self._tables.items():
            target = root / f"{name}.parquet"
            partial = target.with_name(f".{target.name}.partial")
            df.write_parquet(partial)
            partial.replace(target)
            written.append(target)
        return written
