"""Frame shaping shared by the HTML report, the workbook and the markdown summary, so the
three list findings and documents in the same order."""

from __future__ import annotations

from typing import cast

import polars as pl

from analysis.vocab import SEVERITIES

_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def file_name(path: pl.Expr) -> pl.Expr:
    """The last component of a path (works for / and \\ separators)."""
    return path.str.replace(r"^.*[/\\]", "")


def reviewed_false(findings: pl.DataFrame) -> pl.Expr:
    """True for findings the auditor judged false alarms (kept and shown, counted apart)."""
    if "review_verdict" not in findings.columns:
        return pl.lit(False)
    return pl.col("review_verdict").eq("false").fill_null(False)


def ranked_findings(findings: pl.DataFrame) -> pl.DataFrame:
    """Findings by severity, then what is at stake (amount_at_stake, largest first; findings
    with no amount after those with one), then department, year, file, position and rule; those
    the auditor judged false come last. Adds ``file``.

    The order is total (every column that distinguishes two findings takes part), so two runs
    over the same documents list findings identically.
    """
    ranked = findings.with_columns(
        file_name(pl.col("path")).alias("file"),
        reviewed_false(findings).alias("_false"),
        pl.col("severity")
        .replace_strict(_SEVERITY_ORDER, default=len(SEVERITIES), return_dtype=pl.Int64)
        .alias("_rank"),
        (-pl.col("amount_at_stake") if "amount_at_stake" in findings.columns else pl.lit(None, dtype=pl.Float64)).alias(
            "_stake"
        ),
    )
    keys = [
        "_false",
        "_rank",
        "_stake",
        "department",
        "fiscal_year",
        "file",
        "line",
        "page",
        "rule",
        "table_kind",
        "row_label",
        "column",
        "message",
    ]
    return ranked.sort(keys, nulls_last=True, maintain_order=True).drop("_false", "_rank", "_stake")


def ranked_documents(documents: pl.DataFrame, findings: pl.DataFrame | None = None) -> pl.DataFrame:
    """Documents by department, year and file, with ``file`` and ``n_findings``."""
    findings = findings if findings is not None else pl.DataFrame(schema={"doc_id": pl.String})
    counts = findings.group_by("doc_id").agg(pl.len().cast(pl.Int64).alias("n_findings"))
    return (
        documents.with_columns(file_name(pl.col("path")).alias("file"))
        .join(counts, on="doc_id", how="left", maintain_order="left")
        .with_columns(pl.col("n_findings").fill_null(0))
        .sort(["department", "fiscal_year", "file", "path"], nulls_last=True, maintain_order=True)
    )


def severity_counts(findings: pl.DataFrame) -> dict[str, int]:
    """Findings per severity, every severity present (0 when none); findings the auditor
    judged false are not counted (see :func:`false_count`)."""
    findings = findings.filter(~reviewed_false(findings))
    counts = dict(findings.group_by("severity").len().iter_rows()) if findings.height else {}
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def false_count(findings: pl.DataFrame) -> int:
    """Findings the auditor judged false alarms."""
    return findings.filter(reviewed_false(findings)).height


def departments(documents: pl.DataFrame) -> list[str]:
    """Department names in sorted order (documents with no department read are left out)."""
    return sorted(documents["department"].drop_nulls().unique().to_list())


def latest_year(indicators: pl.DataFrame) -> int | None:
    years = indicators["fiscal_year"].drop_nulls()
    return int(cast(int, years.max())) if years.len() else None
