"""The indicator frame: one row per document, every measure with its inputs and their sources.

Structure ratios (DOMAIN §6.1), per-capita amounts (§6.3) and growth on the same department's
previous year (§6.2), as declared in ``metadata/compare/indicators.toml``. Inputs come from the
documents frame (headline figures and their ``figure_sources``), line items (project amounts by
item type), narrative texts, claims and targets (headcount). Growth compares with the
department's previous-year document of the same type; when the batch has none, the change the
narrative states (``与上年相比增加 X 万元``) stands in, and ``sources`` says so.

A per-capita figure needs a headcount above zero: with none, or a printed 0, it is null — never
0, which would read as "spends nothing per head".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import polars as pl

from analysis.compare.headcount import document_headcounts
from analysis.compare.inputs import Table, collect, has_columns, scan
from analysis.compare.items import item_amounts, item_json
from analysis.compare.peers import department_kind, main_function_class, representatives
from analysis.departments import match_departments
from analysis.metadata import load_toml

FIGURES = (
    "total_expenditure",
    "basic_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "project_expenditure",
    "three_public_total",
)
_NARRATIVE_GROWTH = {"total_expenditure": "expenditure_grand_total", "three_public_total": "three_public"}


@cache
def indicator_specs() -> tuple[dict, ...]:
    """The declared indicators, in file order."""
    return tuple(load_toml("compare/indicators.toml")["indicator"])


@cache
def input_labels() -> dict[str, str]:
    """Input column → Chinese name (messages)."""
    return load_toml("compare/indicators.toml")["input_labels"]


def spec(name: str) -> dict:
    return next(s for s in indicator_specs() if s["name"] == name)


def _item_keys() -> list[str]:
    return sorted({s["numerator"][5:] for s in indicator_specs() if s["numerator"].startswith("item:")})


def per_head(amount_wan: pl.Expr, headcount: pl.Expr) -> pl.Expr:
    """万元 per head in 元; null when the amount or a positive headcount is missing."""
    return pl.when(headcount > 0).then(amount_wan * 10_000 / headcount).otherwise(None)


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def growth(current: pl.Expr, previous: pl.Expr) -> pl.Expr:
    return pl.when(previous > 0).then(current / previous - 1).otherwise(None)


def identify_documents(documents: pl.DataFrame, line_items: Table, overrides=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Readable documents with department_id, region, level, kind and main function class;
    and the name → department_id table."""
    docs = documents.filter((pl.col("status") != "failed") & pl.col("doc_id").is_not_null())
    departments = match_departments(docs["department"].to_list(), overrides)
    departments = departments.with_columns(
        pl.col("core_name").map_elements(department_kind, return_dtype=pl.String).alias("department_kind")
    )
    base = docs.join(
        departments.select("name", "department_id", "region", "gov_level", "department_kind"),
        left_on="department",
        right_on="name",
        how="left",
    ).join(main_function_class(line_items), on="doc_id", how="left")
    base = base.with_columns(
        pl.coalesce("department_id", pl.lit("?")).alias("department_id"),
        pl.coalesce("gov_level", pl.lit("unknown")).alias("gov_level"),
    )
    counts = base.group_by("department").agg(
        pl.len().alias("n_documents"),
        pl.col("fiscal_year").unique().sort().cast(pl.String).str.join(",").alias("years"),
    )
    departments = departments.join(counts, left_on="name", right_on="department", how="left")
    return base, departments


def _narrative_previous(claims: Table) -> pl.DataFrame:
    """Previous-year amounts implied by the narrative's stated change (万元)."""
    columns: dict[str, pl.DataType] = {"doc_id": pl.String()}
    columns.update({f"_narr_{f}": pl.Float64() for f in _NARRATIVE_GROWTH})
    out = pl.Schema(columns)
    if not has_columns(claims, "doc_id", "claim_type", "subject", "direction", "value_wan"):
        return pl.DataFrame(schema=out)
    changes = collect(
        claims.lazy()
        .filter((pl.col("claim_type") == "change_amount") & pl.col("subject").is_in(list(_NARRATIVE_GROWTH.values())))
        .select("doc_id", "subject", "direction", "value_wan")
    )
    if changes.is_empty():
        return pl.DataFrame(schema=out)
    signed = (
        pl.when(pl.col("direction") == "down")
        .then(-pl.col("value_wan"))
        .when(pl.col("direction") == "up")
        .then(pl.col("value_wan"))
    )
    changes = (
        changes.with_columns(signed.alias("change"))
        .filter(pl.col("change").is_not_null())
        .unique(["doc_id", "subject"], keep="first", maintain_order=True)
    )
    wide = changes.pivot(on="subject", index="doc_id", values="change")
    for figure, subject in _NARRATIVE_GROWTH.items():
        name = f"_narr_{figure}"
        wide = (
            wide.rename({subject: name})
            if subject in wide.columns
            else wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
        )
    return wide.select(list(out)).cast(out)


