"""Ruled tables: cells from drawn lines and rectangles.

The grid of a ruled table is read from its rulings, never from text positions, so an empty
cell stays an empty string in its own column (DOMAIN §0.6; plain text extraction loses
them and numbers slide left). Steps:

1. snap nearly collinear edges together and join touching pieces (tables are often drawn
   one cell border at a time, or as thin filled rectangles);
2. split the edges into connected groups, one per table;
3. take every distinct x of a vertical edge and y of a horizontal edge as grid lines, adding
   the outer border when the table is drawn open at a side;
4. merge neighbouring grid cells where no ruling separates them (merged header cells and
   row labels spanning several rows) and give the text of the merged cell to its top-left
   grid cell, leaving "" in the others;
5. put every character into the grid cell under its centre and join each cell's lines.

Work grows with what the rulings meet, not with their square or cube: edges are matched by
position through sorted indexes, and a group whose crossings or cells exceed
:data:`MAX_CROSSINGS` / :data:`MAX_GRID_CELLS` (a dense hatching, a 1000-line grid in a 15 KB
file) is not read as a table; the page says so (``notes``) and its text is read as lines.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from analysis.read.pdf_page import Char, Edge
from analysis.read.pdf_text import NUMBER, cell_text, group_lines

SNAP = 2.0
"""Edges whose positions differ by less than this (points) are the same ruling."""
JOIN = 3.0
"""Collinear pieces with a gap smaller than this (points) form one ruling."""
TOUCH = 3.0
"""A horizontal and a vertical edge closer than this (points) meet."""
MIN_TRACK = 2.5
"""Grid rows or columns thinner than this (points) are double rulings, not cells."""
SLIVER = 8.0
"""An empty column narrower than this (points) is a gap between rulings, not a column."""
MAX_CROSSINGS = 200_000
"""More horizontal × vertical meetings than this on one page is hatching or a hostile grid,
not a table a department prints (the largest corpus tables have a few thousand)."""
MAX_GRID_CELLS = 200_000
"""Grid cells of one table beyond which it is not read as a table (see MAX_CROSSINGS)."""


@dataclass(slots=True)
class Table:
    """A table found on a page: cell strings by row, plus the geometry later stages need."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]
    row_tops: list[float]
    used_chars: set[int] = field(default_factory=set)
    """``id()`` of the characters that went into the table (excluded from running text)."""


def _merge_collinear(edges: list[Edge]) -> list[Edge]:
    """Snap edges of one orientation onto shared positions and join touching pieces."""
    merged: list[Edge] = []
    for group in _position_groups(sorted(edges, key=lambda e: e.pos)):
        pos = sum(e.pos for e in group) / len(group)
        pieces = sorted(group, key=lambda e: e.start)
        current = Edge(pieces[0].orient, pos, pieces[0].start, pieces[0].end)
        for piece in pieces[1:]:
            if piece.start <= current.end + JOIN:
                current.end = max(current.end, piece.end)
            else:
                merged.append(current)
                current = Edge(piece.orient, pos, piece.start, piece.end)
        merged.append(current)
    return merged


def _position_groups(edges: list[Edge]) -> list[list[Edge]]:
    """Runs of edges (sorted by position) whose consecutive positions differ by < SNAP."""
    groups: list[list[Edge]] = []
    for edge in edges:
        if groups and edge.pos - groups[-1][-1].pos < SNAP:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    return groups


def _meet(horizontal: Edge, vertical: Edge) -> bool:
    return (
        horizontal.start - TOUCH <= vertical.pos <= horizontal.end + TOUCH
        and vertical.start - TOUCH <= horizontal.pos <= vertical.end + TOUCH
    )


class TooDense(Exception):
    """The rulings of a page are too many to be a table (see :data:`MAX_CROSSINGS`)."""


def _crossing_candidates(hs: list[Edge], vs: list[Edge]):
    """For each horizontal edge, the slice of ``vs`` (sorted by position) it may meet."""
    positions = [v.pos for v in vs]
    for i, horizontal in enumerate(hs):
        yield i, bisect_left(positions, horizontal.start - TOUCH), bisect_right(positions, horizontal.end + TOUCH)


