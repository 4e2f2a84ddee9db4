"""Output schemas built from metadata/schema.toml (extraction and checks) and
metadata/compare/schema.toml (comparison), and the data dictionary generated from them."""

from __future__ import annotations

from functools import cache

import polars as pl

from analysis.metadata import load_toml

_DTYPES = {
    "String": pl.String,
    "Int64": pl.Int64,
    "Float64": pl.Float64,
    "Boolean": pl.Boolean,
    "List(String)": pl.List(pl.String),
}
_FILES = ("schema.toml", "compare/schema.toml")


def _specs() -> list[dict]:
    return [t for name in _FILES for t in load_toml(name)["table"]]


@cache
def schema(table: str) -> pl.Schema:
    """The Polars schema of an output table."""
    spec = next(t for t in _specs() if t["name"] == table)
    return pl.Schema({c["name"]: _DTYPES[c["dtype"]] for c in spec["columns"]})


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Build an output frame with exactly the declared columns and dtypes."""
    if not rows:
        return empty(table)
    return pl.from_dicts(rows, schema=schema(table), strict=False)


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=schema(table))


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Exactly the declared columns, in order and dtype (absent ones as nulls)."""
    return df.select(
        pl.col(name).cast(dtype, strict=False) if name in df.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in schema(table).items()
    )


def data_dictionary() -> str:
    """Markdown describing every output table and column."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `src/analysis/metadata/schema.toml` and `metadata/compare/schema.toml` "
        "by `analysis dictionary`; "
        "do not edit by hand. Amounts are in 万元; the unit a document printed is kept in "
        "`source_unit`.",
        "",
    ]
    for spec in _specs():
        lines += [
            f"## {spec['name']}.parquet",
            "",
            spec["description"],
            "",
            "| column | type | unit | description |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c['name']}` | {c['dtype']} | {c.get('unit', '')} | {c['description']} |" for c in spec["columns"]
        ]
        lines.append("")
    return "\n".join(lines)
