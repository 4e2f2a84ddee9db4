"""Amounts of form-shaped tables (B12 整体绩效目标表 预算情况 block): label … number rows."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.normalise.cells import clean_text, parse_amount
from analysis.recognise.tables import RecognisedTable

_ITEM_PREFIX = re.compile(r"^[(（]?\d+[)）、.]?\s*|^\d+、")
_UNIT = re.compile(r"[(（]万元[)）]")
_FORM_KEYS = {"部门预算总额": "total", "政府预算资金": "gov_budget_funds",
              "财政专户管理资金": "special_account", "单位资金": "unit_funds",
              "基本支出": "basic_total", "项目支出": "project_total"}


@lru_cache(maxsize=50_000)
def _label(text: str) -> str:
    """A form label without its item number and unit: "1、部门预算总额（万元）：" → 部门预算总额."""
    return _ITEM_PREFIX.sub("", _UNIT.sub("", clean_text(text))).rstrip("：:")


def form_items(table: RecognisedTable) -> list[dict]:
    """One item per printed amount, labelled by the nearest text cell to its left."""
    items = []
    for r, (row, loc) in enumerate(zip(table.rows, table.row_locations)):
        label = None
        for cell in row:
            text = cell.strip()
            if not text:
                continue
            parsed = parse_amount(text)
            if parsed.status == "value" and label and "." in text or (parsed.status == "value" and label in _FORM_KEYS):
                key = _FORM_KEYS.get(label)
                items.append({"table_index": table.index, "table_kind": table.table_kind,
                              "section": None, "row_index": r,
                              "row_label": label, "row_key": key, "row_role": "item",
                              "column": "amount", "amount": parsed.value * table.unit_scale,
                              "value_status": "value", "raw_value": text,
                              "line": loc.line,
                              "page": loc.page, "sheet": loc.sheet})
            elif parsed.status != "value":
                label = _label(text)
    return items
