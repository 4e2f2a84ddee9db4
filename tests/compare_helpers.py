"""Tiny extracted-frame builders for the compare-stage tests (tests/test_compare_*.py)."""

from __future__ import annotations

import json

import polars as pl

from analysis.schema import frame

FIGURES = (
    "total_expenditure",
    "basic_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "project_expenditure",
    "three_public_total",
)


def document(
    doc_id: str,
    department: str,
    year: int,
    *,
    total=100.0,
    personnel=60.0,
    public=10.0,
    project=30.0,
    three_public=1.0,
    doc_type="budget",
    **extra,
) -> dict:
    """A documents row with consistent headline figures and their sources."""
    figures = {
        "total_expenditure": total,
        "basic_expenditure": personnel + public,
        "personnel_expenditure": personnel,
        "public_expenditure": public,
        "project_expenditure": project,
        "three_public_total": three_public,
    }
    return {
        "doc_id": doc_id,
        "path": f"/in/{doc_id}.txt",
        "format": "text",
        "department": department,
        "fiscal_year": year,
        "doc_type": doc_type,
        "level": "department",
        "status": "ok",
        "n_tables": 12,
        "n_recognised": 12,
        "n_line_items": 100,
        "n_unparsed": 0,
        "total_revenue": total,
        **figures,
        "figure_sources": json.dumps({k: f"表 第{i + 1}行" for i, k in enumerate(FIGURES)}, ensure_ascii=False),
        **extra,
    }


def staff_text(doc_id: str, in_service: int | None, line: int = 10) -> dict:
    text = (
        f"本部门编制 {in_service + 2} 人，实有在职人员 {in_service} 人，退休人员 3 人。"
        if in_service is not None
        else "本部门无下属单位。"
    )
    return {"doc_id": doc_id, "block_index": 1, "kind": "paragraph", "level": 0, "text": text, "line": line}


def project_item(doc_id: str, name: str, amount: float, line: int = 50, row: int = 0) -> dict:
    return {
        "doc_id": doc_id,
        "table_index": 9,
        "table_kind": "project_expenditure",
        "row_index": row,
        "row_label": name,
        "row_role": "item",
        "project_name": name,
        "project_type": "其他运转类",
        "column": "total",
        "amount": amount,
        "value_status": "value",
        "raw_value": f"{amount:.2f}",
        "source_unit": "万元",
        "line": line,
    }


def frames(documents: list[dict], *, line_items=(), texts=(), claims=(), targets=()) -> dict[str, pl.DataFrame]:
    return {
        "documents": frame("documents", list(documents)),
        "tables": frame("tables", []),
        "line_items": frame("line_items", list(line_items)),
        "claims": frame("claims", list(claims)),
        "targets": frame("targets", list(targets)),
        "texts": frame("texts", list(texts)),
    }
