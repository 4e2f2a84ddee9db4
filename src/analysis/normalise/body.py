"""Body rows of a table as the normalisers walk them: each row's filled cells, and a row that
only continues the text of the row above (a wrapped cell split by a page break) joined to it."""

from __future__ import annotations

Cells = list[tuple[int, str]]


def filled_cells(row: list[str]) -> Cells:
    """The row's non-empty cells as (column, text)."""
    return [(j, c) for j, c in enumerate(row) if c]


def join_to_last(rows: list[list[str]], filled: list[Cells], cells: Cells) -> None:
    """Append a continuation row's ``cells`` to the last kept row, in place of the lists."""
    previous = rows[-1] = list(rows[-1])  # the row lists are the reader's: copy first
    for j, text in cells:
        previous[j] = previous[j] + text
    filled[-1] = filled_cells(previous)
