"""Read Excel workbooks (.xlsx with openpyxl, .xls with xlrd) into a :class:`Document`.

Each visible sheet becomes, in order: a heading (the sheet's title row, or the sheet name
when it has none), paragraphs for caption and note rows ("编制部门：", "单位：元", "注：…")
and narrative cells, and one table block per grid region. Every block and every table row
carries ``Location(sheet=..., line=<1-based row>)``.

Cells are given as printed, not as typed: merged ranges keep their value in the first cell
and "" elsewhere (how multi-row headers look to the recogniser, hazard P3 in DOMAIN.md §0.6),
numbers are exact decimal strings without float noise or thousands separators, numbers stored
as text keep their text, dates are ISO strings, and a formula without a cached value is kept
as its formula text ("=SUM(B2:B9)") so the caller can report it as unparsed.

Grid regions are found from cell borders when the sheet has them (the Shanghai templates
leave bordered blank rows inside tables) and from cell counts otherwise; see
:func:`_classify_rows`.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlrd
from xlrd.compdoc import CompDoc

from analysis.model import Block, Document, Location, PageIssue, ReadError

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

_EMPTY_SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
               RuntimeError, OSError)
"""What zipfile raises on a damaged archive besides BadZipFile (bad offsets, flags, versions)."""
_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")
_SIDES = ("left", "right", "top", "bottom")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(slots=True)
class _Sheet:
    """One worksheet reduced to what the layout step needs (0-based coordinates)."""

    name: str
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    """Non-empty cell texts only."""
    boxed: set[tuple[int, int]] = field(default_factory=set)
    """Cells drawn with a vertical rule or a full box, i.e. cells of a ruled grid."""
    spans: dict[tuple[int, int], int] = field(default_factory=dict)
    """Anchor cell of each merged range -> number of columns it spans."""


def read_excel(path: str | Path) -> Document:
    """Read a workbook into a :class:`Document`, sniffing the format from the bytes.

    Args:
        path: An .xlsx/.xlsm or .xls file; the extension is not trusted.

    Returns:
        The document; sheets that cannot be read are listed in ``issues``.

    Raises:
        ReadError: The file is missing, not a workbook, corrupt, truncated or encrypted.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(f"{path.name}: 无法打开文件 (cannot open file: {err.strerror or err})") from err
    kind = _sniff_format(path.name, data)
    if kind == "xlsx":
        sheets, issues = _read_xlsx(path.name, data)
    else:
        sheets, issues = _read_xls(path.name, data)
    blocks = [block for sheet in sheets for block in _sheet_blocks(sheet)]
    return Document(path=str(path), format=kind, blocks=blocks, issues=issues)


