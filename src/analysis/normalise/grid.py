"""Turn a recognised table into line items: one row per amount cell printed.

Works for every grid-shaped table (B02, B03, B05, B06, B08–B11, B13, F02–F09) and, pane by
pane, for two-sided tables (B01, B04, F01, F04). Each item keeps the row's label, its codes,
its canonical column, the amount in 万元, the printed text and the row's location.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from analysis.kinds import Kind
from analysis.metadata import table_kind_info
from analysis.normalise.align import choose_alignment
from analysis.normalise.body import Cells, filled_cells, join_to_last
from analysis.normalise.cells import HAN_CHAR, UNIT_TO_WAN, clean_text, is_code, match_key, parse_amount, split_codes
from analysis.normalise.classes import class_code_for_name
from analysis.normalise.codes import RowCodes, assemble_codes
from analysis.normalise.header import (
    Column,
    header_row_count,
    header_signatures,
    is_column_number_row,
    map_columns,
    repeats_header,
)
from analysis.normalise.panes import Pane, split_panes
from analysis.normalise.rowlabels import row_key
from analysis.recognise.tables import RecognisedTable

_TOTAL = re.compile(r"^(合计|总计|小计)$")
_GRAND_TOTAL_OF = {
    "current_revenue_total": "revenue_grand_total",
    "current_expenditure_total": "expenditure_grand_total",
}
_SIDE_GRAND_TOTAL = {"income": "revenue_grand_total", "expenditure": "expenditure_grand_total"}
_TEXT_SPILL_KINDS = {Kind.PROJECT_PERFORMANCE_TARGETS, Kind.DEPARTMENT_PERFORMANCE_TARGETS}
_UNIT_CODE_COLUMN = re.compile(r"(单位|部门)(\(单位\))?(代码|编码)")
_UNIT_IN_HEADER = re.compile(r"\((万元|元|千元|亿元)\)")
_DECIMAL = re.compile(r"[.,]\d")
_ORDINAL = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）、.]")


@lru_cache(maxsize=100_000)
def _looks_like_amount(text: str) -> bool:
    """Numbers, and things meant to be numbers (placeholders such as XX, ×× or ***)."""
    return parse_amount(text).status == "value" or bool(
        re.search(r"\d|^[XxＸ×*＊]+$|^[XxＸ×]+(\.[XxＸ×]+)?$", text.strip())
    )


def _width(rows: list[list[str]]) -> int:
    return max((len(r) for r in rows), default=0)


def _pad_row(row: list[str], width: int, columns: list[Column]) -> list[str]:
    """A row widened to the table's width. A row printed narrower than the header (a page piece
    whose reader collapsed a merged cell: 合计 spanning the code columns) that would leave a
    printed amount under a code or label column has its trailing amounts moved flush right."""
    misplaced = any(
        j < len(columns) and columns[j].role != "measure" and _DECIMAL.search(c) and parse_amount(c).status == "value"
        for j, c in enumerate(row)
    )
    start = len(row)
    while misplaced and start and (not row[start - 1] or parse_amount(row[start - 1]).status == "value"):
        start -= 1
    return row[:start] + [""] * (width - len(row)) + row[start:]


def _body_rows(
    body, locations, width: int, columns: list[Column], header: list[list[str]], merge: bool
) -> tuple[list[list[str]], list, list[list[tuple[int, str]]]]:
    """The data rows in one pass: 栏次 rows and headers repeated after a page break dropped,
    short rows widened, and (when ``merge``) rows that only continue the text of the row above
    joined to it: a wrapped cell split by a page break ("工资奖金津" + "补贴") has no amount,
    no code, no ordinal, unless a page break split a known label ("当年收入" + "小计").
    Returns the rows, their locations and each row's non-empty (column, text) cells."""
    repeated = header_signatures(header)
    out_rows: list[list[str]] = []
    out_locs: list = []
    out_cells: list[Cells] = []
    for i, (row, loc) in enumerate(zip(body, locations)):
        if (i <= 2 and is_column_number_row(row)) or repeats_header(row, repeated):
            continue
        if len(row) < width:
            row = _pad_row(row, width, columns)
        cells = filled_cells(row)
        if (
            merge
            and out_rows
            and cells
            and (
                _is_fragment_row(cells, out_rows[-1], columns)
                or (_new_page(loc, out_locs[-1]) and _completes_label(cells, out_rows[-1]))
            )
        ):
            join_to_last(out_rows, out_cells, cells)
            continue
        out_rows.append(row)
        out_locs.append(loc)
        out_cells.append(cells)
    return out_rows, out_locs, out_cells


def _new_page(loc, previous) -> bool:
    return None not in (loc.page, previous.page) and loc.page != previous.page


def _completes_label(cells, previous: list[str]) -> bool:
    """Every cell joined to the one above makes a known row label that the upper part alone is not."""
    return all(
        j < len(previous) and previous[j] and not row_key(previous[j]) and row_key(previous[j] + text)
        for j, text in cells
    )


