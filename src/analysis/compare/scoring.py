"""Robust z of every indicator within its peer group (DOMAIN §6.5), in long form.

For each indicator of ``metadata/compare/indicators.toml``: transform the values (log with an
offset), find each document's peer group on the lattice (the narrowest level whose group holds
``min_group_size`` comparable values), fit :class:`~analysis.compare.models.RobustZScore` on the
reference documents (one per department, year and type) with those groups, and score every
document. Rows that cannot be compared carry ``status = not_evaluated`` and the reason; they
never flag.

The work splits without changing a score along indicator × document type (every lattice level
keeps 预算 and 决算 apart; a finer split, by year, would not do: the widest level pools years):
:func:`scoring_partitions`, :func:`score_partition` and :func:`gather_scores` give the rows of
:func:`score_indicators` from tasks a Dask cluster can run (``bench/bench_indicators_dask.py``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.compare.indicators import indicator_specs
from analysis.compare.models import RobustZScore
from analysis.compare.peers import group_key, group_name, lattice, settings
from analysis.schema import conform

PARTITION_KEYS = ("doc_type",)
"""Documents that differ here are never peers, at any lattice level (``group_key``)."""
POSITION = "_position"
"""Column of a partition row's position in the whole indicators frame (its order in the scores)."""
_ID_COLUMNS = ["doc_id", "department", "department_id", "fiscal_year", "doc_type", "is_reference"]


def _transformed(spec: dict) -> pl.Expr:
    shifted = pl.col("value") + spec.get("offset", 0.0)
    if spec.get("transform", "log") == "log":
        return pl.when(shifted > 0).then(shifted.log()).otherwise(None)
    return shifted


def _choose_groups(frame: pl.DataFrame, min_size: int) -> pl.DataFrame:
    """Add peer_level, peer_key, peer_group and peer_size (comparable reference values)."""
    levels = lattice()
    usable = pl.col("is_reference") & pl.col("x").is_not_null()
    sized = frame
    for i, level in enumerate(levels):
        sized = sized.with_columns(group_key(level).alias(f"_key{i}"))
        counts = sized.filter(usable).group_by(f"_key{i}").agg(pl.len().alias(f"_n{i}"))
        sized = sized.join(counts, on=f"_key{i}", how="left").with_columns(pl.col(f"_n{i}").fill_null(0))
    chosen = pl.coalesce(*(pl.when(pl.col(f"_n{i}") >= min_size).then(pl.lit(i)) for i in range(len(levels))))
    sized = sized.with_columns(chosen.alias("_level"))

    def pick(prefix: str) -> pl.Expr:
        return pl.coalesce(*(pl.when(pl.col("_level") == i).then(pl.col(f"{prefix}{i}")) for i in range(len(levels))))

    names = pl.coalesce(*(pl.when(pl.col("_level") == i).then(group_name(level)) for i, level in enumerate(levels)))
    last = len(levels) - 1
    return sized.with_columns(
        pick("_key").alias("peer_key"),
        pick("_n").alias("peer_size"),
        names.alias("peer_group"),
        pl.col("_level")
        .replace_strict({i: lv["name"] for i, lv in enumerate(levels)}, default=None, return_dtype=pl.String)
        .alias("peer_level"),
        pl.col(f"_n{last}").alias("_widest"),
    ).drop([c for c in sized.columns if c.startswith("_n")])


def _reason(min_size: int) -> pl.Expr:
    return (
        pl.when(pl.col("value").is_null())
        .then(pl.lit("无此指标（缺少输入数据）"))
        .when(pl.col("x").is_null())
        .then(pl.lit("数值不大于零，不作对数比较"))
        .when(pl.col("peer_key").is_null())
        .then(pl.format("可比文档不足 {} 个（最宽分组仅 {} 个）", pl.lit(min_size), pl.col("_widest")))
        .otherwise(None)
    )


