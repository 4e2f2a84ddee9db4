"""Worksheet layout: which rows are titles, captions, notes or grid, and the blocks they make.

Grid regions are found from cell borders when the sheet has them (the Shanghai templates
leave bordered blank rows inside tables) and from cell counts otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.model import Block, Location

CAPTION = re.compile(
    r"^\s*(金额单位|计量单位|单位|编制(部门|单位)|填报(部门|单位)|预算(主管)?(部门|单位)|主管部门"
    r"|(部门|单位)名称|注\s*\d*|备注|说明|数据来源|资料来源)\s*[：:]"
)
"""Rows with such a cell are captions or notes around a table, never part of its grid."""
TABLE_TITLE_TAIL = re.compile(r"表\s*([（(]\s*续\s*[)）])?\s*$")
"""An unmerged single-cell row ending like a table title, e.g. "部门收入总表（续）"."""
MAX_TITLE_CHARS = 60
CELL_SEPARATOR = "  "
"""Joins the cells of a caption row such as "编制部门：XX局  单位：元"."""



@dataclass(slots=True)
class Sheet:
    """One worksheet reduced to what the layout step needs (0-based coordinates)."""

    name: str
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    """Non-empty cell texts only."""
    boxed: set[tuple[int, int]] = field(default_factory=set)
    """Cells drawn with a vertical rule or a full box, i.e. cells of a ruled grid."""
    spans: dict[tuple[int, int], int] = field(default_factory=dict)
    """Anchor cell of each merged range -> number of columns it spans."""


def _classify_rows(sheet: Sheet, rows: list[list[str]]) -> list[str]:
    """Label each row ``blank``, ``caption``, ``title``, ``grid`` or ``text``.

    A short single-cell row is a title when it is the sheet's first row, or is merged across
    columns and not directly under a grid, or ends like a table title with a table below.
    Otherwise a row belongs to a grid when it has two or more ruled cells (bordered blank
    rows inside a template's table keep it in one piece) or two or more filled cells. A
    remaining single-cell row continues the grid just above it when short, else it is text.
    """
    width = len(rows[0]) if rows else 0
    kinds: list[str] = []
    seen_content = False
    for r, row in enumerate(rows):
        filled = [c for c in range(width) if row[c]]
        n_boxed = sum((r, c) in sheet.boxed for c in range(width))
        if not filled:
            kinds.append("grid" if n_boxed >= 2 else "blank")
            continue
        first_row, seen_content = not seen_content, True
        under_grid = bool(kinds) and kinds[-1] == "grid"
        merged_across = sheet.spans.get((r, filled[0]), 1) >= 2 and not under_grid
        lone_short = len(filled) == 1 and _is_short(row[filled[0]])
        if any(CAPTION.match(row[c]) for c in filled):
            kinds.append("caption")
        elif lone_short and (merged_across or (first_row and n_boxed < 2)):
            kinds.append("title")
        elif len(filled) >= 2 or n_boxed >= 2:
            kinds.append("grid")
        else:
            kinds.append("text")
    for r, kind in enumerate(kinds):
        if kind != "text":
            continue
        text = next(t for t in rows[r] if t)
        below = next((k for k in kinds[r + 1 :] if k not in ("blank", "caption")), None)
        if TABLE_TITLE_TAIL.search(text) and _is_short(text) and below == "grid":
            kinds[r] = "title"
        elif r > 0 and kinds[r - 1] == "grid" and _is_short(text):
            kinds[r] = "grid"
    return kinds


def sheet_blocks(sheet: Sheet) -> list[Block]:
    """Turn one sheet into heading, paragraph and table blocks in row order."""
    n_rows, n_cols = extent(sheet)
    if not n_rows:
        return []
    rows = [[sheet.cells.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]
    kinds = _classify_rows(sheet, rows)
    blocks: list[Block] = []
    r = 0
    while r < n_rows:
        where = Location(sheet=sheet.name, line=r + 1)
        filled = [t for t in rows[r] if t]
        if kinds[r] == "grid":
            end = r
            while end < n_rows and kinds[end] == "grid":
                end += 1
            blocks.extend(_table_block(sheet.name, rows, r, end))
            r = end
            continue
        if kinds[r] == "title":
            blocks.append(Block("heading", where, text=_one_line(filled[0])))
        elif kinds[r] == "caption":
            text = CELL_SEPARATOR.join(_one_line(t) for t in filled)
            blocks.append(Block("paragraph", where, text=text))
        elif kinds[r] == "text":
            lines = [line.strip() for line in filled[0].splitlines()]
            blocks.extend(Block("paragraph", where, text=line) for line in lines if line)
        r += 1
    if blocks and blocks[0].kind != "heading":
        first_line = blocks[0].location.line
        blocks.insert(0, Block("heading", Location(sheet=sheet.name, line=first_line),
                               text=sheet.name.strip()))
    return blocks


def _table_block(sheet_name: str, rows: list[list[str]], start: int, end: int) -> list[Block]:
    """One table from rows [start, end), without empty rows and outer empty columns."""
    kept = [r for r in range(start, end) if any(rows[r])]
    if not kept:
        return []
    used = [c for r in kept for c, text in enumerate(rows[r]) if text]
    first, last = min(used), max(used) + 1
    return [
        Block(
            "table",
            Location(sheet=sheet_name, line=kept[0] + 1),
            rows=[rows[r][first:last] for r in kept],
            row_locations=[Location(sheet=sheet_name, line=r + 1) for r in kept],
        )
    ]


def extent(sheet: Sheet) -> tuple[int, int]:
    """Rows and columns up to the last non-empty cell; trailing empty ones are trimmed."""
    if not sheet.cells:
        return 0, 0
    return max(r for r, _ in sheet.cells) + 1, max(c for _, c in sheet.cells) + 1


def _is_short(text: str) -> bool:
    return len(_one_line(text)) <= MAX_TITLE_CHARS


def _one_line(text: str) -> str:
    """Join a wrapped cell's lines; wrapping inside CJK titles carries no space."""
    return "".join(line.strip() for line in text.splitlines())