def _is_fragment_row(cells, previous: list[str], columns: list[Column]) -> bool:
    for j, text in cells:  # cheap tests first: most rows fail at their first cell
        if j >= len(previous) or not previous[j]:
            return False
        if j < len(columns) and columns[j].role == "measure":
            return False
        if parse_amount(text).status == "value" or is_code(text) or _ORDINAL.match(text):
            return False
        if len(match_key(text)) > 10 or row_key(text) or class_code_for_name(text) or _TOTAL.match(match_key(text)):
            return False
    return True


def table_items(table: RecognisedTable, fiscal_year: int | None = None) -> tuple[list[dict], dict]:
    """Line items of one table and a summary of how it was read."""
    kind = table.table_kind or "unknown"
    rows = table.rows  # readers strip every cell (model.Block.rows)
    n_header = header_row_count(rows)
    width = _width(rows)
    header, body = rows[:n_header], rows[n_header:]
    locations = table.row_locations[n_header:]
    columns = map_columns(header, width, kind, fiscal_year)
    unit = table.unit
    if unit is None:
        found = _UNIT_IN_HEADER.search("".join(c.path for c in columns))
        unit = found.group(1) if found else None
    scale = UNIT_TO_WAN.get(unit or "万元", 1.0)
    body, locations, filled = _body_rows(body, locations, width, columns, header, merge=kind not in _TEXT_SPILL_KINDS)
    items: list[dict] = []
    alignments = []
    spill: dict[int, str] = {}
    previous_side = None
    printed: set[str] = set()
    for pane in split_panes(columns):
        mapping, how = choose_alignment(
            cast(dict[int, str], {c.index: c.measure for c in pane.columns if c.role == "measure"}),  # measures named
            body,
            pane.indices,
            kind,
            filled,
        )
        alignments.append(how)
        printed.update(mapping.values())
        side = next((c.path.split("/")[0] for c in pane.columns if c.path), "")
        pane_items, spill = _pane_items(
            table, kind, pane, mapping, filled, locations, scale, spill if side == previous_side else {}
        )
        items.extend(pane_items)
        previous_side = side
    summary = {
        "header_rows": n_header,
        "data_rows": len(body),
        "alignment": ",".join(alignments),
        "columns": [c.path for c in columns],
        "unit": unit or "万元",
        "measures": sorted(printed),
    }
    return items, summary


_CELL_MEMO: dict[tuple[str, bool], dict[str, tuple[str, object]]] = {}
"""Cell classifications by (role, mapped) then text: labels, codes and amounts recur across
documents, and a plain dict lookup is the cheapest test in the hottest loop of extraction."""
_CELL_MEMO_LIMIT = 200_000


def _cell_memo(role: str, mapped: bool) -> dict[str, tuple[str, object]]:
    memo = _CELL_MEMO.setdefault((role, mapped), {})
    if len(memo) > _CELL_MEMO_LIMIT:
        memo.clear()
    return memo


def _classify_cell(text: str, role: str, mapped: bool) -> tuple[str, object]:
    """What one non-empty cell is: an amount of its column, codes, an unlabelled number or a label."""
    if mapped and _looks_like_amount(text):
        return "amount", (text, parse_amount(text))
    if role != "measure" and split_codes(text):
        return "codes", split_codes(text)
    if parse_amount(text).status == "value":
        return "unlabelled", (text, parse_amount(text))
    if mapped or role != "measure":
        return "label", clean_text(text)
    return "skip", None


_ORGANISATION = re.compile(
    r"(局|办|委|中心|院|所|站|处|室|队|馆|学校|中学|小学|幼儿园|本级|部|会|团|厅|街道|镇|乡|公司)$"
)


def _units_named_like_units(codes, label: str) -> None:
    """A lone 3-digit code on a row named like an organisation is a unit code, even when the
    number is also a 类 (unit 208 of 新乡市某局 is not 社会保障和就业支出)."""
    for field in ("func_code", "econ_code"):
        code = getattr(codes, field)
        if (
            code
            and len(code) == 3
            and not codes.unit_code
            and _ORGANISATION.search(label)
            and not class_code_for_name(label)
        ):
            codes.unit_code = code
            setattr(codes, field, None)


@lru_cache(maxsize=100_000)
def _row_identity(
    label: str, tokens: tuple[str, ...], unit_tokens: tuple[str, ...], section: str | None, function_rows: bool
) -> tuple[str | None, RowCodes, bool]:
    """A row's key, codes and whether it is a 合计 row, from its label and code cells alone (before the context of the
    rows above). Cached: the same labels and codes recur in document after document; callers
    must not change the returned codes."""
    codes = assemble_codes(list(tokens), list(unit_tokens))
    _units_named_like_units(codes, label)
    key = row_key(label) if label else None
    if key is None and match_key(label) == "总计" and section in _SIDE_GRAND_TOTAL:
        key = _SIDE_GRAND_TOTAL[section]  # F01 prints a bare 总计 on each side
    if section == "expenditure" or (function_rows and not codes.func_partial and not codes.econ_code):
        klass = class_code_for_name(label)  # a 类 row printed by name only
        if klass and not codes.func_code:
            codes.func_code, key = klass, f"class:{klass}"
    return key, codes, bool(_TOTAL.match(match_key(label)))


