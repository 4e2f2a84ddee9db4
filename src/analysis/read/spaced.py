"""Tables laid out with runs of spaces (``pdftotext -layout`` and similar converters).

Splitting each line on runs of spaces loses empty cells, so numbers slide into the wrong
column. Instead the columns of a whole run of lines are found from the "rivers" of blank
display columns that no data row crosses, and every field is placed in the column it sits
in; an empty cell stays an empty string. Widths follow East Asian display width (a CJK
character takes two columns), as layout converters place text.
"""

from __future__ import annotations

import re
import unicodedata

_FIELD = re.compile(r"\S+(?: \S+)*")
_NUMBER = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fields(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each field in display columns; fields are split by 2+ spaces."""
    out = []
    for m in _FIELD.finditer(line.rstrip()):
        start = _width(line[: m.start()])
        out.append((start, start + _width(m.group(0)), m.group(0)))
    return out


def _intervals(rows: list[list[tuple[int, int, str]]]) -> list[tuple[int, int]]:
    """Column intervals separated by display columns that none of ``rows`` occupies."""
    width = max((end for row in rows for _, end, _ in row), default=0)
    used = [False] * (width + 1)
    for row in rows:
        for start, end, _ in row:
            for x in range(start, end):
                used[x] = True
    intervals: list[tuple[int, int]] = []
    begin: int | None = None
    for x, busy in enumerate(used):
        if busy and begin is None:
            begin = x
        elif not busy and begin is not None:
            intervals.append((begin, x))
            begin = None
    return intervals


def _claim_gaps(intervals: list[tuple[int, int]], rows) -> list[tuple[int, int]]:
    """Widen each interval over the blank gap that belongs to its column: numbers are printed
    right-aligned, so the gap before a numeric column is that column's; text is left-aligned,
    so the gap after a text column is that column's. A header printed at the start of a wide
    numeric column (合计 above right-aligned amounts) then lands in that column."""
    numeric = []
    for lo, hi in intervals:
        texts = [t for row in rows for s, e, t in row if s < hi and e > lo]
        numeric.append(bool(texts) and sum(bool(_NUMBER.match(t)) for t in texts) * 2 >= len(texts))
    spans = [list(iv) for iv in intervals]
    for k in range(len(intervals) - 1):
        if numeric[k + 1]:
            spans[k + 1][0] = intervals[k][1]
        else:
            spans[k][1] = intervals[k + 1][0]
    return [(s[0], s[1]) for s in spans]


def spaced_rows(lines: list[str]) -> list[list[str]]:
    """Cells of a run of space-aligned lines, empty cells kept in place."""
    parsed = [_fields(line) for line in lines]
    data = [row for row in parsed if any(_NUMBER.match(text) for _, _, text in row)]
    intervals = _intervals(data if len(data) >= 2 else parsed)
    if len(intervals) < 2:
        return [[text for _, _, text in row] for row in parsed]
    spans = _claim_gaps(intervals, data or parsed)
    rows = []
    for row in parsed:
        cells = [""] * len(intervals)
        for start, end, text in row:
            # the interval overlapping most; a header wider than its column goes to the first
            best = max(range(len(spans)), key=lambda k: min(end, spans[k][1]) - max(start, spans[k][0]))
            cells[best] = f"{cells[best]} {text}".strip() if cells[best] else text
        rows.append(cells)
    return rows
