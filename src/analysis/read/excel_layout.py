"""Worksheet layout: which rows are titles, captions, notes or grid, and the blocks they make.

Grid regions are found from cell borders when the sheet has them (the Shanghai templates
leave bordered blank rows inside tables) and from cell counts otherwise.

Work follows the cells that are used, never the sheet's extent: a stray cell at XFD1048576
adds one row and one column to the layout, not a billion blank cells (see :func:`layout_axes`).
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
MAX_EMPTY_COLUMNS = 8
"""A run of wider empty columns (empty in the whole sheet) is laid out as one: it separates a
stray far-away cell, it is not a column of any table."""
MAX_LAYOUT_CELLS = 4_000_000
"""Used rows × used columns beyond which a sheet is not laid out (reported, not read)."""


class SheetTooLarge(ValueError):
    """The used rows and columns of a sheet span more than :data:`MAX_LAYOUT_CELLS` cells."""


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


def _classify_rows(sheet: Sheet, rows: list[list[str]], row_numbers: list[int], col_numbers: list[int]) -> list[str]:
    """Label each row ``blank``, ``caption``, ``title``, ``grid`` or ``text``.

    A short single-cell row is a title when it is the sheet's first row, or is merged across
    columns and not directly under a grid, or ends like a table title with a table below.
    Otherwise a row belongs to a grid when it has two or more ruled cells (bordered blank
    rows inside a template's table keep it in one piece) or two or more filled cells. A
    remaining single-cell row continues the grid just above it when short, else it is text.
    ``row_numbers`` and ``col_numbers`` give the sheet row and column of each laid-out one.
    """
    width = len(rows[0]) if rows else 0
    boxed = _boxed_per_row(sheet, col_numbers[-1] + 1 if col_numbers else 0)
    kinds: list[str] = []
    seen_content = False
    for r, row in enumerate(rows):
        filled = [c for c in range(width) if row[c]]
        n_boxed = boxed.get(row_numbers[r], 0)
        if not filled:
            kinds.append("grid" if n_boxed >= 2 else "blank")
            continue
        first_row, seen_content = not seen_content, True
        under_grid = bool(kinds) and kinds[-1] == "grid"
        merged_across = sheet.spans.get((row_numbers[r], col_numbers[filled[0]]), 1) >= 2 and not under_grid
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
    row_numbers, col_numbers = layout_axes(sheet)
    if not row_numbers:
        return []
    column_at = {c: k for k, c in enumerate(col_numbers)}
    rows = [[""] * len(col_numbers) for _ in row_numbers]
    row_at = {r: k for k, r in enumerate(row_numbers)}
    for (r, c), text in sheet.cells.items():
        rows[row_at[r]][column_at[c]] = text
    kinds = _classify_rows(sheet, rows, row_numbers, col_numbers)
    blocks: list[Block] = []
    n_rows = len(rows)
    r = 0
    while r < n_rows:
        where = Location(sheet=sheet.name, line=row_numbers[r] + 1)
        filled = [t for t in rows[r] if t]
        if kinds[r] == "grid":
            end = r
            while end < n_rows and kinds[end] == "grid":
                end += 1
            blocks.extend(_table_block(sheet.name, rows, r, end, row_numbers))
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
        blocks.insert(0, Block("heading", Location(sheet=sheet.name, line=first_line), text=sheet.name.strip()))
    return blocks


def _table_block(sheet_name: str, rows: list[list[str]], start: int, end: int, row_numbers: list[int]) -> list[Block]:
    """One table from rows [start, end), without empty rows and outer empty columns."""
    kept = [r for r in range(start, end) if any(rows[r])]
    if not kept:
        return []
    used = [c for r in kept for c, text in enumerate(rows[r]) if text]
    first, last = min(used), max(used) + 1
    return [
        Block(
            "table",
            Location(sheet=sheet_name, line=row_numbers[kept[0]] + 1),
            rows=[rows[r][first:last] for r in kept],
            row_locations=[Location(sheet=sheet_name, line=row_numbers[r] + 1) for r in kept],
        )
    ]


def extent(sheet: Sheet) -> tuple[int, int]:
    """Rows and columns up to the last non-empty cell; trailing empty ones are trimmed."""
    if not sheet.cells:
        return 0, 0
    return max(r for r, _ in sheet.cells) + 1, max(c for _, c in sheet.cells) + 1


def _boxed_per_row(sheet: Sheet, n_cols: int) -> dict[int, int]:
    """Ruled cells per sheet row, counting columns up to the last used one."""
    counts: dict[int, int] = {}
    for r, c in sheet.boxed:
        if c < n_cols:
            counts[r] = counts.get(r, 0) + 1
    return counts


def layout_axes(sheet: Sheet) -> tuple[list[int], list[int]]:
    """The sheet rows and columns to lay out, in order.

    Rows: every row with text or with two ruled cells (a template's bordered blank row keeps
    its table in one piece), and one blank row for each gap between them (one blank row and
    many separate the same blocks). Columns: every column up to the last used one, except
    that a run of more than :data:`MAX_EMPTY_COLUMNS` empty columns counts as one.

    Raises:
        SheetTooLarge: the used rows × columns exceed :data:`MAX_LAYOUT_CELLS`.
    """
    n_rows, n_cols = extent(sheet)
    if not n_rows:
        return [], []
    used_rows = {r for r, _ in sheet.cells}
    used_rows |= {r for r, n in _boxed_per_row(sheet, n_cols).items() if n >= 2 and r < n_rows}
    rows = _with_gaps(sorted(used_rows), 1)
    columns = _with_gaps(sorted({c for _, c in sheet.cells}), MAX_EMPTY_COLUMNS)
    if len(rows) * len(columns) > MAX_LAYOUT_CELLS:
        raise SheetTooLarge(
            f"{len(sheet.cells)} cells spread over {len(rows)} rows × "
            f"{len(columns)} columns (limit {MAX_LAYOUT_CELLS} cells)"
        )
    return rows, columns


def _with_gaps(used: list[int], keep: int) -> list[int]:
    """``used`` indices (sorted) with the empty ones between them: every index of a gap up to
    ``keep`` long, only the first index of a longer one (leading gaps included)."""
    result: list[int] = []
    previous = -1
    for index in used:
        gap = index - previous - 1
        if gap > 0:
            first = previous + 1
            result.extend(range(first, index) if gap <= keep else [first])
        result.append(index)
        previous = index
    return result


def _is_short(text: str) -> bool:
    return len(_one_line(text)) <= MAX_TITLE_CHARS


def _one_line(text: str) -> str:
    """Join a wrapped cell's lines; wrapping inside CJK titles carries no space."""
    return "".join(line.strip() for line in text.splitlines())
