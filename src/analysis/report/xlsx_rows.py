"""The data rows of a workbook sheet as XML, written straight into xlsxwriter's constant-memory
row file: the same bytes xlsxwriter writes cell by cell, at a fraction of its cost (issue 14:
the workbook was the largest part of the report at 10,000 documents).

xlsxwriter spends most of a large sheet in its per-cell machinery (argument conversion, a cell
tuple, the row table, attribute lists). Here the cells of a block of rows are built as Polars
string columns, what each ``_write_cell`` would write for a string, number or boolean with
inline strings (constant-memory mode), and joined into ``<row>`` elements in one pass; only the
numbers are formatted in Python, as xlsxwriter formats them (``%.16G``). Any cell this module
does not reproduce exactly (NaN and infinities, which xlsxwriter writes as error formulas;
control characters and ``_xHHHH_`` sequences, which it escapes; texts that look like rich
strings or come near the cell limit; other types) sends its whole row through xlsxwriter's own
writers, so the file stays what xlsxwriter alone would write;
``tests/test_report_workbook_rows.py`` compares the two byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# what xlsxwriter rewrites in a string (xmlwriter._escape_control_characters) or treats apart
_REWRITTEN = r"[\x00-\x08\x0B-\x1F\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
# xlsxwriter's _preserve_whitespace (Python's \s: Unicode White_Space and \x1c-\x1f)
_EDGE_SPACE = r"^[\s\x1C-\x1F]|[\s\x1C-\x1F]$"
_LONGEST = 16_383  # longer texts take xlsxwriter's path (it checks them against the cell limit)
BLOCK_ROWS = 20_000  # rows built at once: memory stays bounded on a sheet of a million rows

STRING, NUMBER, BOOLEAN, OTHER = "string", "number", "boolean", "other"

# the xlsxwriter releases whose cell writer this module reproduces (the byte-for-byte test ran
# on them); under another release every row takes xlsxwriter's own writers
MATCHED_RELEASES = ((3, 1), (4, 0))


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def matched_release(version: str = xlsxwriter.__version__) -> bool:
    return MATCHED_RELEASES[0] <= _release(version) < MATCHED_RELEASES[1]


def supported(sheet: Worksheet) -> bool:
    """Rows can be written here: constant-memory mode, no row formats or heights set, and
    nothing written yet past the header row; and an xlsxwriter release this module matches."""
    return bool(
        matched_release()
        and sheet.constant_memory
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


_G16 = "{:.16G}".format  # xlsxwriter's number format (``%.16G``)


def _number_texts(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Numbers as xlsxwriter writes them (null for an empty cell), and which it writes
    otherwise (NaN and ±inf, as error formulas)."""
    odd = column.is_nan() | column.is_infinite() if column.dtype.is_float() else pl.Series([False] * column.len())
    texts = pl.Series(list(map(_G16, column.fill_null(0).to_list())), dtype=pl.String)
    return texts.zip_with(column.is_not_null(), pl.Series([None], dtype=pl.String)), odd.fill_null(False)


def _cell(column: pl.Series, kind: str, start: pl.Expr, style: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(cell XML or null for an empty cell, whether the cell needs xlsxwriter's path)."""
    value = pl.col(column.name)
    present = value.is_not_null()
    if kind == STRING:
        text = value.str.replace_all("&", "&amp;", literal=True)
        text = text.str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True)
        preserve = pl.when(value.str.contains(_EDGE_SPACE)).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit(""))
        xml = pl.concat_str(
            [start, style, pl.lit(' t="inlineStr"><is><t'), preserve, pl.lit(">"), text, pl.lit("</t></is></c>")]
        )
        slow = present & (
            value.str.contains(_REWRITTEN)
            | (value.str.starts_with("<r>") & value.str.ends_with("</r>"))
            | (value.str.len_chars() > _LONGEST)
        )
        return xml, slow
    if kind == NUMBER:
        texts, odd = _number_texts(column)
        xml = pl.concat_str([start, style, pl.lit("><v>"), pl.lit(texts), pl.lit("</v></c>")])
        return xml, present & pl.lit(odd)
    if kind == BOOLEAN:
        flag = pl.when(value).then(pl.lit("1")).otherwise(pl.lit("0"))
        return pl.concat_str([start, style, pl.lit(' t="b"><v>'), flag, pl.lit("</v></c>")]), pl.lit(False)
    return pl.lit(None, dtype=pl.String), present


