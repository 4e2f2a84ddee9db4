"""Performance targets (B12 整体绩效目标表, B13 项目绩效目标表) as rows.

Indicator (name, value) pairs are found by the shape of the value ("≥90%", "≤87 万元",
"17 人", "2024年12月31日前", "相关"), not by column index, because rows of the same table are
printed shifted by a column (DOMAIN.md §0.6 hazard 7). Each pair's category (成本/产出/效益/
满意度) is the header category whose column is nearest to the pair's name.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from analysis.normalise.body import Cells, filled_cells, join_to_last
from analysis.normalise.cells import clean_text, is_code, match_key, split_codes
from analysis.normalise.header import HeaderSignatures, header_row_count, header_signatures, repeats_header
from analysis.recognise.tables import RecognisedTable

_COMPARATOR = r"(?P<cmp>≥|≤|＞|＜|>=|<=|>|<|=|＝|大于等于|小于等于|不低于|不高于|不超过|达到)?"
_VALUE = re.compile(
    rf"^{_COMPARATOR}\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|％|万元|元|人次|人|个|次|条|台\(套\)|台|套|天|项|家|户|辆|份|件|场|批|小时|分|年|月|日)?\S*$"
)
_DATE = re.compile(r"(20\d{2}年)?\d{1,2}月\d{1,2}日|每月\d{1,2}日|年底|年末|\d{1,2}月底")
_QUALITATIVE = re.compile(
    r"^(相关|科学|合理|完整|合规|公开|规范|健全|真实|有效|提高|明显提高|达标|良好|显著|及时|准确|优|高|是|否|完成|持续提升)$"
)
_CATEGORY = re.compile(r"(成本|产出|效益|满意度|投入管理|投入)(指标)?")
_CMP_NORMAL = {
    "≥": ">=",
    ">=": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "达到": ">=",
    "≤": "<=",
    "<=": "<=",
    "小于等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "＞": ">",
    ">": ">",
    "＜": "<",
    "<": "<",
    "=": "=",
    "＝": "=",
}


_TARGET_FIELDS = ("comparator", "value", "unit", "value_kind")


@lru_cache(maxsize=50_000)
def _parse_target_value(text: str) -> tuple | None:
    """(comparator, value, unit, value_kind) of an indicator value, or None if it is not one."""
    raw = clean_text(text).replace(" ", "")
    if not raw:
        return None
    m = _VALUE.match(raw.replace("（", "(").replace("）", ")"))
    if m:
        return (
            _CMP_NORMAL.get(m.group("cmp") or "", None),
            float(m.group("num").replace(",", "")),
            (m.group("unit") or "").replace("％", "%") or None,
            "number",
        )
    if _DATE.search(raw):
        return (None, None, None, "date")
    if _QUALITATIVE.match(raw):
        return (None, None, None, "qualitative")
    return None


def parse_target_value(text: str) -> dict | None:
    """The comparator, number and unit of an indicator value, or None if it is not one.

    >>> parse_target_value("≤87 万元")
    {'comparator': '<=', 'value': 87.0, 'unit': '万元', 'value_kind': 'number'}
    """
    found = _parse_target_value(text)
    return None if found is None else dict(zip(_TARGET_FIELDS, found))


def _categories(header: list[list[str]]) -> list[tuple[int, str]]:
    found = []
    for row in header:
        for j, cell in enumerate(row):
            m = _CATEGORY.search(match_key(cell))
            if m:
                found.append((j, m.group(1)))
    return found


def _join_fragments(rows: list[list[str]], locations: list, header: HeaderSignatures):
    """The body rows without repeated headers, rows that only continue wrapped cell text
    ("电子印章" / "费用") appended to the row above; with each row's non-empty (column, text)
    cells."""
    out: list[list[str]] = []
    out_locs: list = []
    out_cells: list[Cells] = []
    for row, loc in zip(rows, locations):
        if repeats_header(row, header):  # a header repeated after a page break
            continue
        cells = filled_cells(row)
        if (
            out
            and cells
            and all(
                _parse_target_value(c) is None and not is_code(c) and j < len(out[-1]) and out[-1][j] for j, c in cells
            )
        ):
            join_to_last(out, out_cells, cells)
            continue
        out.append(row)
        out_locs.append(loc)
        out_cells.append(cells)
    return out, out_locs, out_cells


_BARE_AMOUNT = re.compile(r"[\d.,]+")


def project_targets(table: RecognisedTable) -> list[dict]:
    """B13: one row per indicator, tied to the project (code and name) whose rows it sits in."""
    grid = table.rows  # readers strip every cell (model.Block.rows)
    n_header = header_row_count(grid)
    categories = _categories(grid[:n_header])
    nearest: dict[int, str | None] = {}  # column → the header category nearest to it
    rows: list[dict] = []
    project: dict[str, str | None] = {"project_code": None, "project_name": None}
    body, locations, filled = _join_fragments(
        grid[n_header:], table.row_locations[n_header:], header_signatures(grid[:n_header])
    )
    for row, loc, cells in zip(body, locations, filled):
        codes = [code for _, c in cells for code in split_codes(c) if len(code) >= 12]
        if codes:
            texts = [clean_text(c) for c in row[:3] if c and not split_codes(c)]
            project = {"project_code": codes[0], "project_name": texts[0] if texts else None}
        for (j, name), (k, value) in itertools.pairwise(cells):
            parsed = _parse_target_value(value)
            if parsed is None or k - j > 2 or _parse_target_value(name) is not None or is_code(name):
                continue
            if _BARE_AMOUNT.fullmatch(value):  # a bare amount column, not a target
                continue
            if j not in nearest:
                nearest[j] = min(categories, key=lambda c: abs(c[0] - j))[1] if categories else None
            rows.append(
                {
                    **project,
                    "category": nearest[j],
                    "level2": None,
                    "indicator": clean_text(name),
                    "raw_value": clean_text(value),
                    **dict(zip(_TARGET_FIELDS, parsed)),
                    "line": loc.line,
                    "page": loc.page,
                }
            )
    return rows


def department_targets(table: RecognisedTable) -> list[dict]:
    """B12 indicator grid: 一级/二级/三级 indicators with their values (levels carried down)."""
    rows: list[dict] = []
    level1 = level2 = None
    in_grid = False
    for row, loc in zip(table.rows, table.row_locations):
        if any("指" in c and match_key(c) == "一级指标" for c in row):  # "一 级 指 标" too
            in_grid = True
            continue
        if not in_grid:
            continue
        padded = ([clean_text(c) for c in row[:5]] + ["", "", "", "", ""])[:5]
        if not any(padded):
            continue
        level1 = padded[0] or level1
        level2 = padded[1] or level2
        parsed = parse_target_value(padded[3]) or {
            "comparator": None,
            "value": None,
            "unit": None,
            "value_kind": "missing" if not padded[3] else "text",
        }
        if padded[2]:
            rows.append(
                {
                    "project_code": None,
                    "project_name": None,
                    "category": level1,
                    "level2": level2,
                    "indicator": padded[2],
                    "raw_value": padded[3] or None,
                    **parsed,
                    "line": loc.line,
                    "page": loc.page,
                }
            )
    return rows
