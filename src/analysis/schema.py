"""Output schemas built from metadata/schema.toml, and the data dictionary generated from it."""

from __future__ import annotations

from functools import cache

import polars as pl

from analysis.metadata import load_toml

_DTYPES = {"String": pl.String, "Int64": pl.Int64, "Float64": pl.Float64, "Boolean": pl.Boolean}


@cache
def schema(table: str) -> pl.Schema:
    """The Polars schema of an output table."""
    spec = next(t for t in load_toml("schema.toml")["table"] if t["name"] == table)
    return pl.Schema({c["name"]: _DTYPES[c["dtype"]] for c in spec["columns"]})


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Build an output frame with exactly the declared columns and dtypes."""
    if not rows:
        return empty(table)
    return pl.from_dicts(rows, schema=schema(table), strict=False)


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=schema(table))


def data_dictionary() -> str:
    """Markdown describing every output table and column."""
    lines = ["# Data dictionary", "",
             "Generated from `src/analysis/metadata/schema.toml` by `analysis dictionary`; "
             "do not edit by hand. Amounts are in 万元; the unit a document printed is kept in "
             "`source_unit`.", ""]
    for spec in load_toml("schema.toml")["table"]:
        lines += [f"## {spec['name']}.parquet", "", spec["description"], "",
                  "| column | type | unit | description |", "|---|---|---|---|"]
        lines += [f"| `{c['name']}` | {c['dtype']} | {c.get('unit', '')} | {c['description']} |"
                  for c in spec["columns"]]
        lines.append("")
    return "\n".join(lines)
