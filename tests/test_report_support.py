"""Shared by the report and pipeline tests: one small synthetic district run per session.

Not a test module of its own (it holds no tests); the report, browser and pipeline tests
import ``small_run`` so the district is generated and screened once.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import polars as pl

from analysis.pipeline import RunResult, run
from analysis.synth import generate

DEPARTMENTS = 6
YEARS = (2024, 2025)


@cache
def small_run() -> tuple[Path, RunResult]:
    """(folder, result) of a run over a 6-department, 2-year district with planted anomalies."""
    root = Path(tempfile.mkdtemp(prefix="report-tests-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    generate(root / "raw", departments=DEPARTMENTS, years=YEARS, anomaly_rate=0.5, seed=3)
    return root, run([root / "raw"], root / "processed", root / "reports")


def peer_indicators(documents: pl.DataFrame) -> pl.DataFrame:
    """A compare-shaped indicator frame for report tests that build ``ReportData`` by hand: the
    spending total of every readable document as one indicator (the report computes none)."""
    docs = documents.filter(pl.col("doc_id").is_not_null() & pl.col("total_expenditure").is_not_null())
    return docs.select(
        "doc_id",
        "department",
        "fiscal_year",
        pl.lit("total_expenditure").alias("indicator"),
        pl.col("total_expenditure").cast(pl.Float64).alias("value"),
        pl.lit(False).alias("flagged"),
    )
