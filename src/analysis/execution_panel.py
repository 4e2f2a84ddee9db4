"""``analysis.panel(...)``: the budget execution panel in one call (issue 13).

One row per department × year × indicator with the 年初预算 read from the year's 预算, the 决算
from its final account, 执行率 and their sources (schema: table ``panel`` of the data
dictionary). See :mod:`analysis.compare.execution` for how documents are linked.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl


def panel(source: str | Path | dict | list, *, departments: str | Path | None = None) -> pl.DataFrame:
    """The execution panel of a batch of disclosures.

    Args:
        source: a processed folder (``panel.parquet`` is read when present, else the panel is
            worked out from its extraction parquet files); a dict of extraction frames (as
            ``analysis.extract.extract_paths`` returns); or files/folders of disclosures, which
            are extracted first.
        departments: optional CSV ``name,department_id`` that overrides the department identity
            (the file ``analysis compare --departments`` takes).

    Returns:
        The panel frame (``panel.parquet``'s columns).
    """
    from analysis.compare.execution_findings import execution_frames
    from analysis.departments import match_departments

    if isinstance(source, dict):
        frames = source
    else:
        paths = [Path(p) for p in (source if isinstance(source, list) else [source])]
        folder = paths[0]
        if len(paths) == 1 and folder.is_dir() and (folder / "documents.parquet").exists():
            if (folder / "panel.parquet").exists() and departments is None:
                return pl.read_parquet(folder / "panel.parquet")
            from analysis.compare.pipeline import read_processed

            frames = read_processed(folder)
        else:
            from analysis.extract import extract_paths
            from analysis.read import discover

            frames = extract_paths(discover(paths))
    names = frames["documents"]["department"].to_list()
    return execution_frames(frames, match_departments(names, departments))["panel"]
