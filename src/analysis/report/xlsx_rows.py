"""The data rows of a workbook sheet as XML, written straight into xlsxwriter's constant-memory
row file: the same bytes xlsxwriter writes cell by cell, at a fraction of its cost (issue 14:
the workbook was the largest part of the report at 10,000 documents).

xlsxwriter spends most of a large sheet in its per-cell machinery (argument conversion, a cell
tuple, the row table, attribute lists). Here each cell is one f-string of what its
``_write_cell`` would write for a string, number or boolean with inline strings
(constant-memory mode). Any cell this module does not reproduce exactly (NaN and infinities,
which xlsxwriter writes as error formulas; control characters and ``_xHHHH_`` sequences, which
it escapes; texts that look like rich strings or come near the cell limit; other types) sends
its whole row through xlsxwriter's own writers, so the file stays what xlsxwriter alone would
write; ``tests/test_report_workbook_rows.py`` compares the two byte for byte.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# what xlsxwriter rewrites in a string (xmlwriter._escape_control_characters) or treats apart
_REWRITTEN = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")

STRING, NUMBER, BOOLEAN, OTHER = "string", "number", "boolean", "other"


class _Slow(Exception):
    """A cell this module does not write: the row goes through xlsxwriter."""


def supported(sheet: Worksheet) -> bool:
    """Rows can be written here: constant-memory mode, no row formats or heights set, and
    nothing written yet past the header row."""
    return bool(
        sheet.constant_memory
        and not sheet.row_info
        and sheet.excel_version == 2007
        and sheet.default_row_height == sheet.original_row_height
        and sheet.previous_row == 0
    )


def _style(fmt, sheet: Worksheet, col: int) -> str:
    """The ``s`` attribute xlsxwriter gives a cell of column ``col`` written with ``fmt``."""
    if fmt is not None:
        return f' s="{fmt._get_xf_index()}"'
    info = sheet.col_info.get(col)
    if info is not None and info.column_format is not None:
        return f' s="{info.column_format._get_xf_index()}"'
    return ""


class _Styles:
    """``s`` attributes by column and format, computed once each."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.known: dict[tuple[int, int], str] = {}

    def __call__(self, fmt, col: int) -> str:
        key = (id(fmt), col)
        if key not in self.known:
            self.known[key] = _style(fmt, self.sheet, col)
        return self.known[key]


def _string(ref: str, style: str, value: str) -> str:
    if _REWRITTEN.search(value) or (value.startswith("<r>") and value.endswith("</r>")) or len(value) > 16_383:
        raise _Slow
    preserve = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def _number(ref: str, style: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or math.isinf(value):
        raise _Slow
    return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'


def _boolean(ref: str, style: str, value) -> str:
    if not isinstance(value, bool):
        raise _Slow
    return f'<c r="{ref}"{style} t="b"><v>{1 if value else 0}</v></c>'


def _other(ref: str, style: str, value) -> str:
    raise _Slow


_CELL = {STRING: _string, NUMBER: _number, BOOLEAN: _boolean, OTHER: _other}


def write_rows(
    sheet: Worksheet,
    rows: Iterable[Sequence],
    kinds: Sequence[str],
    formats: Sequence[Callable[[int], object]],
    slow: Callable[[int, Sequence], None],
) -> None:
    """Write ``rows`` (the data rows, first at sheet row 1) after the header row.

    ``kinds[c]``: STRING, NUMBER, BOOLEAN or OTHER, the writer column ``c`` uses;
    ``formats[c](r)``: the xlsxwriter format of the cell of row ``r`` (None: the column's);
    ``slow(r, row)``: writes row ``r`` cell by cell with xlsxwriter (its public writers), for a
    row holding a cell this module does not write.
    """
    sheet._write_single_row(1)  # the header row (row 0) out of xlsxwriter's row table
    letters = [xl_col_to_name(c) for c in range(len(kinds))]
    writers = [_CELL[k] for k in kinds]
    style = _Styles(sheet)
    handle = sheet.fh
    last = None
    r = 0
    for r, row in enumerate(rows, start=1):
        number = r + 1
        try:
            cells = [
                writers[c](f"{letters[c]}{number}", style(formats[c](r), c), value)
                for c, value in enumerate(row)
                if value is not None
            ]
        except _Slow:
            sheet.previous_row = r  # xlsxwriter's own writers take this row
            slow(r, row)
            sheet._write_single_row(r + 1)
            last = r if any(v is not None for v in row) else last
            continue
        if cells:
            handle.write(f'<row r="{number}">{"".join(cells)}</row>')
            last = r
    if last is not None:
        sheet.dim_rowmax = max(sheet.dim_rowmax or 0, last)
        sheet.dim_colmin = 0 if sheet.dim_colmin is None else sheet.dim_colmin
    sheet.previous_row = r + 1
