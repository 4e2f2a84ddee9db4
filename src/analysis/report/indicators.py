"""Indicators as the report reads them, and the few it can compute without the compare stage.

The contract with the compare stage (issue 6; its ``indicator_scores`` table) is a long frame,
one row per document and indicator. Required columns: ``doc_id``, ``indicator`` (ASCII code),
``value`` (Float64). Optional: ``department``, ``fiscal_year`` (joined from documents when
absent), ``title`` (Chinese name), ``unit`` (``ratio`` values are shown as percentages),
``peer_group`` (only rows of the same group, year and indicator are compared), ``flagged``
(the compare stage's outlier verdict), ``origin``. Other columns (robust_z, source …) are kept.

``with_peer_stats`` adds the peer median and quartiles and each value's position
``(value − median) / IQR`` for the charts. ``flagged`` stays the compare stage's verdict when
it gave one; for the stand-in it is "beyond the Tukey fences" (DOMAIN §6.5: medians and IQRs,
Q3 + 1.5 × IQR).
"""

from __future__ import annotations

import polars as pl

from analysis.report.labels import doc_kind_expr, indicator_specs, indicator_title

INDICATOR_COLUMNS = {"doc_id": pl.String, "department": pl.String, "fiscal_year": pl.Int64,
                     "indicator": pl.String, "title": pl.String, "value": pl.Float64,
                     "unit": pl.String, "peer_group": pl.String, "flagged": pl.Boolean, "origin": pl.String}
MIN_PEERS = 4  # fewer values than this give quartiles too unstable to call anything an outlier
_FENCE = 1.5


def empty_indicators() -> pl.DataFrame:
    return pl.DataFrame(schema=INDICATOR_COLUMNS)


def _readable(documents: pl.DataFrame) -> pl.DataFrame:
    return documents.filter((pl.col("status") != "failed") & pl.col("doc_id").is_not_null()
                            & pl.col("department").is_not_null() & pl.col("fiscal_year").is_not_null())


def _ratio(docs: pl.DataFrame, spec: dict[str, str]) -> pl.DataFrame:
    num, den = pl.col(spec["numerator"]), pl.col(spec["denominator"])
    return docs.filter(den.is_not_null() & (den > 0) & num.is_not_null()) \
        .select("doc_id", "department", "fiscal_year", "peer_group", (num / den).alias("value"))


def _growth(docs: pl.DataFrame, spec: dict[str, str]) -> pl.DataFrame:
    """Change on the same department's previous-year document of the same type (DOMAIN §6.2)."""
    column = spec["numerator"]
    keyed = docs.select("doc_id", "department", "fiscal_year", "peer_group", column) \
        .unique(["department", "peer_group", "fiscal_year"], keep="first", maintain_order=True)
    previous = keyed.select("department", "peer_group", (pl.col("fiscal_year") + 1).alias("fiscal_year"),
                            pl.col(column).alias("_previous"))
    joined = keyed.join(previous, on=["department", "peer_group", "fiscal_year"], how="inner",
                        maintain_order="left")
    return joined.filter(pl.col("_previous") > 0) \
        .select("doc_id", "department", "fiscal_year", "peer_group",
                (pl.col(column) / pl.col("_previous") - 1).alias("value"))


def headline_indicators(documents: pl.DataFrame) -> pl.DataFrame:
    """Structure ratios and growth from each document's headline figures (DOMAIN §6.1, §6.2).

    A stand-in used when the compare stage is unavailable; ``origin`` is ``headline``.
    """
    docs = _readable(documents).with_columns(  # peers: documents of one type (部门预算, 单位决算 …)
        doc_kind_expr(pl.col("doc_type").fill_null("?"), pl.col("level")).alias("peer_group"))
    parts = []
    for spec in indicator_specs():
        part = _growth(docs, spec) if spec["kind"] == "growth" else _ratio(docs, spec)
        parts.append(part.with_columns(pl.lit(spec["indicator"]).alias("indicator"),
                                       pl.lit(spec["title_zh"]).alias("title"),
                                       pl.lit(spec["unit"]).alias("unit")))
    if not parts:
        return empty_indicators()
    return conform(pl.concat(parts, how="diagonal").with_columns(pl.lit("headline").alias("origin")))


def conform(indicators: pl.DataFrame, documents: pl.DataFrame | None = None) -> pl.DataFrame:
    """Bring a compare-stage frame to the contract: required columns present, optional ones
    filled (department and year from ``documents``, titles from metadata), dtypes cast."""
    missing = {"doc_id", "indicator", "value"} - set(indicators.columns)
    if missing:
        raise ValueError(f"indicators frame lacks required columns {sorted(missing)}")
    df = indicators
    if documents is not None and not {"department", "fiscal_year"} <= set(df.columns):
        lookup = documents.select("doc_id", "department", "fiscal_year").unique("doc_id")
        df = df.drop([c for c in ("department", "fiscal_year") if c in df.columns]) \
            .join(lookup, on="doc_id", how="left", maintain_order="left")
    for name, dtype in INDICATOR_COLUMNS.items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(name))
    df = df.with_columns(*(pl.col(n).cast(t, strict=False) for n, t in INDICATOR_COLUMNS.items())) \
        .with_columns(pl.col("origin").fill_null("compare"))
    df = df.with_columns(pl.coalesce(pl.col("title"), pl.col("indicator").map_elements(
        indicator_title, return_dtype=pl.String)).alias("title"))
    return df.select(*INDICATOR_COLUMNS, *[c for c in df.columns if c not in INDICATOR_COLUMNS])


def with_peer_stats(indicators: pl.DataFrame) -> pl.DataFrame:
    """Add peer_n, peer_median (unless given), peer_q1, peer_q3 and position per row, and fill
    ``flagged`` with the Tukey-fence verdict where the compare stage gave none."""
    group = ["fiscal_year", "indicator", "peer_group"]
    value = pl.col("value")
    stats = indicators.with_columns(
        value.count().over(group).alias("peer_n"),
        value.quantile(0.25, interpolation="linear").over(group).alias("peer_q1"),
        value.quantile(0.75, interpolation="linear").over(group).alias("peer_q3"),
    )
    own_median = value.median().over(group)
    stats = stats.with_columns((pl.coalesce("peer_median", own_median) if "peer_median" in stats.columns
                                else own_median).alias("peer_median"))
    iqr = pl.col("peer_q3") - pl.col("peer_q1")
    enough = pl.col("peer_n") >= MIN_PEERS
    beyond = enough & ((value < pl.col("peer_q1") - _FENCE * iqr) | (value > pl.col("peer_q3") + _FENCE * iqr))
    # a verdict from the compare stage (null where it could not evaluate) is never second-guessed
    has_verdict = "flagged" in indicators.columns and indicators["flagged"].is_not_null().any()
    return stats.with_columns(
        pl.when(iqr > 0).then((value - value.median().over(group)) / iqr).alias("position"),
        (pl.col("flagged") if has_verdict else beyond).fill_null(False).alias("flagged"),
    )