def _sniff_format(name: str, data: bytes) -> str:
    """Tell an xlsx zip from an xls OLE file, and explain anything else."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = set(archive.namelist())
        except _ZIP_DAMAGE as err:
            raise ReadError(f"{name}: xlsx 文件损坏或不完整 (corrupt or truncated xlsx)") from err
        if "xl/workbook.bin" in members:
            raise ReadError(f"{name}: 不支持 .xlsb 工作簿 (.xlsb is not supported; save as .xlsx)")
        if not any(m.startswith("xl/") for m in members):
            raise ReadError(f"{name}: 压缩包不是 Excel 工作簿 (zip archive that is not an Excel workbook)")
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        try:
            streams = {node.name for node in CompDoc(data, logfile=io.StringIO()).dirlist}
        except Exception as err:  # xlrd's OLE parser fails with asserts, struct and index errors
            raise ReadError(f"{name}: OLE 文件损坏或不完整 (corrupt or truncated OLE file: {err})") from err
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise ReadError(f"{name}: 工作簿设有密码 (password-protected, encrypted)")
        if "Workbook" in streams or "Book" in streams:
            return "xls"
        raise ReadError(f"{name}: 不是 Excel 文件 (OLE file without a workbook stream)")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<!doctype" in head):
        raise ReadError(f"{name}: 这是网页而非工作簿 (an HTML page saved with an Excel extension)")
    if not data:
        raise ReadError(f"{name}: 文件为空 (empty file)")
    raise ReadError(f"{name}: 不是 Excel 工作簿 (not an Excel workbook: neither xlsx nor xls)")


# --- xlsx -----------------------------------------------------------------------------------


def _read_xlsx(name: str, data: bytes) -> tuple[list[_Sheet], list[PageIssue]]:
    """Load an xlsx with cached values, blanking unreadable sheets instead of failing."""
    issues: list[PageIssue] = []
    try:
        book = _open_openpyxl(data, data_only=True)
    except Exception as first_error:  # openpyxl raises many unrelated types on bad input
        data, broken = _blank_unreadable_sheets(data)
        if not broken:
            raise _corrupt(name, "xlsx", first_error) from first_error
        issues = [_sheet_issue(sheet, why) for sheet, why in broken]
        try:
            book = _open_openpyxl(data, data_only=True)
        except Exception as err:
            raise _corrupt(name, "xlsx", err) from err
    parts = _sheet_parts(data)
    try:
        formulas = _uncached_formula_texts(data, parts)
    except Exception as err:  # without them uncached formulas read as empty cells; say so
        formulas = {}
        issues.append(PageIssue(Location(), f"未能读取公式文本 (formula texts: {_describe(err)})"))
    # openpyxl silently drops a sheet whose part is missing from the archive.
    missing = [sheet for sheet in parts.values() if sheet not in book.sheetnames]
    issues += [_sheet_issue(sheet, "missing from the file") for sheet in missing]
    broken_names = {issue.location.sheet for issue in issues}
    sheets = []
    for worksheet in book.worksheets:
        if worksheet.sheet_state != "visible" or worksheet.title in broken_names:
            continue
        try:
            sheets.append(_sheet_from_openpyxl(worksheet, formulas.get(worksheet.title, {})))
        except Exception as err:  # one odd sheet must not cost the rest of the workbook
            issues.append(_sheet_issue(worksheet.title, _describe(err)))
    return sheets, issues


def _open_openpyxl(data: bytes, *, data_only: bool, read_only: bool = False):
    # A file object bypasses openpyxl's extension check (a real xlsx named .xls is common);
    # its warnings are about features (validation, drawings) that reading does not need.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only)


def _sheet_from_openpyxl(worksheet, formulas: dict[tuple[int, int], str]) -> _Sheet:
    sheet = _Sheet(worksheet.title)
    # Only stored cells: iter_rows() would materialise every blank cell up to max_row/max_column,
    # which styled whole columns can push to a million rows.
    for (row, col), cell in worksheet._cells.items():
        key = (row - 1, col - 1)
        if cell.value is None:
            text = formulas.get(key, "")
        else:
            text = cell_text(cell.value, cell.number_format)
        if text:
            sheet.cells[key] = text
        rules = cell.border
        sides = (getattr(getattr(rules, s, None), "style", None) for s in _SIDES)
        if _is_ruled(*sides):
            sheet.boxed.add(key)
    for merged in worksheet.merged_cells.ranges:
        sheet.spans[(merged.min_row - 1, merged.min_col - 1)] = merged.max_col - merged.min_col + 1
    return sheet


def _uncached_formula_texts(data: bytes, parts: dict[str, str]) -> dict[str, dict]:
    """Formula text of every formula cell, by sheet; used where no cached value was saved."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stored = set(archive.namelist())
        # A second parse of every sheet costs a third of the read time; skip it when no
        # sheet holds a formula element.
        if parts and not any(_FORMULA_TAG.search(archive.read(p)) for p in parts if p in stored):
            return found
    book = _open_openpyxl(data, data_only=False, read_only=True)
    try:
        for worksheet in book.worksheets:
            worksheet.reset_dimensions()  # iterate stored cells, not a declared A1:XFD1048576
            try:
                for row in worksheet.iter_rows():
                    for cell in row:
                        if getattr(cell, "data_type", None) == "f":
                            formula = str(getattr(cell.value, "text", cell.value))
                            key = (cell.row - 1, cell.column - 1)
                            found.setdefault(worksheet.title, {})[key] = formula
            except Exception:  # noqa: BLE001 - the value pass reports unreadable sheets
                continue
    finally:
        book.close()
    return found


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Map each sheet's zip member path to its name, from workbook.xml and its relations."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = ET.fromstring(archive.read("xl/workbook.xml"))
            relations = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, *_ZIP_DAMAGE):
        return {}  # openpyxl's own load reports the damage
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[part] = sheet.get("name", "")
    return parts


