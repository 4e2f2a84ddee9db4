"""The compare stage's inputs as lazy frames (issue 14: memory of the compare stage).

Each step asks for the columns and rows it uses as a query over a :class:`polars.LazyFrame`;
over the run's stored parquet files (``engine/stored.py``) that query reads only those columns
and skips what its filter drops, so no step holds a whole extraction table. A plain dict of
DataFrames (library and notebook use) works the same: its frames are made lazy.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

Table = pl.DataFrame | pl.LazyFrame
"""What the compare functions take: a frame in memory or a query not yet run."""


def scan(frames: Mapping[str, pl.DataFrame], name: str) -> pl.LazyFrame:
    """``frames[name]`` as a lazy frame: a scan of its file where ``frames`` can give one
    (``StoredFrames.scan``), else the frame in memory made lazy."""
    scanner = getattr(frames, "scan", None)
    return scanner(name) if scanner is not None else frames[name].lazy()


def collect(query: pl.LazyFrame) -> pl.DataFrame:
    """Run a query of one compare step (the in-memory engine keeps row order, which the steps'
    ``first``/``keep="first"`` rely on; filters and projections reach the parquet reader)."""
    return query.collect()


def has_columns(table: Table, *names: str) -> bool:
    """Whether the table has these columns (a frame with no columns at all stands for "none
    given" in tests and notebooks; a scan's schema is read from the file's metadata)."""
    columns = table.collect_schema().names()
    return all(name in columns for name in names)