def score_indicator(indicators: pl.DataFrame, spec: dict, min_size: int) -> pl.DataFrame:
    """Long rows of one indicator: value, peer group, peer median, robust z, flag."""
    keys = sorted({k for level in lattice() for k in level["keys"]})
    frame = indicators.select(
        *_ID_COLUMNS,
        *[k for k in keys if k not in _ID_COLUMNS],
        pl.col(spec["name"]).alias("value"),
        pl.col("sources").alias("_sources"),
        *([POSITION] if POSITION in indicators.columns else []),
    )
    frame = _choose_groups(frame.with_columns(_transformed(spec).alias("x")), min_size)
    frame = frame.with_columns(_reason(min_size).alias("reason"))
    evaluable = frame["reason"].is_null().to_numpy()
    # Peers of a group are all comparable reference documents with that key at that lattice
    # level, whether or not they were themselves scored at this level (their own, narrower
    # group may have been large enough).
    usable = frame["is_reference"].fill_null(False).to_numpy() & frame["x"].is_not_null().to_numpy()
    level = frame["_level"].fill_null(-1).to_numpy()
    x = frame["x"].to_numpy().reshape(-1, 1).astype(float)
    z = np.full(frame.height, np.nan)
    median_parts: list[pl.DataFrame] = []
    for i in sorted(set(level[evaluable].tolist())):
        peer_keys = frame[f"_key{i}"].to_numpy()
        model = RobustZScore(threshold=spec["threshold"], side=spec["side"], min_scale=spec.get("min_scale", 0.0))
        model.fit(x[usable], groups=peer_keys[usable])
        rows = evaluable & (level == i)
        z[rows] = model.robust_z(x[rows], groups=peer_keys[rows])[:, 0]
        median_parts.append(
            frame.filter(pl.Series(usable))
            .group_by(f"_key{i}")
            .agg(pl.col("value").median().alias("peer_median"))
            .rename({f"_key{i}": "peer_key"})
        )
    medians = (
        pl.concat(median_parts)
        if median_parts
        else pl.DataFrame(schema={"peer_key": pl.String, "peer_median": pl.Float64})
    )
    watched = {"high": pl.col("robust_z"), "low": -pl.col("robust_z")}.get(spec["side"], pl.col("robust_z").abs())
    frame = frame.with_columns(pl.Series("robust_z", z).fill_nan(None)).join(medians, on="peer_key", how="left")
    no_value = pl.col("x").is_null()
    frame = frame.with_columns(
        *(
            pl.when(no_value).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("peer_level", "peer_group", "peer_size", "peer_median")
        )
    )
    frame = frame.drop([c for c in frame.columns if c.startswith("_key")])
    return frame.with_columns(
        pl.lit(spec["name"]).alias("indicator"),
        pl.lit(spec["title_zh"]).alias("title"),
        pl.lit(spec["unit"]).alias("unit"),
        pl.lit(spec["rule"]).alias("rule"),
        pl.lit(spec["side"]).alias("side"),
        pl.lit(float(spec["threshold"])).alias("threshold"),
        pl.when(pl.col("reason").is_null())
        .then(pl.lit("evaluated"))
        .otherwise(pl.lit("not_evaluated"))
        .alias("status"),
        (watched > spec["threshold"]).fill_null(False).alias("flagged"),
        pl.col("_sources").str.json_path_match(f"$.{spec['name']}").alias("source"),
    )


def score_indicators(indicators: pl.DataFrame, min_group_size: int | None = None) -> pl.DataFrame:
    """Scores of every declared indicator (the ``indicator_scores`` table)."""
    min_size = min_group_size or settings()["peers"]["min_group_size"]
    parts = [conform("indicator_scores", score_indicator(indicators, s, min_size)) for s in indicator_specs()]
    return pl.concat(parts) if parts else conform("indicator_scores", pl.DataFrame())


def scoring_partitions(indicators: pl.DataFrame) -> list[pl.DataFrame]:
    """The documents split by :data:`PARTITION_KEYS`, each row with its position in ``indicators``
    (so that :func:`gather_scores` puts the rows back in order)."""
    numbered = indicators.with_row_index(POSITION)
    return numbered.partition_by(list(PARTITION_KEYS), maintain_order=True) if numbered.height else [numbered]


def score_partition(partition: pl.DataFrame, indicator: str, min_group_size: int | None = None) -> pl.DataFrame:
    """The ``indicator_scores`` rows of one indicator over one of :func:`scoring_partitions`."""
    spec = next(s for s in indicator_specs() if s["name"] == indicator)
    min_size = min_group_size or settings()["peers"]["min_group_size"]
    scored = score_indicator(partition, spec, min_size)
    return conform("indicator_scores", scored).with_columns(scored[POSITION])


def gather_scores(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Rows of :func:`score_partition` for every partition and indicator, in any order → the
    frame :func:`score_indicators` returns (indicators in declared order, documents in input order)."""
    order = {s["name"]: i for i, s in enumerate(indicator_specs())}
    if not parts:
        return conform("indicator_scores", pl.DataFrame())
    rank = pl.col("indicator").replace_strict(order, return_dtype=pl.Int64)
    return pl.concat(parts).sort(rank, POSITION).drop(POSITION)