def _used_formats(
    sheet: Worksheet, block: pl.DataFrame, formats: Sequence[object], overrides: Mapping[int, tuple[pl.Series, object]]
) -> set[tuple[int, bool]]:
    """(column, override or not) of the formats the block's cells use, after giving those
    formats their xf indices in the order xlsxwriter would: it numbers a format when it first
    writes a cell with it, row by row, column by column (and a format no cell uses only when the
    sheet is closed)."""
    uses = []
    for c, column in enumerate(block.iter_columns()):
        present = column.is_not_null()
        mask = overrides[c][0] if c in overrides else pl.Series([False] * block.height)
        for override, where in ((False, present & ~mask), (True, present & mask)):
            first = where.arg_true()
            if first.len():
                uses.append((first[0], c, override))
    for _, c, override in sorted(uses):
        _style(overrides[c][1] if override else formats[c], sheet, c)
    return {(c, override) for _, c, override in uses}


def _block_xml(
    sheet: Worksheet,
    block: pl.DataFrame,
    first: int,
    kinds: Sequence[str],
    formats: Sequence[object],
    overrides: Mapping[int, tuple[pl.Series, object]],
) -> tuple[list[str | None], list[bool]]:
    """Each row's ``<row>`` element (None: no cell) and whether it needs xlsxwriter's path;
    ``first``: the sheet row of the block's first row."""
    used = _used_formats(sheet, block, formats, overrides)
    numbers = pl.int_range(first + 1, first + 1 + block.height, eager=True).cast(pl.String)
    cells, slows = [], []
    for c, (column, kind) in enumerate(zip(block.iter_columns(), kinds, strict=True)):
        start = pl.lit(f'<c r="{xl_col_to_name(c)}') + pl.lit(numbers) + pl.lit('"')
        style = pl.lit(_style(formats[c], sheet, c) if (c, False) in used else "")
        if (c, True) in used:
            mask, fmt = overrides[c]
            style = pl.when(pl.lit(mask)).then(pl.lit(_style(fmt, sheet, c))).otherwise(style)
        xml, slow = _cell(column, kind, start, style)
        cells.append(pl.when(pl.col(column.name).is_not_null()).then(xml).alias(f"c{c}"))
        slows.append(slow)
    rows = block.select(
        pl.when(pl.any_horizontal(cell.is_not_null() for cell in cells))
        .then(
            pl.concat_str(
                [pl.lit('<row r="') + pl.lit(numbers) + pl.lit('">'), *cells, pl.lit("</row>")], ignore_nulls=True
            )
        )
        .alias("xml"),
        pl.any_horizontal(slows).fill_null(False).alias("slow"),
    )
    return rows["xml"].to_list(), rows["slow"].to_list()


def write_rows(
    sheet: Worksheet,
    frame: pl.DataFrame,
    kinds: Sequence[str],
    formats: Sequence[object],
    overrides: Mapping[int, tuple[pl.Series, object]],
    slow: Callable[[int, Sequence], None],
) -> None:
    """Write the rows of ``frame`` (the first at sheet row 1) after the header row.

    ``kinds[c]``: STRING, NUMBER, BOOLEAN or OTHER, the writer column ``c`` uses;
    ``formats[c]``: the xlsxwriter format of column ``c``'s cells (None: the column's);
    ``overrides[c]``: (mask, format): the format of column ``c``'s cells on rows where the
    boolean ``mask`` (one per row of ``frame``) is true;
    ``slow(r, row)``: writes row ``r`` cell by cell with xlsxwriter (its public writers), for a
    row holding a cell this module does not write.
    """
    sheet._write_single_row(1)  # the header row (row 0) out of xlsxwriter's row table
    handle = sheet.fh
    last = None
    for offset in range(0, frame.height, BLOCK_ROWS):
        block = frame.slice(offset, BLOCK_ROWS)
        parts = {c: (mask.slice(offset, BLOCK_ROWS), fmt) for c, (mask, fmt) in overrides.items()}
        xmls, slows = _block_xml(sheet, block, offset + 1, kinds, formats, parts)
        pending: list[str] = []
        for n, (xml, is_slow) in enumerate(zip(xmls, slows, strict=True)):
            r = offset + n + 1
            if is_slow:
                handle.write("".join(pending))
                pending = []
                row = block.row(n)
                sheet.previous_row = r  # xlsxwriter's own writers take this row
                slow(r, row)
                sheet._write_single_row(r + 1)
                last = r if any(v is not None for v in row) else last
            elif xml is not None:
                pending.append(xml)
                last = r
        handle.write("".join(pending))
    if last is not None:
        sheet.dim_rowmax = max(sheet.dim_rowmax or 0, last)
        sheet.dim_colmin = 0 if sheet.dim_colmin is None else sheet.dim_colmin
    sheet.previous_row = frame.height + 1
