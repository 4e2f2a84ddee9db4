"""The per-document views rules read (issue 14) agree with the frames they are built from, and
the runner's Python ordering of a document's findings is the Polars ordering."""

from __future__ import annotations

import random

import polars as pl

from analysis.check.checklist import _PAIRS, _unbalanced
from analysis.check.context import DocContext, as_dicts
from analysis.check.registry import SEVERITIES
from analysis.check.runner import sort_findings
from analysis.check.tolerance import Tolerance
from analysis.schema import frame


def _polars_order(df: pl.DataFrame) -> pl.DataFrame:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return (
        df.with_columns(pl.col("severity").replace_strict(order, return_dtype=pl.Int64).alias("_s"))
        .sort(["_s", "path", "rule", "line", "page"], nulls_last=True, maintain_order=True)
        .drop("_s")
    )


def test_findings_sorted_in_python_as_polars_sorts_them():
    rng = random.Random(14)
    for _ in range(200):
        n = rng.randint(2, 40)
        df = pl.DataFrame(
            {
                "severity": [rng.choice(SEVERITIES) for _ in range(n)],
                "path": [rng.choice([None, "a", "b", "é", "中", "Z"]) for _ in range(n)],
                "rule": [rng.choice([None, "r1", "r2", "x-y"]) for _ in range(n)],
                "line": [rng.choice([None, 1, 2, 10, -3]) for _ in range(n)],
                "page": [rng.choice([None, 1, 3]) for _ in range(n)],
                "id": list(range(n)),
            },
            schema={"severity": pl.String, "path": pl.String, "rule": pl.String, "line": pl.Int64, "page": pl.Int64}
            | {"id": pl.Int64},
        )
        assert sort_findings(df).equals(_polars_order(df))


def _item(table_index, kind, row_index, column, amount, **extra):
    return {
        "doc_id": "d",
        "table_index": table_index,
        "table_kind": kind,
        "row_index": row_index,
        "column": column,
        "amount": amount,
        "raw_value": None if amount is None else f"{amount:.2f}",
        **extra,
    }


def test_views_match_the_frames():
    items = frame(
        "line_items",
        [
            _item(2, "expenditure_summary", 0, "total", 5.0, row_role="total"),
            _item(2, "expenditure_summary", 0, "basic", None, row_role="total"),
            _item(1, "expenditure_summary", 1, "total", 3.0, row_role="total"),  # the first table: index 1
            _item(3, "project_expenditure", 0, "total", 1.0, row_role="item"),
        ],
    )
    ctx = DocContext(
        {"doc_id": "d"},
        items,
        frame("tables", []),
        *(frame(n, []) for n in ("claims", "targets", "texts")),
        Tolerance(),
    )
    assert ctx.item_rows == items.to_dicts() == as_dicts(items)
    assert [r["table_index"] for r in ctx.rows("expenditure_summary")] == [1]
    assert [r["table_index"] for r in ctx.items_by_kind["expenditure_summary"]] == [2, 2, 1]
    assert ctx.value("expenditure_summary", "total", row_role="total")[0] == 3.0
    assert ctx.value("expenditure_summary", "basic", row_role="total") is None  # blank cells are no value
    assert ctx.rows("absent") == [] and ctx.table_rows == [] and ctx.claim_dicts == []


def _first_unbalanced_char_by_char(text: str):
    """The per-character reading unbalanced-marks had before it scanned only the marks."""
    for k, (open_, close) in enumerate(_PAIRS):
        stack: list[int] = []
        at = None
        for i, ch in enumerate(text):
            if ch in open_:
                stack.append(i)
            elif ch in close:
                if not stack:
                    at = i
                    break
                stack.pop()
        at = at if at is not None else (stack[-1] if stack else None)
        if at is not None:
            return k, at
    return None


def test_unbalanced_marks_scan_agrees_with_a_character_walk():
    rng = random.Random(6)
    alphabet = "（(）)“”《》【】ab中文，。 .[]^-\\"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _unbalanced(text) == _first_unbalanced_char_by_char(text), text
