"""Indicators as the report reads them: the compare stage's long frame, brought to one contract.

The contract with the compare stage (issue 6; its ``indicator_scores`` table) is a long frame,
one row per document and indicator. Required columns: ``doc_id``, ``indicator`` (ASCII code),
``value`` (Float64). Optional: ``department``, ``fiscal_year`` (joined from documents when
absent), ``title`` (Chinese name), ``unit`` (``ratio`` values are shown as percentages),
``peer_group`` (only rows of the same group, year and indicator are compared), ``flagged``
(the compare stage's outlier verdict), ``origin``. Other columns (robust_z, source …) are kept.

``with_peer_stats`` adds the peer median and quartiles and each value's position
``(value − median) / IQR`` for the charts. ``flagged`` is the compare stage's verdict (its
outlier models and thresholds, ``metadata/compare/settings.toml``); the report judges nothing
itself, so where compare gave no verdict a value is not flagged.
"""

from __future__ import annotations

import polars as pl

from analysis.report.labels import indicator_title

INDICATOR_COLUMNS = {
    "doc_id": pl.String,
    "department": pl.String,
    "fiscal_year": pl.Int64,
    "indicator": pl.String,
    "title": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "peer_group": pl.String,
    "flagged": pl.Boolean,
    "origin": pl.String,
}


def empty_indicators() -> pl.DataFrame:
    return pl.DataFrame(schema=INDICATOR_COLUMNS)


def conform(indicators: pl.DataFrame, documents: pl.DataFrame | None = None) -> pl.DataFrame:
    """Bring a compare-stage frame to the contract: required columns present, optional ones
    filled (department and year from ``documents``, titles from metadata), dtypes cast."""
    missing = {"doc_id", "indicator", "value"} - set(indicators.columns)
    if missing:
        raise ValueError(f"indicators frame lacks required columns {sorted(missing)}")
    df = indicators
    if documents is not None and not {"department", "fiscal_year"} <= set(df.columns):
        lookup = documents.select("doc_id", "department", "fiscal_year").unique("doc_id")
        df = df.drop([c for c in ("department", "fiscal_year") if c in df.columns]).join(
            lookup, on="doc_id", how="left", maintain_order="left"
        )
    for name, dtype in INDICATOR_COLUMNS.items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(name))
    df = df.with_columns(*(pl.col(n).cast(t, strict=False) for n, t in INDICATOR_COLUMNS.items())).with_columns(
        pl.col("origin").fill_null("compare")
    )
    df = df.with_columns(
        pl.coalesce(pl.col("title"), pl.col("indicator").map_elements(indicator_title, return_dtype=pl.String)).alias(
            "title"
        )
    )
    return df.select(*INDICATOR_COLUMNS, *[c for c in df.columns if c not in INDICATOR_COLUMNS])


def with_peer_stats(indicators: pl.DataFrame) -> pl.DataFrame:
    """Add peer_n, peer_median (unless given), peer_q1, peer_q3 and position per row (the
    charts' scale); ``flagged`` stays the compare stage's verdict (false where it gave none)."""
    group = ["fiscal_year", "indicator", "peer_group"]
    value = pl.col("value")
    stats = indicators.with_columns(
        value.count().over(group).alias("peer_n"),
        value.quantile(0.25, interpolation="linear").over(group).alias("peer_q1"),
        value.quantile(0.75, interpolation="linear").over(group).alias("peer_q3"),
    )
    own_median = value.median().over(group)
    stats = stats.with_columns(
        (pl.coalesce("peer_median", own_median) if "peer_median" in stats.columns else own_median).alias("peer_median")
    )
    iqr = pl.col("peer_q3") - pl.col("peer_q1")
    return stats.with_columns(
        pl.when(iqr > 0).then((value - value.median().over(group)) / iqr).alias("position"),
        pl.col("flagged").fill_null(False).alias("flagged"),
    )
