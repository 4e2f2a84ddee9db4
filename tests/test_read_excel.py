"""Excel reader: the Shanghai templates, filled copies of them, made-up workbooks, bad files."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import pytest
import xlrd
import xlsxwriter
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Border, Side

from analysis.model import Document, ReadError
from analysis.read.excel import read_excel
from analysis.read.excel_cells import format_number

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TEMPLATES = CORPUS / "templates"
TEMPLATE_NAMES = ["department_budget_template.xlsx", "unit_budget_template.xlsx", "budget_template.xls"]
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _template(name: str) -> Path:
    path = TEMPLATES / name
    if not path.exists():
        pytest.skip(f"corpus template {name} not present at {TEMPLATES}")
    return path


def _sheet_names(path: Path) -> list[str]:
    if path.suffix == ".xls":
        return xlrd.open_workbook(path, on_demand=True).sheet_names()
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def _blocks_of(doc: Document, sheet: str, kind: str | None = None):
    return [b for b in doc.blocks if b.location.sheet == sheet and kind in (None, b.kind)]


def _save(workbook, tmp_path: Path, name: str = "made.xlsx") -> Path:
    workbook.save(tmp_path / name)
    return tmp_path / name


# --- (a) the blank templates ---------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_has_one_table_per_table_sheet(name):
    path = _template(name)
    doc = read_excel(path)
    assert doc.issues == []
    assert doc.format == path.suffix.lstrip(".")
    table_sheets = [s for s in _sheet_names(path) if s.strip().endswith("表")]
    assert len(table_sheets) == 9
    for sheet in _sheet_names(path):
        assert len(_blocks_of(doc, sheet, "table")) == (sheet in table_sheets), sheet
    for sheet in table_sheets:
        heading, caption = _blocks_of(doc, sheet)[:2]
        assert heading.kind == "heading" and heading.location.line in (2, 3)
        assert heading.text.startswith("2026年") and heading.text.endswith("表")
        assert caption.kind == "paragraph" and "单位" in caption.text
    assert all(b.location.line and b.location.sheet for b in doc.blocks)
    assert all(len(t.rows) == len(t.row_locations) for t in doc.tables())


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_multi_row_headers_keep_merged_cells_empty(name):
    doc = read_excel(_template(name))
    prefix = "部门" if name.startswith("department") else "单位"
    [income] = _blocks_of(doc, f"{prefix}收入总表", "table")
    assert income.rows[:3] == [
        ["项目", "", "", "", "收入预算", "", "", "", ""],
        [
            "功能分类科目编码",
            "",
            "",
            "功能分类科目名称",
            "合计",
            "财政拨款收入",
            "事业收入",
            "事业单位\n经营收入",
            "其他收入",
        ],
        ["类", "款", "项", "", "", "", "", "", ""],
    ]
    assert income.rows[4][:4] == ["205", "02", "", "普通教育"]  # 205 is a number, "02" text
    assert [loc.line for loc in income.row_locations][:3] == [6, 7, 8]
    assert income.rows[-1][0] == "合计" and income.row_locations[-1].line == 20
    [three] = _blocks_of(doc, f"{prefix}“三公”经费和机关运行费预算表", "table")
    assert three.rows == [
        ["“三公”经费预算数", "", "", "", "", "", "机关运行经费预算数"],
        ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "", "", ""],
        ["", "", "", "小计", "购置费", "运行费", ""],
    ]


def test_xls_template_reads_like_its_xlsx_twin():
    def shape(doc):
        return [(b.kind, b.location, b.text, b.rows, b.row_locations) for b in doc.blocks]

    xls = read_excel(_template("budget_template.xls"))
    xlsx = read_excel(_template("unit_budget_template.xlsx"))
    assert shape(xls) == shape(xlsx)


# --- (b) templates filled with numbers, read back exactly ----------------------------------


def _ruled(cell) -> bool:
    return bool(cell.border.left.style or cell.border.right.style)


def _planted_value(serial: int) -> Decimal:
    value = Decimal(20000 + serial) if serial % 5 == 0 else Decimal(1000 + serial) + Decimal("0.37")
    return -value if serial % 7 == 0 else value


def _fill_amount_cells(workbook) -> dict[str, list[tuple[int, int, Decimal]]]:
    """Put a distinct number in every empty or "XX" amount cell of every ruled table.

    The body starts at the first ruled row with a standalone (unmerged) empty cell; amount
    columns are those with no text (codes, item names) anywhere in the body.
    """
    planted: dict[str, list[tuple[int, int, Decimal]]] = {}
    serial = 0
    for ws in workbook.worksheets:
        width = range(1, ws.max_column + 1)

        def is_slot(r, c, ws=ws):
            cell = ws.cell(r, c)
            blank = cell.value is None or str(cell.value).strip().upper() in ("XX", "XXX")
            return _ruled(cell) and not isinstance(cell, MergedCell) and blank

        rows = range(1, ws.max_row + 1)
        ruled = [r for r in rows if sum(_ruled(ws.cell(r, c)) for c in width) > 1]
        starts = [r for r in ruled if any(is_slot(r, c) for c in width)]
        body = [r for r in ruled if starts and r >= starts[0]]
        labels = {c for r in body for c in width if not is_slot(r, c) and ws.cell(r, c).value}
        for r in body:
            for c in (c for c in width if c not in labels and is_slot(r, c)):
                serial += 1
                value = _planted_value(serial)
                ws.cell(r, c).value = int(value) if value == value.to_integral() else float(value)
                planted.setdefault(ws.title, []).append((r, c - 1, value))
    return planted


def _numbers_read_back(doc: Document, sheet: str, wanted: set[Decimal]):
    found = []
    for table in _blocks_of(doc, sheet, "table"):
        for row, loc in zip(table.rows, table.row_locations):
            for col, text in enumerate(row):
                try:
                    number = Decimal(text)
                except InvalidOperation:
                    continue
                if number in wanted:
                    assert text == format(number, "f"), f"{text!r} is not written exactly"
                    found.append((loc.line, col, number))
    return found


def _assert_filled_copy_reads_back(path: Path):
    workbook = openpyxl.load_workbook(path)
    planted = _fill_amount_cells(workbook)
    workbook.save(path)
    doc = read_excel(path)
    assert doc.issues == []
    assert len(planted) == 9 and sum(map(len, planted.values())) > 150
    for sheet, cells in planted.items():
        assert len(_blocks_of(doc, sheet, "table")) == 1, sheet
        assert _numbers_read_back(doc, sheet, {v for _, _, v in cells}) == cells, sheet


@pytest.mark.parametrize("name", ["department_budget_template.xlsx", "unit_budget_template.xlsx"])
def test_filled_xlsx_template_reads_back_every_number(tmp_path, name):
    copy = tmp_path / name
    shutil.copyfile(_template(name), copy)
    copy.chmod(0o644)
    _assert_filled_copy_reads_back(copy)


def test_filled_xls_template_via_equivalent_xlsx(tmp_path):
    """No .xls writer is installed (xlwt is absent), so the .xls template's values, merges
    and rules are copied into an equivalent .xlsx, which is then filled and read back."""
    book = xlrd.open_workbook(_template("budget_template.xls"), formatting_info=True)
    out = openpyxl.Workbook()
    out.remove(out.active)
    for sheet in book.sheets():
        ws = out.create_sheet(sheet.name)
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                if sheet.cell_type(r, c) in (xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER):
                    ws.cell(r + 1, c + 1).value = sheet.cell_value(r, c)
                rules = book.xf_list[sheet.cell_xf_index(r, c)].border
                if rules.left_line_style or rules.right_line_style:
                    ws.cell(r + 1, c + 1).border = BOX
        for r0, r1, c0, c1 in sheet.merged_cells:
            ws.merge_cells(start_row=r0 + 1, end_row=r1, start_column=c0 + 1, end_column=c1)
    _assert_filled_copy_reads_back(_save(out, tmp_path, "budget_template_as.xlsx"))


# --- (c) workbooks made here ------------------------------------------------------------------


def test_several_tables_on_one_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "汇总"
    for row in [
        ["表一 收入情况表"],
        ["单位：万元"],
        ["项目", "金额"],
        ["一、财政拨款收入"],
        ["其中：一般公共预算", 100.5],
        ["合计", 100.5],
        [],
        ["表二 支出情况表"],
        ["项目", "基本支出", "项目支出"],
        ["一般公共服务支出", 1, 2],
        ["表三 三公经费表"],
        ["合计", "因公出国(境)费"],
        [0, 0],
        ["注：本单位无因公出国（境）费。"],
    ]:
        wb.active.append(row)
    doc = read_excel(_save(wb, tmp_path))
    assert [(b.kind, b.location.line, b.text or b.rows) for b in doc.blocks] == [
        ("heading", 1, "表一 收入情况表"),
        ("paragraph", 2, "单位：万元"),
        ("table", 3, [["项目", "金额"], ["一、财政拨款收入", ""], ["其中：一般公共预算", "100.5"], ["合计", "100.5"]]),
        ("heading", 8, "表二 支出情况表"),
        ("table", 9, [["项目", "基本支出", "项目支出"], ["一般公共服务支出", "1", "2"]]),
        ("heading", 11, "表三 三公经费表"),
        ("table", 12, [["合计", "因公出国(境)费"], ["0", "0"]]),
        ("paragraph", 14, "注：本单位无因公出国（境）费。"),
    ]
    assert [loc.line for loc in doc.tables()[0].row_locations] == [3, 4, 5, 6]
    assert {b.location.sheet for b in doc.blocks} == {"汇总"}


def test_merged_header_and_offset_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B1"] = "2025年部门支出预算表"
    ws.merge_cells("B1:E1")
    ws["B3"], ws["C3"], ws["C4"], ws["D4"], ws["E4"] = "项目", "支出", "合计", "基本", "项目"
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:E3")
    ws.append([None, "教育", 3, 1, 2])
    heading, table = read_excel(_save(wb, tmp_path)).blocks
    assert (heading.kind, heading.text, heading.location.line) == ("heading", "2025年部门支出预算表", 1)
    assert table.rows == [["项目", "支出", "", ""], ["", "合计", "基本", "项目"], ["教育", "3", "1", "2"]]


def test_ruled_table_with_blank_ruled_rows_stays_one_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "2025年部门收入预算总表"  # merged and ruled like the rest of the sheet
    ws.merge_cells("A1:C1")
    ws["A2"], ws["C2"] = "编制部门：XX局", "单位：元"
    body = [["项目", "合计", "财政拨款"], ["教育支出", 3, 3], [], [], ["合计", 3, 3]]
    for r, row in enumerate(body, 3):
        for c, value in enumerate(row, 1):
            ws.cell(r, c).value = value
    for row in ws["A1:C7"]:
        for cell in row:
            cell.border = BOX
    for cell in ws[2]:
        cell.border = Border(bottom=THIN)  # the table's top line, drawn under the caption
    doc = read_excel(_save(wb, tmp_path))
    assert [(b.kind, b.location.line) for b in doc.blocks] == [("heading", 1), ("paragraph", 2), ("table", 3)]
    assert doc.blocks[1].text == "编制部门：XX局  单位：元"
    assert [loc.line for loc in doc.tables()[0].row_locations] == [3, 4, 7]


def test_sheet_without_title_is_headed_by_its_name(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "收入表"
    wb.active.append(["项目", "金额"])
    wb.active.append(["合计", 5])
    heading, table = read_excel(_save(wb, tmp_path)).blocks
    assert (heading.kind, heading.text, heading.location.line) == ("heading", "收入表", 1)
    assert table.rows == [["项目", "金额"], ["合计", "5"]]


def test_cell_values_as_printed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    values = [
        ("00123", None),
        ("1,234.50", None),
        (1234.5, "#,##0.00"),
        (0.1 + 0.2, None),
        (12345.6, None),
        (42, None),
        (0.1234, "0.00%"),
        (date(2025, 1, 31), "yyyy-mm-dd"),
        (datetime(2025, 1, 31, 8, 30), "yyyy-mm-dd hh:mm"),
        (True, None),
        (1e-7, None),
    ]
    ws.append(["项目", "值"])
    for value, number_format in values:
        ws.append(["x", value])
        if number_format:
            ws.cell(ws.max_row, 2).number_format = number_format
    [table] = read_excel(_save(wb, tmp_path)).tables()
    assert [row[1] for row in table.rows[1:]] == [
        "00123",
        "1,234.50",
        "1234.50",
        "0.3",
        "12345.6",
        "42",
        "12.34%",
        "2025-01-31",
        "2025-01-31T08:30:00",
        "TRUE",
        "0.0000001",
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (12345.6, "General", "12345.6"),
        (12345.6, "#,##0.00", "12345.60"),
        (12345.678, "0.00", "12345.678"),  # digits beyond the format are kept, not rounded away
        (0.1 + 0.2, "General", "0.3"),
        (1.005, '"¥"#,##0.00_);[Red](#,##0.00)', "1.005"),
        (-0.0, "0", "0"),
        (205.0, "@", "205"),
        (10**15, "General", "1000000000000000"),
        (0.5, "0%", "50%"),
        (1.5e-10, "0.00E+00", "0.00000000015"),
    ],
)
def test_format_number(value, number_format, text):
    assert format_number(value, number_format) == text


def test_formula_without_cached_value_keeps_its_text(tmp_path):
    wb = openpyxl.Workbook()
    for row in [["项目", "金额"], ["a", 10], ["合计", "=SUM(B2:B2)"]]:
        wb.active.append(row)
    [table] = read_excel(_save(wb, tmp_path)).tables()
    assert table.rows[-1] == ["合计", "=SUM(B2:B2)"]


def test_formula_with_cached_value_gives_the_value(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "cached.xlsx")
    sheet = book.add_worksheet("表")
    for r, row in enumerate([["项目", "金额"], ["a", 10.1], ["b", 20.2], ["合计"]]):
        sheet.write_row(r, 0, row)
    sheet.write_formula(3, 1, "=SUM(B2:B3)", None, 30.299999999999997)
    book.close()
    [table] = read_excel(tmp_path / "cached.xlsx").tables()
    assert table.rows[-1] == ["合计", "30.3"]


def test_empty_and_text_only_workbooks_have_no_tables(tmp_path):
    empty = read_excel(_save(openpyxl.Workbook(), tmp_path, "empty.xlsx"))
    assert (empty.blocks, empty.issues, empty.format) == ([], [], "xlsx")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "XX（部门）主要职能"
    wb.active["A3"] = "XX是…。\n主要职能包括：XX"
    doc = read_excel(_save(wb, tmp_path, "text.xlsx"))
    assert doc.tables() == []
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "XX（部门）主要职能"),
        ("paragraph", "XX是…。"),
        ("paragraph", "主要职能包括：XX"),
    ]


def test_hidden_sheet_is_skipped_and_extension_is_not_trusted(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "金额"])
    hidden = wb.create_sheet("lookup")
    hidden.append(["k", "v"])
    hidden.sheet_state = "hidden"
    doc = read_excel(_save(wb, tmp_path, "really_xlsx.xls"))
    assert doc.format == "xlsx"
    assert {b.location.sheet for b in doc.blocks} == {"Sheet"}


def test_unreadable_sheet_is_an_issue_and_the_rest_is_read(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "好表"
    wb.active.append(["项目", "金额"])
    wb.create_sheet("坏表").append(["项目", "金额"])
    source = _save(wb, tmp_path, "source.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            payload = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                payload = payload[: len(payload) // 2]
            dst.writestr(info, payload)
    doc = read_excel(broken)
    assert [issue.location.sheet for issue in doc.issues] == ["坏表"]
    assert [t.location.sheet for t in doc.tables()] == ["好表"]


# --- (d) files that are not readable workbooks ---------------------------------------------


def _zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (v3, 512-byte sectors, every stream padded to 4096 bytes
    so that no mini stream is needed), enough for a reader to list the stream names."""
    free, end = 0xFFFFFFFF, 0xFFFFFFFE
    fat, data, starts = [0xFFFFFFFD, end], b"", []  # sector 0 is the FAT, 1 the directory
    for payload in streams.values():
        payload = payload.ljust(max(4096, -(-len(payload) // 512) * 512), b"\0")
        first, count = 2 + len(data) // 512, len(payload) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        starts.append((first, len(payload)))
        data += payload

    def entry(name, kind, right, child, start, size):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, free, 1, end, 0)
    for i, (name, (start, size)) in enumerate(zip(streams, starts)):
        right = i + 2 if i + 1 < len(streams) else free
        directory += entry(name, 2, right, free, start, size)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat_sector = b"".join(struct.pack("<I", v) for v in fat + [free] * (128 - len(fat)))
    return header + fat_sector + directory.ljust(512, b"\0") + data


ENCRYPTED_OOXML = _ole_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01"})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("项目\t金额\n".encode(), "not an Excel workbook"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b"", "empty file"),
        (ENCRYPTED_OOXML, "password-protected"),
        (_ole_file({"WordDocument": b"\x00" * 10}), "without a workbook stream"),
        (_ole_file({"Workbook": b"\x09\x08garbage"}), "corrupt or truncated xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "corrupt or truncated OLE"),
        (_zip_bytes({"word/document.xml": "<w:document/>"}), "zip archive that is not an Excel"),
    ],
)
def test_not_a_readable_workbook(tmp_path, content, reason):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read_excel(path)


def test_truncated_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "金额"])
    whole = _save(wb, tmp_path).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReadError, match="truncated"):
        read_excel(truncated)


def test_truncated_xls(tmp_path):
    whole = _template("budget_template.xls").read_bytes()
    truncated = tmp_path / "truncated.xls"
    truncated.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(ReadError, match="corrupt"):
        read_excel(truncated)


def test_password_protected_xls(tmp_path):
    """Turning the CODEPAGE record into a FILEPASS record (same length) marks it encrypted."""
    whole = _template("budget_template.xls").read_bytes()
    codepage = whole.index(b"\x42\x00\x02\x00")
    locked = tmp_path / "locked.xls"
    locked.write_bytes(whole[:codepage] + b"\x2f\x00\x02\x00" + whole[codepage + 4 :])
    with pytest.raises(ReadError, match="password-protected"):
        read_excel(locked)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="cannot open"):
        read_excel(tmp_path / "nowhere.xlsx")
