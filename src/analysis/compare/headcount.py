"""Staff numbers printed in a document, with their source and how far to trust them (DOMAIN §6.4).

Sources, best first: the 人员情况 of a final account's 概况 or a budget's 单位构成 paragraph
("本部门编制 26 人，实有在职人员 21 人，退休人员 10 人", §6.4 (1)(2)), then performance targets
such as "工作人员数量 ≥80人" (§6.4 (3), often inconsistent and may count seconded or outsourced
staff: S16). The phrasing is data (``metadata/compare/headcount_patterns.csv`` and
``headcount_targets.csv``). Payroll-based estimates (§6.4 (6)) are deliberately not used: they
give orders of magnitude only.

A printed 0 stays 0 here; whoever divides by a headcount must treat 0 and null alike (no
per-capita figure), which :func:`analysis.compare.indicators.per_head` does.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import polars as pl

from analysis.compare.inputs import Table, collect, has_columns

KIND_PREFERENCE = ("in_service", "authorised", "actual_total", "target_staff")
"""Which count a per-capita figure divides by, best first (§6.3: 在职 staff; retirees never)."""
RELIABILITY_ORDER = ("high", "medium", "low")

HEADCOUNT_SCHEMA = {
    "doc_id": pl.String,
    "headcount": pl.Int64,
    "headcount_kind": pl.String,
    "headcount_reliability": pl.String,
    "headcount_source": pl.String,
    "headcount_candidates": pl.String,
}


@cache
def _text_patterns() -> tuple[tuple[re.Pattern, str, str, str], ...]:
    from analysis.metadata import load_csv

    return tuple(
        (
            re.compile(rf"(?P<label>{row['label_regex']})\s*[:：]?\s*(?P<n>\d{{1,6}})\s*(?:人|名)(?!次)"),
            row["headcount_kind"],
            row["reliability_final"],
            row["reliability_budget"],
        )
        for row in load_csv("compare/headcount_patterns.csv")
    )


@cache
def _target_patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    from analysis.metadata import load_csv

    return tuple(
        (re.compile(row["indicator_regex"]), row["headcount_kind"], row["reliability"])
        for row in load_csv("compare/headcount_targets.csv")
    )


def where_text(line, page) -> str:
    """第N页第M行 for PDFs (line within the page), 第M行 for text files."""
    parts = ([f"第{page}页"] if page is not None else []) + ([f"第{line}行"] if line is not None else [])
    return "".join(parts) or "位置不明"


def text_candidates(doc_type: str | None, text: str, line=None, page=None) -> list[dict]:
    """Staff counts stated in one paragraph: kind, value, reliability and the words used."""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind, final, budget in _text_patterns():
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue  # 离退休人员 read as retired is not read again as something else
            taken.append(span)
            found.append(
                {
                    "kind": kind,
                    "value": int(match.group("n")),
                    "reliability": final if doc_type == "final_account" else budget,
                    "source": f"{where_text(line, page)}：{match.group(0)}",
                }
            )
    return found


def target_candidates(rows: list[dict]) -> list[dict]:
    """Staff counts from performance targets (one candidate per distinct value, most common first)."""
    values: Counter[int] = Counter()
    where: dict[int, str] = {}
    for row in rows:
        if row.get("unit") != "人" or row.get("value") is None:
            continue
        for pattern, _kind, _reliability in _target_patterns():
            if pattern.search(row.get("indicator") or ""):
                value = int(row["value"])
                values[value] += 1
                where.setdefault(
                    value,
                    f"绩效目标“{row.get('project_name') or '整体'}”"
                    f"{row['indicator']} {row.get('raw_value') or value}"
                    f"（{where_text(row.get('line'), row.get('page'))}）",
                )
                break
    ranked = sorted(values.items(), key=lambda kv: (-kv[1], -kv[0]))
    return [
        {
            "kind": "target_staff",
            "value": value,
            "reliability": "low",
            "source": where[value] + (f"；另有 {len(ranked) - 1} 个不同的人数" if len(ranked) > 1 else ""),
        }
        for value, _ in ranked[:1]
    ]


def choose(candidates: list[dict]) -> dict | None:
    """The candidate per-capita figures should divide by: 在职 before 编制 before targets."""
    usable = [c for c in candidates if c["kind"] in KIND_PREFERENCE]
    if not usable:
        return None
    return min(usable, key=lambda c: (KIND_PREFERENCE.index(c["kind"]), RELIABILITY_ORDER.index(c["reliability"])))


def _rows_by_doc(df: Table, columns: list[str], keep: pl.Expr) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    if not has_columns(df, *columns):
        return grouped
    for row in collect(df.lazy().filter(keep).select(columns)).iter_rows(named=True):
        grouped.setdefault(row["doc_id"], []).append(row)
    return grouped


def document_headcounts(documents: pl.DataFrame, texts: Table, claims: Table, targets: Table) -> pl.DataFrame:
    """One row per document: the headcount per-capita figures use, its kind, source, reliability.

    Paragraphs come from ``texts``; a document without texts rows falls back to its claims'
    sentences (the same narrative, cut into sentences). The tables may be lazy scans: only the
    paragraphs and claims that mention people, and the targets counted in 人, are read.
    """
    import json

    mentions = pl.col("text").str.contains(r"\d\s*[人名]")
    paragraphs = _rows_by_doc(texts, ["doc_id", "text", "line", "page"], (pl.col("kind") == "paragraph") & mentions)
    with_texts = (
        collect(texts.lazy().select(pl.col("doc_id").unique()))["doc_id"]
        if has_columns(texts, "doc_id")
        else pl.Series("doc_id", [], pl.String)
    )
    if has_columns(claims, "doc_id", "sentence", "line", "page"):
        claim_text = (
            claims.lazy()
            .select("doc_id", "sentence", "line", "page")
            .filter(~pl.col("doc_id").is_in(with_texts.implode()))
            .unique(["doc_id", "sentence"], maintain_order=True)
            .rename({"sentence": "text"})
        )
        for doc_id, rows in _rows_by_doc(claim_text, ["doc_id", "text", "line", "page"], mentions).items():
            paragraphs.setdefault(doc_id, rows)
    target_rows = _rows_by_doc(
        targets,
        ["doc_id", "indicator", "raw_value", "value", "unit", "project_name", "line", "page"],
        pl.col("unit") == "人",
    )
    out = []
    for doc_id, doc_type in documents.select("doc_id", "doc_type").iter_rows():
        candidates = []
        for row in paragraphs.get(doc_id, []):
            candidates += text_candidates(doc_type, row["text"], row["line"], row["page"])
        candidates += target_candidates(target_rows.get(doc_id, []))
        best = choose(candidates)
        out.append(
            {
                "doc_id": doc_id,
                "headcount": best["value"] if best else None,
                "headcount_kind": best["kind"] if best else None,
                "headcount_reliability": best["reliability"] if best else None,
                "headcount_source": best["source"] if best else None,
                "headcount_candidates": json.dumps(candidates, ensure_ascii=False) if candidates else None,
            }
        )
    return pl.DataFrame(out, schema=HEADCOUNT_SCHEMA)
