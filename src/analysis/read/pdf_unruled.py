"""Unruled tables: columns from word positions aligned across rows.

Some disclosures print tables without any rulings. Their columns are found from the text
itself, but from positions, not from plain text: each line is cut into chunks at wide gaps,
the chunks of the numeric lines are stacked by x-extent into columns, and every chunk is
put into the column it overlaps. A row whose value column is blank therefore keeps an
empty cell in the right place instead of pulling the next number left.

Only runs of at least :data:`MIN_ROWS` lines, several of which hold numbers, count as a
table; a table of contents (text then a page number) and running text never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.read.pdf_page import Char
from analysis.read.pdf_ruled import Table
from analysis.read.pdf_text import NUMBER, TextLine, cell_text

PAGE_REFERENCE = re.compile(r"^\d{1,3}$")
"""A bare small integer, as printed at the end of a table-of-contents line."""
MIN_ROWS = 3
MIN_NUMERIC_ROWS = 2
ROW_GAP = 2.0
"""Lines further apart than this many font sizes do not belong to one table."""
MAX_HEADER_LINES = 3
"""Lines above the first numeric row that may be taken as the table's header."""


@dataclass(slots=True)
class _Row:
    line: TextLine
    chunks: list[list[Char]]
    texts: list[str]

    @property
    def numeric(self) -> bool:
        return len(self.chunks) >= 2 and any(NUMBER.match(t) for t in self.texts)


def _close(upper: TextLine, lower: TextLine) -> bool:
    return lower.top - upper.bottom <= ROW_GAP * max(upper.size, lower.size)


def _is_contents(rows: list[_Row]) -> bool:
    """Whether the numeric rows look like a table of contents (label then page number)."""
    numeric = [r for r in rows if r.numeric]
    return all(len(r.texts) == 2 and PAGE_REFERENCE.match(r.texts[1]) for r in numeric)


def _runs(rows: list[_Row]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of candidate table runs."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(rows):
        if not rows[i].numeric:
            i += 1
            continue
        end = i + 1
        # Rows with a label only (blank amounts) may sit between numeric rows.
        while end < len(rows) and _close(rows[end - 1].line, rows[end].line):
            if not rows[end].numeric and not any(r.numeric for r in rows[end + 1 : end + 2]):
                break
            end += 1
        start = i
        while (
            start > 0
            and i - start < MAX_HEADER_LINES
            and len(rows[start - 1].chunks) >= 2
            and _close(rows[start - 1].line, rows[start].line)
        ):
            start -= 1
        runs.append((start, end))
        i = end
    return runs


def _columns(rows: list[_Row]) -> list[tuple[float, float]]:
    """Column extents from the chunks of the numeric rows, left to right."""
    spans = sorted((chunk[0].x0, chunk[-1].x1) for row in rows if row.numeric for chunk in row.chunks)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _column_of(chunk: list[Char], columns: list[tuple[float, float]]) -> int:
    """The first column a chunk overlaps (a spanning header goes to its first column)."""
    x0, x1 = chunk[0].x0, chunk[-1].x1
    for index, (left, right) in enumerate(columns):
        if x0 <= right and x1 >= left:
            return index
    centre = (x0 + x1) / 2
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))


def _table(rows: list[_Row]) -> Table | None:
    columns = _columns(rows)
    if len(columns) < 2:
        return None
    cells: list[list[str]] = []
    used: set[int] = set()
    for row in rows:
        grouped: list[list[Char]] = [[] for _ in columns]
        for chunk in row.chunks:
            grouped[_column_of(chunk, columns)].extend(chunk)
        cells.append([cell_text(chars) for chars in grouped])
        used.update(id(c) for c in row.line.chars)
    lines = [r.line for r in rows]
    return Table(
        x0=min(line.x0 for line in lines),
        top=lines[0].top,
        x1=max(line.x1 for line in lines),
        bottom=lines[-1].bottom,
        rows=cells,
        row_tops=[line.top for line in lines],
        used_chars=used,
    )


def find_unruled_tables(lines: list[TextLine]) -> list[Table]:
    """Tables laid out by whitespace alone among the page's remaining lines (top to bottom)."""
    rows = []
    for line in lines:
        chunks = line.chunks()
        rows.append(_Row(line, chunks, [cell_text(chunk) for chunk in chunks]))
    tables = []
    for start, end in _runs(rows):
        run = rows[start:end]
        if len(run) < MIN_ROWS or sum(r.numeric for r in run) < MIN_NUMERIC_ROWS:
            continue
        if _is_contents(run):
            continue
        table = _table(run)
        if table is not None:
            tables.append(table)
    return tables
