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
:mod:`analysis.read.excel_layout`.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import xlrd
from xlrd.compdoc import CompDoc

from analysis.model import Document, Location, PageIssue, ReadError
from analysis.read.excel_cells import cell_text, is_ruled
from analysis.read.excel_layout import Sheet, SheetTooLarge, extent, sheet_blocks

_EMPTY_SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError)
"""What zipfile raises on a damaged archive besides BadZipFile (bad offsets, flags, versions)."""
_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")
MAX_UNCOMPRESSED = 256 * 1024 * 1024
"""Bytes an xlsx may unpack to. The largest real budget workbooks unpack to a few MB; a small
file declaring hundreds of MB (shared strings or a sheet of repeated cells) is a zip bomb."""
MAX_CELLS = 2_000_000
"""Stored cells one worksheet may hold before it is passed over as not a disclosure table."""
_XLS_BORDER_SCAN = 1_000_000
"""Beyond this many row × column positions, borders of an .xls are looked up only in rows
with text (a stray far-away cell must not make the reader visit 16 million cells)."""
_SIDES = ("left", "right", "top", "bottom")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


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
        size = path.stat().st_size
        if size > MAX_UNCOMPRESSED:
            raise ReadError(
                f"{path.name}: 工作簿文件过大 (file of {size / 2**20:.0f} MB, limit {MAX_UNCOMPRESSED / 2**20:.0f} MB)"
            )
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(f"{path.name}: 无法打开文件 (cannot open file: {err.strerror or err})") from err
    kind = _sniff_format(path.name, data)
    if kind == "xlsx":
        sheets, issues = _read_xlsx(path.name, data)
    else:
        sheets, issues = _read_xls(path.name, data)
    blocks = []
    for sheet in sheets:
        try:
            blocks += sheet_blocks(sheet)
        except SheetTooLarge as err:
            issues.append(_sheet_issue(sheet.name, str(err)))
    return Document(path=str(path), format=kind, blocks=blocks, issues=issues)


def _sniff_format(name: str, data: bytes) -> str:
    """Tell an xlsx zip from an xls OLE file, and explain anything else."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = set(archive.namelist())
                unpacked = sum(info.file_size for info in archive.infolist())
        except _ZIP_DAMAGE as err:
            raise ReadError(f"{name}: xlsx 文件损坏或不完整 (corrupt or truncated xlsx)") from err
        # zipfile stops at the declared size (a member inflating beyond it fails its CRC), so
        # the declared sizes bound what reading can unpack
        if unpacked > MAX_UNCOMPRESSED:
            raise ReadError(
                f"{name}: xlsx 解压后过大，疑似压缩炸弹 (unpacks to {unpacked / 2**20:.0f} MB, "
                f"limit {MAX_UNCOMPRESSED / 2**20:.0f} MB)"
            )
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


def _read_xlsx(name: str, data: bytes) -> tuple[list[Sheet], list[PageIssue]]:
    """Load an xlsx with cached values, blanking unreadable sheets instead of failing."""
    data, oversized = _blank_oversized_sheets(data)
    issues = [_sheet_issue(sheet, why) for sheet, why in oversized]
    try:
        book = _open_openpyxl(data, data_only=True)
    except Exception as first_error:  # openpyxl raises many unrelated types on bad input
        data, broken = _blank_unreadable_sheets(data)
        if not broken:
            raise _corrupt(name, "xlsx", first_error) from first_error
        issues += [_sheet_issue(sheet, why) for sheet, why in broken]
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


def _sheet_from_openpyxl(worksheet, formulas: dict[tuple[int, int], str]) -> Sheet:
    if len(worksheet._cells) > MAX_CELLS:
        raise SheetTooLarge(f"{len(worksheet._cells)} stored cells (limit {MAX_CELLS})")
    sheet = Sheet(worksheet.title)
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
        if is_ruled(*sides):
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
            except Exception:  # the value pass reports unreadable sheets
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


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _oversized(payload: bytes) -> None:
    """Raise when the sheet's merged ranges cover more than MAX_CELLS cells: openpyxl makes a
    cell object for every covered cell, so A1:XFD1048576 would never finish loading."""
    area = 0
    for first_col, first_row, last_col, last_row in _MERGE_REF.findall(payload):
        area += (abs(int(last_row) - int(first_row)) + 1) * (
            abs(_column_number(last_col) - _column_number(first_col)) + 1
        )
    if area > MAX_CELLS:
        raise SheetTooLarge(f"merged ranges cover {area} cells (limit {MAX_CELLS})")


def _blank_oversized_sheets(data: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """The archive with sheets whose merged ranges are too large blanked (rewritten only then)."""
    parts = _sheet_parts(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            stored = set(archive.namelist())
            for part in parts:
                if part in stored and b"mergeCell" in (payload := archive.read(part)):
                    try:
                        _oversized(payload)
                    except SheetTooLarge:
                        return _blank_unreadable_sheets(data, judge=_oversized)
    except _ZIP_DAMAGE:
        pass  # openpyxl's load reports the damage
    return data, []


def _parse(payload: bytes) -> None:
    ET.fromstring(payload)


def _blank_unreadable_sheets(data: bytes, judge=_parse) -> tuple[bytes, list[tuple[str, str]]]:
    """Copy the archive with every worksheet that ``judge`` rejects (unparsable, by default)
    replaced by an empty one; the input itself when none is.

    Returns the input and no sheets when something other than a worksheet is damaged.
    """
    parts = _sheet_parts(data)
    if not parts:
        return data, []
    broken: list[tuple[str, str]] = []
    output = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                try:
                    payload = source.read(info)
                    if info.filename in parts:
                        judge(payload)
                except (ET.ParseError, SheetTooLarge, *_ZIP_DAMAGE) as err:
                    if info.filename not in parts:
                        return data, []
                    broken.append((parts[info.filename], _describe(err)))
                    payload = _EMPTY_SHEET_XML
                target.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
    except _ZIP_DAMAGE:
        return data, []
    return (output.getvalue(), broken) if broken else (data, [])


# --- xls ------------------------------------------------------------------------------------


def _read_xls(name: str, data: bytes) -> tuple[list[Sheet], list[PageIssue]]:
    """Load an .xls sheet by sheet (on demand) so that one bad sheet is only an issue."""
    try:
        book = xlrd.open_workbook(  # ragged: rows keep their own length, not the widest row's
            file_contents=data,
            formatting_info=True,
            on_demand=True,
            logfile=io.StringIO(),
            ragged_rows=True,
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


def _sheet_from_xlrd(book, xls_sheet) -> Sheet:
    sheet = Sheet(xls_sheet.name)
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
    n_rows, n_cols = extent(sheet)
    rows: Iterable[int] = range(min(n_rows, xls_sheet.nrows))
    if n_rows * n_cols > _XLS_BORDER_SCAN:
        rows = sorted({r for r, _ in sheet.cells})
    for row in rows:
        for col in range(min(n_cols, xls_sheet.row_len(row))):
            rules = book.xf_list[xls_sheet.cell_xf_index(row, col)].border
            if is_ruled(rules.left_line_style, rules.right_line_style, rules.top_line_style, rules.bottom_line_style):
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


def _corrupt(name: str, kind: str, err: BaseException) -> ReadError:
    return ReadError(f"{name}: {kind} 文件损坏或不完整 (corrupt or truncated {kind}: {_describe(err)})")


def _sheet_issue(sheet: str, reason: str) -> PageIssue:
    return PageIssue(Location(sheet=sheet), f"工作表无法读取 (worksheet unreadable: {reason})")


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


# --- layout ---------------------------------------------------------------------------------
