"""The compare stage end to end: extracted frames → indicators, scores and outlier findings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from analysis.atomic_files import atomic_path, write_parquet
from analysis.compare.benford import benford_tests
from analysis.compare.execution_findings import execution_frames
from analysis.compare.findings import outlier_findings
from analysis.compare.foreign_names import foreign_mentions
from analysis.compare.indicators import build_indicators
from analysis.compare.inputs import collect, scan
from analysis.compare.multivariate import multivariate_outliers
from analysis.compare.repeated import distinctive_amounts, shared_amounts
from analysis.compare.scoring import score_indicators
from analysis.compare.text_reuse import narrative_reuse, narrative_sentences
from analysis.schema import empty, schema

logger = logging.getLogger(__name__)
INPUT_TABLES = ("documents", "tables", "line_items", "claims", "targets", "texts")
OUTPUT_FILES = {
    "indicators": "indicators.parquet",
    "findings": "findings_outliers.parquet",
    "indicator_scores": "indicator_scores.parquet",
    "departments": "departments.parquet",
    "benford": "benford.parquet",
    "evaluations": "evaluations_outliers.parquet",
    "panel": "panel.parquet",
}


def _status(evaluated: pl.Expr, failed: pl.Expr) -> pl.Expr:
    return (
        pl.when(failed).then(pl.lit("failed")).when(evaluated).then(pl.lit("passed")).otherwise(pl.lit("not_evaluated"))
    )


def evaluations(indicators, scores, mv, texts, distinctive, benford, findings) -> pl.DataFrame:
    """One row per document and outlier rule: passed, failed or not_evaluated."""
    counts = findings.group_by("doc_id", "rule").agg(pl.len().alias("n_findings"))
    per_indicator = scores.group_by("doc_id", "rule").agg(
        (pl.col("status") == "evaluated").any().alias("evaluated"), pl.col("flagged").any().alias("failed")
    )
    docs = indicators.select("doc_id", "department_id")
    with_narrative = (
        texts.filter(pl.col("kind") == "paragraph")["doc_id"].unique().implode()
        if not texts.is_empty()
        else pl.Series([], dtype=pl.String).implode()
    )
    pools = (
        benford.filter(pl.col("verdict") != "not_evaluated")
        .group_by("pool")
        .agg((pl.col("verdict") == "nonconformity").any().alias("failed"))
    )
    flagged = findings.select("doc_id", "rule").unique().with_columns(pl.lit(True).alias("has"))
    other = [
        docs.select(
            "doc_id",
            pl.lit("outlier-multivariate").alias("rule"),
            pl.col("doc_id").is_in(mv["doc_id"].implode()).alias("evaluated"),
        ),
        docs.select(
            "doc_id",
            pl.lit("outlier-copied-narrative").alias("rule"),
            pl.col("doc_id").is_in(with_narrative).alias("evaluated"),
        ),
        docs.select(
            "doc_id",
            pl.lit("outlier-repeated-amount").alias("rule"),
            pl.col("doc_id").is_in(distinctive["doc_id"].unique().implode()).alias("evaluated"),
        ),
    ]
    other = (
        pl.concat(other)
        .join(flagged, on=["doc_id", "rule"], how="left")
        .with_columns(pl.col("has").fill_null(False).alias("failed"))
        .drop("has")
    )
    benford_rows = docs.join(pools, left_on="department_id", right_on="pool", how="left").select(
        "doc_id",
        pl.lit("outlier-benford").alias("rule"),
        pl.col("failed").is_not_null().alias("evaluated"),
        pl.col("failed").fill_null(False),
    )
    rows = (
        pl.concat([per_indicator, other, benford_rows], how="diagonal")
        .join(counts, on=["doc_id", "rule"], how="left")
        .with_columns(_status(pl.col("evaluated"), pl.col("failed")).alias("status"), pl.col("n_findings").fill_null(0))
    )
    if not rows.height:
        return empty("evaluations")
    return rows.select(pl.col(name).cast(dtype) for name, dtype in schema("evaluations").items())


def _release(frames: Mapping[str, pl.DataFrame], *names: str) -> None:
    """Let go of tables no later step reads, when ``frames`` can (``engine/stored.py``): the
    narrative reuse search then runs without the line items beside it."""
    release = getattr(frames, "release", None)
    if release is not None:
        release(*names)


def compare_frames(frames: Mapping[str, pl.DataFrame], overrides: str | Path | None = None) -> dict[str, pl.DataFrame]:
    """Indicators, their peer scores, department matches, Benford tests, outlier findings and
    per-rule evaluations from the frames ``analysis extract`` writes.

    ``frames`` may be a plain dict of DataFrames or a mapping that can scan its tables
    (``engine/stored.py``): each step then reads the columns and rows it uses, never a whole
    extraction table (issue 14). The steps that read line items, claims and targets run first,
    and whatever a mapping loaded is released before the narrative reuse search (the largest
    step)."""
    indicators, departments = build_indicators(frames, overrides)
    scores = score_indicators(indicators)
    mv = multivariate_outliers(scores, indicators)
    line_items = scan(frames, "line_items")
    distinctive = distinctive_amounts(line_items, indicators)
    repeats = shared_amounts(distinctive)
    benford = benford_tests(line_items, indicators)
    execution = execution_frames(frames, departments)
    _release(frames, "line_items", "claims", "targets", "tables")
    sentences = narrative_sentences(scan(frames, "texts"), indicators)
    # all the evaluations read of the texts: which documents have narrative paragraphs
    texts = collect(scan(frames, "texts").filter(pl.col("kind") == "paragraph").select("doc_id", "kind").unique())
    _release(frames, "texts")
    reuse = narrative_reuse(sentences)
    foreign = foreign_mentions(sentences)
    findings = outlier_findings(indicators, scores, mv, reuse, foreign, repeats, benford)
    findings = pl.concat([findings, execution["findings"]], how="vertical_relaxed")
    evaluated = evaluations(indicators, scores, mv, texts, distinctive, benford, findings)
    logger.info("compare: %d documents, %d outlier findings", indicators.height, findings.height)
    return {
        "indicators": indicators,
        "findings": findings,
        "indicator_scores": scores,
        "departments": departments,
        "benford": benford,
        "evaluations": evaluated,
        "panel": execution["panel"],
    }


def read_processed(folder: str | Path) -> dict[str, pl.DataFrame]:
    """The parquet files ``analysis extract --out`` wrote (a missing one reads as empty)."""
    folder = Path(folder)
    out = {}
    for name in INPUT_TABLES:
        path = folder / f"{name}.parquet"
        out[name] = pl.read_parquet(path) if path.exists() else empty(name)
    if not (folder / "documents.parquet").exists():
        raise FileNotFoundError(f"{folder}: documents.parquet not found (run analysis extract --out first)")
    return out


def write_outputs(results: dict[str, pl.DataFrame], folder: str | Path) -> list[Path]:
    """The compare stage's files into ``folder``, each under a temporary name renamed into place
    (a failed write leaves the previous file whole)."""
    folder = Path(folder)
    written = []
    for name, file_name in OUTPUT_FILES.items():
        target = folder / file_name
        write_parquet(results[name], target)
        written.append(target)
    # The department matches also as CSV: copy its name,department_id columns, edit the ids and
    # pass the file back with --departments to override a match.
    target = folder / "departments.csv"
    with atomic_path(target) as temp:
        results["departments"].write_csv(temp)
    written.append(target)
    return written