def _blank_unreadable_sheets(data: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """Copy the archive with every unreadable worksheet replaced by an empty one.

    Returns the input and no sheets when something other than a worksheet is damaged.
    """
    parts = _sheet_parts(data)
    broken: list[tuple[str, str]] = []
    output = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                try:
                    payload = source.read(info)
                    if info.filename in parts:
                        ET.fromstring(payload)
                except (ET.ParseError, *_ZIP_DAMAGE) as err:
                    if info.filename not in parts:
                        return data, []
                    broken.append((parts[info.filename], _describe(err)))
                    payload = _EMPTY_SHEET_XML
                target.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
    except _ZIP_DAMAGE:
        return data, []
    return output.getvalue(), broken


# --- xls ------------------------------------------------------------------------------------


def _read_xls(name: str, data: bytes) -> tuple[list[_Sheet], list[PageIssue]]:
    """Load an .xls sheet by sheet (on demand) so that one bad sheet is only an issue."""
    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
    except xlrd.XLRDError as err:
        if "encrypted" in str(err).lower():
            raise ReadError(f"{name}: 工作簿设有密码 (password-protected, encrypted)") from err
        raise _corrupt(name, "xls", err) from err
    except Exception as err:  # xlrd reports truncation as struct/index errors
        raise _corrupt(name, "xls", err) from err
    sheets, issues = [], []
    for index, sheet_name in enumerate(book.sheet_names()):
        try:
            xls_sheet = book.sheet_by_index(index)
            if xls_sheet.visibility == 0:
                sheets.append(_sheet_from_xlrd(book, xls_sheet))
        except Exception as err:  # one odd sheet must not cost the rest of the workbook
            issues.append(_sheet_issue(sheet_name, _describe(err)))
        finally:
            book.unload_sheet(index)
    book.release_resources()
    return sheets, issues


def _sheet_from_xlrd(book, xls_sheet) -> _Sheet:
    sheet = _Sheet(xls_sheet.name)
    covered = set()
    for row_lo, row_hi, col_lo, col_hi in xls_sheet.merged_cells:
        sheet.spans[(row_lo, col_lo)] = col_hi - col_lo
        covered |= {(r, c) for r in range(row_lo, row_hi) for c in range(col_lo, col_hi)}
        covered.discard((row_lo, col_lo))
    for row in range(xls_sheet.nrows):
        for col, ctype in enumerate(xls_sheet.row_types(row)):
            if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) or (row, col) in covered:
                continue
            xf = book.xf_list[xls_sheet.cell_xf_index(row, col)]
            number_format = book.format_map[xf.format_key].format_str
            text = _xls_text(ctype, xls_sheet.cell_value(row, col), number_format, book.datemode)
            if text:
                sheet.cells[(row, col)] = text
    # Rules matter only inside the content's extent; styled blank columns can reach 256.
    n_rows, n_cols = _extent(sheet)
    for row in range(min(n_rows, xls_sheet.nrows)):
        for col in range(min(n_cols, xls_sheet.row_len(row))):
            rules = book.xf_list[xls_sheet.cell_xf_index(row, col)].border
            if _is_ruled(rules.left_line_style, rules.right_line_style,
                         rules.top_line_style, rules.bottom_line_style):
                sheet.boxed.add((row, col))
    return sheet


def _xls_text(ctype: int, value, number_format: str, datemode: int) -> str:
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(value, datemode), number_format)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell_text(value, "General")
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value), number_format)
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return cell_text(value, number_format)


# --- cell values ----------------------------------------------------------------------------


def cell_text(value: object, number_format: str = "General") -> str:
    """Render a cell value as printed: exact numbers, ISO dates, stripped text.

    >>> cell_text(0.1 + 0.2), cell_text(12345.6, "#,##0.00"), cell_text(0.125, "0.0%")
    ('0.3', '12345.60', '12.5%')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def format_number(value: int | float, number_format: str = "General") -> str:
    """Write a number without float noise, padded to the decimals its format shows.

    Excel keeps 15 significant digits, so rounding to 15 removes binary artefacts such as
    0.30000000000000004. Digits beyond the format's decimals are kept rather than rounded
    away, so the text is always the exact stored value.

    >>> format_number(205.0), format_number(1e-7), format_number(-0.0, "0.00")
    ('205', '0.0000001', '0.00')
    """
    exact = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.15g}")
    decimals, is_percent = _format_decimals(number_format)
    if is_percent:
        exact = exact.scaleb(2)
    exact = exact.normalize()
    places = max(-exact.as_tuple().exponent, 0, decimals)
    text = f"{exact:.{places}f}"
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return f"{text}%" if is_percent else text


def _format_decimals(number_format: str) -> tuple[int, bool]:
    """Decimals shown by the positive section of a number format, and whether it is a %."""
    section = (number_format or "General").split(";")[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if re.search(r"[eE][+-]", section):
        return 0, False
    match = re.search(r"\.([0#?]+)", section)
    return (len(match.group(1)) if match else 0), "%" in section


def _is_ruled(left, right, top, bottom) -> bool:
    """A vertical rule or a full box marks a grid cell; a lone underline does not (the rule
    under a caption row is the top line of the table below it)."""
    return bool(left or right or (top and bottom))


def _corrupt(name: str, kind: str, err: BaseException) -> ReadError:
    return ReadError(f"{name}: {kind} 文件损坏或不完整 (corrupt or truncated {kind}: {_describe(err)})")


def _sheet_issue(sheet: str, reason: str) -> PageIssue:
    return PageIssue(Location(sheet=sheet), f"工作表无法读取 (worksheet unreadable: {reason})")


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


# --- layout ---------------------------------------------------------------------------------


def _classify_rows(sheet: _Sheet, rows: list[list[str]]) -> list[str]:
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


def _sheet_blocks(sheet: _Sheet) -> list[Block]:
    """Turn one sheet into heading, paragraph and table blocks in row order."""
    n_rows, n_cols = _extent(sheet)
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


def _extent(sheet: _Sheet) -> tuple[int, int]:
    """Rows and columns up to the last non-empty cell; trailing empty ones are trimmed."""
    if not sheet.cells:
        return 0, 0
    return max(r for r, _ in sheet.cells) + 1, max(c for _, c in sheet.cells) + 1


def _is_short(text: str) -> bool:
    return len(_one_line(text)) <= MAX_TITLE_CHARS


def _one_line(text: str) -> str:
    """Join a wrapped cell's lines; wrapping inside CJK titles carries no space."""
    return "".join(line.strip() for line in text.splitlines())