def _pane_items(
    table, kind, pane: Pane, mapping, filled, locations, scale, spill: dict[int, str]
) -> tuple[list[dict], dict[int, str]]:
    """Items of one pane, and the rows where it printed a label but no amount.

    ``filled`` holds each body row's non-empty (column, text) cells. ``spill`` holds such
    label-only rows of the pane to the left under the same top header: a label merged across
    both panes (Jiangsu 收支预算总表 prints 支出合计 under 功能分类 and its amount under 支出用途)
    names this pane's unlabelled amount in that row.
    """
    items: list[dict] = []
    label_only: dict[int, str] = {}
    # (role, mapped) of the columns this pane reads; row numbers and indicators are not read
    width = 1 + max((j for row in filled for j, _ in row[-1:]), default=0)
    readable: list[tuple | None] = [None] * width  # by column: a list is the fastest lookup
    for c in pane.columns:
        if c.role not in {"row_number", "indicator"} and c.index < width:
            readable[c.index] = (c.role, c.index in mapping, _cell_memo(c.role, c.index in mapping))
    info = table_kind_info(kind)
    function_rows = bool(info and info.row_codes == "function") or kind.endswith("summary")
    unit_cols = {c.index for c in pane.columns if _UNIT_CODE_COLUMN.search(c.path)}
    projects = kind == Kind.PROJECT_EXPENDITURE
    named_items = kind in {Kind.PROJECT_EXPENDITURE, Kind.PROJECT_PERFORMANCE_TARGETS}
    # the table's title and source unit come from its tables row (extract.line_items_frame)
    table_fields = {"table_index": table.index, "table_kind": table.table_kind, "section": pane.section}
    context: str | None = None
    seen_totals: set[str] = set()
    for r, (row, loc) in enumerate(zip(filled, locations)):
        labels: list = []
        tokens: list[str] = []
        unit_tokens: list[str] = []
        amounts: list = []
        for j, cell in row:
            how = readable[j]
            if how is None:
                continue
            found = how[2].get(cell)
            if found is None:
                found = how[2][cell] = _classify_cell(cell, how[0], how[1])
            what, value = found
            if what == "amount":
                amounts.append((mapping[j], value))
            elif what == "codes":
                (unit_tokens if j in unit_cols else tokens).extend(value)
            elif what == "unlabelled":
                amounts.append(("unlabelled", value))
            elif what == "label":
                labels.append(value)
        if not labels and not tokens and not unit_tokens and not amounts:
            continue
        if not amounts and labels:
            label_only[r] = labels[0]
        if amounts and not labels and not tokens and r in spill:
            labels = [spill[r]]
        label = labels[0] if labels else ""
        key, codes, is_total = _row_identity(label, tuple(tokens), tuple(unit_tokens), pane.section, function_rows)
        if key in seen_totals and key in _GRAND_TOTAL_OF:
            key = _GRAND_TOTAL_OF[key]  # B04 prints "收入合计" for the grand total below 本年收入
        if key in _GRAND_TOTAL_OF:
            seen_totals.add(key)
        if key == "carryover":
            context = "carryover_"
        elif key in {"current_revenue_total", "current_expenditure_total"}:
            context = None
        elif (
            key
            and context
            and key
            in {"general_budget", "gov_fund", "state_capital", "special_account", "general_budget_appropriation"}
        ):
            key = context + key
        first_unlabelled = not items and not labels and not tokens and r == 0
        role = (
            "total"
            if is_total or first_unlabelled
            else ("unit" if codes.unit_code and not (codes.func_code or codes.econ_code) else "item")
        )
        two_labels = projects and len(labels) > 1  # B10 prints 项目类别 before 项目名称
        project_name = labels[1] if two_labels else (label if named_items and role == "item" else None)
        if two_labels and role == "item":
            label = labels[1]
        # one dict of the row's fields, copied per amount (a copy is much cheaper than a literal)
        row_fields = {
            **table_fields,
            "row_index": r,
            "row_label": label,
            "row_key": key,
            "row_role": role,
            "func_code": codes.func_code,
            "func_partial": codes.func_partial,
            "econ_code": codes.econ_code,
            "gov_econ_code": codes.gov_econ_code,
            "unit_code": codes.unit_code,
            "project_code": codes.project_code,
            "project_name": project_name,
            "project_type": labels[0] if two_labels else None,
            "line": loc.line,
            "page": loc.page,
            "sheet": loc.sheet,
        }
        for column, (text, parsed) in amounts:
            if parsed.status == "unparsed" and kind in _TEXT_SPILL_KINDS and HAN_CHAR.search(text):
                continue
            item = row_fields.copy()
            item["column"] = column
            item["amount"] = parsed.value if parsed.value is None or scale == 1.0 else round(parsed.value * scale, 6)
            item["value_status"] = parsed.status
            item["raw_value"] = text
            items.append(item)
    return items, label_only