def _connected_groups(hs: list[Edge], vs: list[Edge]) -> list[tuple[list[Edge], list[Edge]]]:
    """Edges split into groups that touch each other, each a candidate table.

    Raises:
        TooDense: the horizontals could meet more than :data:`MAX_CROSSINGS` verticals.
    """
    vs = sorted(vs, key=lambda e: e.pos)
    ranges = list(_crossing_candidates(hs, vs))
    crossings = sum(hi - lo for _, lo, hi in ranges)
    if crossings > MAX_CROSSINGS:
        raise TooDense(
            f"{len(hs)} horizontal and {len(vs)} vertical rulings cross up to {crossings} times (limit {MAX_CROSSINGS})"
        )
    parent = list(range(len(hs) + len(vs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, lo, hi in ranges:
        horizontal = hs[i]
        for j in range(lo, hi):
            if _meet(horizontal, vs[j]):
                parent[root(i)] = root(len(hs) + j)
    groups: dict[int, tuple[list[Edge], list[Edge]]] = {}
    for i, horizontal in enumerate(hs):
        groups.setdefault(root(i), ([], []))[0].append(horizontal)
    for j, vertical in enumerate(vs):
        groups.setdefault(root(len(hs) + j), ([], []))[1].append(vertical)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _grid_lines(positions: list[float]) -> list[float]:
    """Distinct positions, dropping tracks thinner than :data:`MIN_TRACK`."""
    lines: list[float] = []
    for pos in sorted(positions):
        if not lines or pos - lines[-1] >= MIN_TRACK:
            lines.append(pos)
    return lines


def _close_open_sides(hs: list[Edge], vs: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    """Add the outer border of a table drawn open at the left/right or top/bottom."""
    left, right = min(e.start for e in hs), max(e.end for e in hs)
    top, bottom = min(e.start for e in vs), max(e.end for e in vs)
    left, right = min(left, min(e.pos for e in vs)), max(right, max(e.pos for e in vs))
    top, bottom = min(top, min(e.pos for e in hs)), max(bottom, max(e.pos for e in hs))
    vs = list(vs)
    hs = list(hs)
    if min(e.pos for e in vs) - left > MIN_TRACK:
        vs.append(Edge("v", left, top, bottom))
    if right - max(e.pos for e in vs) > MIN_TRACK:
        vs.append(Edge("v", right, top, bottom))
    if min(e.pos for e in hs) - top > MIN_TRACK:
        hs.append(Edge("h", top, left, right))
    if bottom - max(e.pos for e in hs) > MIN_TRACK:
        hs.append(Edge("h", bottom, left, right))
    return hs, vs


class _Walls:
    """The rulings along each grid line, to ask in O(log n) whether one crosses a point.

    Replaces a scan of every edge per grid cell, which made a grid cost the cube of its lines.
    """

    def __init__(self, edges: list[Edge], lines: list[float]) -> None:
        spans: list[list[tuple[float, float]]] = [[] for _ in lines]
        for edge in edges:
            # grid lines are at least MIN_TRACK apart: an edge lies near one or two of them
            first = bisect_left(lines, edge.pos - MIN_TRACK)
            for k in range(first, min(first + 3, len(lines))):
                if abs(lines[k] - edge.pos) < MIN_TRACK:
                    spans[k].append((edge.start - SNAP, edge.end + SNAP))
        self._starts: list[list[float]] = []
        self._reach: list[list[float]] = []
        for line_spans in spans:
            line_spans.sort()
            self._starts.append([a for a, _ in line_spans])
            self._reach.append(list(accumulate((b for _, b in line_spans), max)))

    def crosses(self, line: int, across: float) -> bool:
        """Whether some ruling on grid line ``line`` covers the point ``across`` along it."""
        last = bisect_right(self._starts[line], across) - 1
        return last >= 0 and self._reach[line][last] >= across


class _Grid:
    """Grid lines of one table and the merged cells found between them."""

    def __init__(self, hs: list[Edge], vs: list[Edge]) -> None:
        self.xs = _grid_lines([e.pos for e in vs])
        self.ys = _grid_lines([e.pos for e in hs])
        self.n_rows, self.n_cols = len(self.ys) - 1, len(self.xs) - 1
        if self.n_rows * self.n_cols > MAX_GRID_CELLS:
            raise TooDense(f"a ruled grid of {self.n_rows} × {self.n_cols} cells (limit {MAX_GRID_CELLS})")
        self.anchor = list(range(max(self.n_rows * self.n_cols, 0)))
        columns, rows = _Walls(vs, self.xs), _Walls(hs, self.ys)
        mids_x = [(a + b) / 2 for a, b in zip(self.xs, self.xs[1:])]
        for r in range(self.n_rows):
            mid_y = (self.ys[r] + self.ys[r + 1]) / 2
            for c in range(self.n_cols):
                if c + 1 < self.n_cols and not columns.crosses(c + 1, mid_y):
                    self._merge(r * self.n_cols + c, r * self.n_cols + c + 1)
                if r + 1 < self.n_rows and not rows.crosses(r + 1, mids_x[c]):
                    self._merge(r * self.n_cols + c, (r + 1) * self.n_cols + c)

    def _find(self, cell: int) -> int:
        while self.anchor[cell] != cell:
            self.anchor[cell] = self.anchor[self.anchor[cell]]
            cell = self.anchor[cell]
        return cell

    def _merge(self, a: int, b: int) -> None:
        # The smaller index is the top-left cell of the span and keeps the text.
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.anchor[max(ra, rb)] = min(ra, rb)

    def cell_of(self, char: Char) -> int | None:
        """The anchor cell holding a character, or None when it lies outside the grid."""
        col = bisect_right(self.xs, char.mid_x) - 1
        row = bisect_right(self.ys, char.mid_y) - 1
        if not (0 <= col < self.n_cols and 0 <= row < self.n_rows):
            return None
        return self._find(row * self.n_cols + col)


def _fill(grid: _Grid, chars: list[Char]) -> tuple[list[list[str]], list[float], set[int]]:
    """Cell strings of the grid row by row, the top of each row, and the characters used."""
    by_cell: dict[int, list[Char]] = {}
    used: set[int] = set()
    for char in chars:
        cell = grid.cell_of(char)
        if cell is not None:
            by_cell.setdefault(cell, []).append(char)
            used.add(id(char))
    rows: list[list[str]] = []
    tops: list[float] = []
    for r in range(grid.n_rows):
        cells = [by_cell.get(r * grid.n_cols + c, []) for c in range(grid.n_cols)]
        if _rows_without_rulings(cells):
            for top, row in _split_by_lines(cells):
                rows.append(row)
                tops.append(top)
        else:
            rows.append([cell_text(cell) if cell else "" for cell in cells])
            tops.append(grid.ys[r])
    return rows, tops, used


def _rows_without_rulings(cells: list[list[Char]]) -> bool:
    """Whether one grid row holds several table rows (a table ruled only between columns).

    That is the case when at least two cells have several lines and one of them stacks
    amounts; a label wrapped beside single numbers, or a long code wrapped in its cell, is one
    row with a multi-line cell.
    """
    stacked = [group_lines(cell) for cell in cells if cell]
    stacked = [lines for lines in stacked if len(lines) >= 2]
    if len(stacked) < 2:
        return False
    return any(sum(_is_amount_line(line.text()) for line in lines) >= 2 for lines in stacked)


def _is_amount_line(text: str) -> bool:
    """A number on a line of its own; a long digit run is a code wrapped over two lines of its
    cell (a 20-digit project code), not a stack of amounts."""
    return (
        bool(NUMBER.match(text))
        and not (text.isdigit() and len(text) >= 10)
        and not (text.isdigit() and text.startswith("0") and len(text) > 2)
    )


def _split_by_lines(cells: list[list[Char]]) -> list[tuple[float, list[str]]]:
    """One (top, cells) row per text line running across the grid row."""
    column_of = {id(char): index for index, cell in enumerate(cells) for char in cell}
    result = []
    for line in group_lines([char for cell in cells for char in cell]):
        parts: list[list[Char]] = [[] for _ in cells]
        for char in line.chars:
            parts[column_of[id(char)]].append(char)
        result.append((line.top, [cell_text(part) if part else "" for part in parts]))
    return result


def _drop_empty(rows: list[list[str]], tops: list[float], widths: list[float]) -> tuple[list[list[str]], list[float]]:
    """Remove rows without text (spacer rows) and narrow empty columns (double-rule slivers).

    Wide empty columns stay: on a continuation page a column may hold no value at all and
    must keep its place so that later columns do not slide left.
    """
    keep_rows = [i for i, row in enumerate(rows) if any(row)]
    rows = [rows[i] for i in keep_rows]
    tops = [tops[i] for i in keep_rows]
    if not rows:
        return [], []
    keep_cols = [c for c in range(len(rows[0])) if widths[c] >= SLIVER or any(row[c] for row in rows)]
    return [[row[c] for c in keep_cols] for row in rows], tops


def find_ruled_tables(edges: list[Edge], chars: list[Char], notes: list[str] | None = None) -> list[Table]:
    """All ruled tables on a page, top to bottom.

    A grid counts as a table when it has two columns and two filled cells; a single row is
    kept because a table continued on the next page may end there with just its total row.
    Rulings too dense to be a table are passed over with a reason appended to ``notes``.
    """
    hs = _merge_collinear([e for e in edges if e.orient == "h"])
    vs = _merge_collinear([e for e in edges if e.orient == "v"])
    tables: list[Table] = []
    try:
        groups = _connected_groups(hs, vs)
    except TooDense as reason:
        groups = []
        _note(notes, reason)
    for group_h, group_v in groups:
        group_h, group_v = _close_open_sides(group_h, group_v)
        try:
            grid = _Grid(group_h, group_v)
        except TooDense as reason:
            _note(notes, reason)
            continue
        if grid.n_rows < 1 or grid.n_cols < 1:
            continue
        inside = [c for c in chars if grid.xs[0] <= c.mid_x <= grid.xs[-1] and grid.ys[0] <= c.mid_y <= grid.ys[-1]]
        rows, tops, used = _fill(grid, inside)
        widths = [b - a for a, b in zip(grid.xs, grid.xs[1:])]
        rows, tops = _drop_empty(rows, tops, widths)
        if not rows or len(rows[0]) < 2 or sum(bool(cell) for row in rows for cell in row) < 2:
            continue
        tables.append(Table(grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1], rows, tops, used))
    return sorted(tables, key=lambda t: (t.top, t.x0))


def _note(notes: list[str] | None, reason: TooDense) -> None:
    if notes is not None:
        notes.append(f"划线过密，未按表格读取，文字按行读取 (rulings too dense for a table: {reason})")