def _previous(base: pl.DataFrame, claims: Table) -> pl.DataFrame:
    """prev_* figures: the previous-year document first, the narrative's change second."""
    reference = base.filter(representatives(base))
    previous = reference.select(
        "department_id",
        "doc_type",
        (pl.col("fiscal_year") + 1).alias("fiscal_year"),
        pl.col("doc_id").alias("prev_doc_id"),
        *(pl.col(f).alias(f"prev_{f}") for f in FIGURES),
    )
    joined = base.join(previous, on=["department_id", "doc_type", "fiscal_year"], how="left").join(
        _narrative_previous(claims), on="doc_id", how="left"
    )
    fills = []
    for figure in _NARRATIVE_GROWTH:
        narrated = pl.col(figure) - pl.col(f"_narr_{figure}")
        fills.append(pl.coalesce(pl.col(f"prev_{figure}"), narrated).alias(f"prev_{figure}"))
        fills.append(
            pl.when(pl.col(f"prev_{figure}").is_not_null())
            .then(pl.lit("上年文档"))
            .when(pl.col(f"_narr_{figure}").is_not_null())
            .then(pl.lit("本文档叙述的增减额"))
            .alias(f"_prev_source_{figure}")
        )
    return joined.with_columns(fills).drop([c for c in joined.columns if c.startswith("_narr_")])


def _indicator_exprs() -> list[pl.Expr]:
    exprs = []
    for s in indicator_specs():
        num = s["numerator"]
        num_col = pl.col(f"{num[5:]}_total") if num.startswith("item:") else pl.col(num)
        if s["kind"] == "ratio":
            exprs.append(ratio(num_col, pl.col(s["denominator"])).alias(s["name"]))
        elif s["kind"] == "per_head":
            exprs.append(per_head(num_col, pl.col("headcount")).alias(s["name"]))
        else:
            exprs.append(growth(num_col, pl.col(f"prev_{num}")).alias(s["name"]))
    return exprs


def _input(value: pl.Expr, source: pl.Expr) -> pl.Expr:
    return pl.struct(value.cast(pl.Float64).alias("value"), source.cast(pl.String).alias("source"))


def _figure(name: str) -> pl.Expr:
    return _input(pl.col(name), pl.col("figure_sources").str.json_path_match(f"$.{name}"))


def _sources_expr(columns: list[str]) -> pl.Expr:
    """JSON per document: for each indicator with a value, its inputs as {value, source}."""
    fields = []
    for s in indicator_specs():
        num = s["numerator"]
        if num.startswith("item:"):
            key = num[5:]
            inputs = {f"{key}_total": _input(pl.col(f"{key}_total"), pl.col(f"{key}_source"))}
        else:
            inputs = {num: _figure(num)}
        if s["kind"] == "ratio":
            inputs[s["denominator"]] = _figure(s["denominator"])
        elif s["kind"] == "per_head":
            inputs["headcount"] = _input(pl.col("headcount"), pl.col("headcount_source"))
        else:
            how = pl.col(f"_prev_source_{num}") if f"_prev_source_{num}" in columns else pl.lit(None, dtype=pl.String)
            where = pl.concat_str(
                [pl.coalesce(how, pl.lit("上年文档")), pl.col("prev_doc_id")], separator=" ", ignore_nulls=True
            )
            inputs[f"prev_{num}"] = _input(pl.col(f"prev_{num}"), where)
        fields.append(
            pl.when(pl.col(s["name"]).is_not_null())
            .then(pl.struct(*[e.alias(k) for k, e in inputs.items()]))
            .alias(s["name"])
        )
    return pl.struct(fields).struct.json_encode().alias("sources")


def derive_indicators(base: pl.DataFrame, claims: Table) -> pl.DataFrame:
    """Indicators from a frame of documents with their figures, identity, headcount and item
    totals and sources (``{item}_total``, ``{item}_source``): previous-year figures, every
    declared indicator, and the JSON of inputs and sources."""
    for key in _item_keys():
        for suffix, dtype in (("_total", pl.Float64), ("_source", pl.String)):
            if f"{key}{suffix}" not in base.columns:
                base = base.with_columns(pl.lit(None, dtype=dtype).alias(f"{key}{suffix}"))
    for name, column_type in (("headcount", pl.Int64), ("headcount_source", pl.String), ("figure_sources", pl.String)):
        if name not in base.columns:
            base = base.with_columns(pl.lit(None, dtype=column_type).alias(name))
    wide = _previous(base, claims).with_columns(_indicator_exprs())
    wide = wide.with_columns(representatives(wide), _sources_expr(wide.columns))
    from analysis.schema import conform

    return conform("indicators", wide)


def build_indicators(frames: Mapping[str, pl.DataFrame], overrides=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(indicators, departments) from extracted frames; see the module docstring. The large
    tables are read as lazy scans (``compare/inputs.py``): each step loads its own rows only."""
    line_items, claims = scan(frames, "line_items"), scan(frames, "claims")
    base, departments = identify_documents(frames["documents"], line_items, overrides)
    heads = document_headcounts(base, scan(frames, "texts"), claims, scan(frames, "targets"))
    amounts = item_amounts(line_items, base)
    base = base.join(heads, on="doc_id", how="left").join(item_json(amounts), on="doc_id", how="left")
    for key in _item_keys():
        part = amounts.filter(pl.col("item_type") == key).select(
            "doc_id", pl.col("amount").alias(f"{key}_total"), pl.col("source").alias(f"{key}_source")
        )
        base = base.join(part, on="doc_id", how="left")
    from analysis.schema import conform

    return derive_indicators(base, claims), conform("departments", departments)
