"""What a report is made from: the frames of one run plus a few facts about the run.

The report renders what the stages produced and computes no comparison of its own: indicators,
the Benford tests and the budget-execution panel come from the compare stage (issue 16). When
that stage did not run or failed, they are empty and the report says so (``compare_status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.report.indicators import conform, empty_indicators, with_peer_stats
from analysis.schema import conform as conform_table
from analysis.schema import empty

COMPARE_OK = "ok"
COMPARE_UNAVAILABLE = "unavailable"


@dataclass(slots=True)
class ReportData:
    """Frames and run facts a report is rendered from.

    Attributes:
        documents, tables, line_items, findings: the stage outputs (schema.toml); the report
            never reads ``line_items``, so a run and :func:`load` give them as a lazy scan of the
            parquet file (``.collect()`` to read them).
        indicators: the compare contract of ``indicators.py`` (peer statistics are added on
            construction when absent); empty when the compare stage did not run.
        compare_status: ``ok``, ``unavailable`` (the compare stage did not run) or an error
            message from the compare stage.
        generated: the one timestamp a report shows (ISO format, set by the caller).
        sources: the input folders or files, as given.
        orphaned_reviews: stored reviews whose finding is not in this run (set by write_reports).
        benford: the compare stage's ``benford`` table (empty when it did not run).
        panel: the compare stage's budget-execution ``panel`` (empty when it did not run).
    """

    documents: pl.DataFrame
    tables: pl.DataFrame
    line_items: pl.DataFrame | pl.LazyFrame
    findings: pl.DataFrame
    indicators: pl.DataFrame
    compare_status: str = COMPARE_OK
    generated: str = ""
    sources: list[str] = field(default_factory=list)
    orphaned_reviews: int = 0
    benford: pl.DataFrame = field(default_factory=lambda: empty("benford"))
    panel: pl.DataFrame = field(default_factory=lambda: empty("panel"))

    def __post_init__(self) -> None:
        self.findings = conform_table("findings", self.findings)  # outputs of older runs lack review columns
        if "position" not in self.indicators.columns:
            self.indicators = with_peer_stats(conform(self.indicators, self.documents))


def load(processed_dir: str | Path, *, generated: str = "", compare_status: str = COMPARE_OK) -> ReportData:
    """Report data from a processed folder written by ``analysis run`` (for notebooks)."""
    folder = Path(processed_dir)

    def read(name: str) -> pl.DataFrame:
        path = folder / f"{name}.parquet"
        return pl.read_parquet(path) if path.is_file() else empty(name)

    indicators = None
    for name in ("indicator_scores", "indicators"):  # the long frame; indicators.parquet may be wide
        path = folder / f"{name}.parquet"
        if path.is_file() and "indicator" in pl.read_parquet_schema(path):
            indicators = pl.read_parquet(path)
            break
    if indicators is None or (
        "origin" in indicators.columns and indicators.height and indicators["origin"].eq("headline").all()
    ):  # older runs' stand-in
        indicators, compare_status = empty_indicators(), COMPARE_UNAVAILABLE
    return ReportData(
        read("documents"),
        read("tables"),
        pl.scan_parquet(folder / "line_items.parquet")
        if (folder / "line_items.parquet").is_file()
        else empty("line_items"),
        read("findings"),
        indicators,
        compare_status,
        generated,
        [str(folder)],
        benford=read("benford"),
        panel=read("panel"),
    )
