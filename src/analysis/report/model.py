"""What a report is made from: the frames of one run plus a few facts about the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.report.indicators import conform, with_peer_stats
from analysis.schema import conform as conform_table
from analysis.schema import empty

COMPARE_OK = "ok"
COMPARE_UNAVAILABLE = "unavailable"


@dataclass(slots=True)
class ReportData:
    """Frames and run facts a report is rendered from.

    Attributes:
        documents, tables, line_items, findings: the stage outputs (schema.toml).
        indicators: the compare contract of ``indicators.py`` (peer statistics are added on
            construction when absent).
        compare_status: ``ok``, ``unavailable`` (module missing; indicators are the headline
            stand-in) or an error message from the compare stage.
        generated: the one timestamp a report shows (ISO format, set by the caller).
        sources: the input folders or files, as given.
        orphaned_reviews: stored reviews whose finding is not in this run (set by write_reports).
    """

    documents: pl.DataFrame
    tables: pl.DataFrame
    line_items: pl.DataFrame
    findings: pl.DataFrame
    indicators: pl.DataFrame
    compare_status: str = COMPARE_OK
    generated: str = ""
    sources: list[str] = field(default_factory=list)
    orphaned_reviews: int = 0

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
    if indicators is None:
        from analysis.report.indicators import headline_indicators

        indicators = headline_indicators(read("documents"))
    if "origin" in indicators.columns and indicators["origin"].eq("headline").all():
        compare_status = COMPARE_UNAVAILABLE  # only the report's own stand-in was computed
    return ReportData(read("documents"), read("tables"), read("line_items"), read("findings"),
                      indicators, compare_status, generated, [str(folder)])
