"""Amounts of form-shaped tables (B12 整体绩效目标表 预算情况 block): label … number rows."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from analysis.normalise.cells import UNIT_TO_WAN, clean_text, parse_amount
from analysis.recognise.tables import RecognisedTable

_ITEM_PREFIX = re.compile(r"^[(（]?\d+[)）、.]?\s*|^\d+、")
_UNIT = re.compile(r"[(（](万元|元|千元|亿元)[)）]")
_FORM_KEYS = {
    "部门预算总额": "total",
    "政府预算资金": "gov_budget_funds",
    "财政专户管理资金": "special_account",
    "单位资金": "unit_funds",
    "基本支出": "basic_total",
    "项目支出": "project_total",
}


@lru_cache(maxsize=50_000)
def _label(text: str) -> str:
    """A form label without its item number and unit: "1、部门预算总额（万元）：" → 部门预算总额."""
    return _ITEM_PREFIX.sub("", _UNIT.sub("", clean_text(text))).rstrip("：:")


@lru_cache(maxsize=50_000)
def _label_scale(text: str) -> float | None:
    """The unit a form label prints for its own amount ("部门预算总额（元）"), as a factor to 万元."""
    found = _UNIT.search(clean_text(text))
    return UNIT_TO_WAN[found.group(1)] if found else None


def form_items(table: RecognisedTable) -> list[dict]:
    """One item per printed amount, labelled by the nearest text cell to its left; a unit the
    label prints ("部门预算总额（元）") is the unit of its amount and of the amounts below it,
    whatever the table's unit line says."""
    items = []
    scale = table.unit_scale
    for r, (row, loc) in enumerate(zip(table.rows, table.row_locations)):
        label = None
        for cell in row:
            text = cell.strip()
            if not text:
                continue
            parsed = parse_amount(text)
            if (parsed.status == "value" and label and "." in text) or (
                parsed.status == "value" and label in _FORM_KEYS
            ):
                key: str | None = _FORM_KEYS.get(label) if label is not None else None
                items.append(
                    {
                        "table_index": table.index,
                        "table_kind": table.table_kind,
                        "section": None,
                        "row_index": r,
                        "row_label": label,
                        "row_key": key,
                        "row_role": "item",
                        "column": "amount",
                        "amount": cast(float, parsed.value) * scale,  # status "value"
                        "value_status": "value",
                        "raw_value": text,
                        "line": loc.line,
                        "page": loc.page,
                        "sheet": loc.sheet,
                    }
                )
            elif parsed.status != "value":
                label = _label(text)
                scale = _label_scale(text) or scale  # holds for the rows below it too
    return items
