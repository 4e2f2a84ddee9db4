"""Tests of the PDF reader (issue 4): tables from geometry, CJK text, layout, failure modes.

The PDFs are drawn here with reportlab (STSong-Light gives Chinese without a font file), so
every expectation below is known by construction. The last group reads the real corpus
and skips when ``../shared/corpus`` is absent.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from analysis.model import ReadError
from analysis.read.pdf import read_pdf
from analysis.read.pdf_page import Char
from analysis.read.pdf_text import cell_text, group_lines, join_chars

SONG = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(SONG))
A4 = (595.0, 842.0)

# A table with a merged header, empty cells and a cell whose text wraps onto two lines.
COLUMNS = [60.0, 200.0, 290.0, 440.0, 530.0]
ROW_TOPS = [700.0, 680.0, 660.0, 640.0, 620.0, 590.0]
TABLE_TEXT = [
    [("收入", 0), ("支出", 2)],
    [("项目", 0), ("预算数", 1), ("项目", 2), ("预算数", 3)],
    [("一般公共预算拨款", 0), ("1,234.56", 1), ("一般公共服务支出", 2)],
    [("政府性基金", 0), ("社会保障和就业支出", 2), ("789.00", 3)],
    [(("机关事业单位基本养", "老保险缴费"), 0), ("12.30", 1)],
]
EXPECTED_ROWS = [
    ["收入", "", "支出", ""],
    ["项目", "预算数", "项目", "预算数"],
    ["一般公共预算拨款", "1,234.56", "一般公共服务支出", ""],
    ["政府性基金", "", "社会保障和就业支出", "789.00"],
    ["机关事业单位基本养老保险缴费", "12.30", "", ""],
]


def _rule(pdf: canvas.Canvas, x0: float, y0: float, x1: float, y1: float, style: str) -> None:
    if style == "rects":  # thin filled rectangles, as spreadsheet exports draw rulings
        pdf.rect(min(x0, x1) - 0.4, min(y0, y1) - 0.4, abs(x1 - x0) + 0.8, abs(y1 - y0) + 0.8, stroke=0, fill=1)
    else:
        pdf.line(x0, y0, x1, y1)


def _draw_table(pdf: canvas.Canvas, style: str = "lines") -> None:
    """Draw the test table; the header row has no rule between merged cells."""
    for y in ROW_TOPS:
        _rule(pdf, COLUMNS[0], y, COLUMNS[-1], y, style)
    for index, x in enumerate(COLUMNS):
        merged_in_header = index in (1, 3)
        top = ROW_TOPS[1] if merged_in_header else ROW_TOPS[0]
        _rule(pdf, x, top, x, ROW_TOPS[-1], style)
    pdf.setFont(SONG, 10)
    for row, cells in enumerate(TABLE_TEXT):
        for text, col in cells:
            lines = text if isinstance(text, tuple) else (text,)
            for k, line in enumerate(lines):
                pdf.drawString(COLUMNS[col] + 4, ROW_TOPS[row] - 14 - 12 * k, line)


def _table_pdf(path: Path, style: str = "lines", *, form: bool = False) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if form:
        pdf.beginForm("table")
        _draw_table(pdf, style)
        pdf.endForm()
        pdf.doForm("table")
    else:
        _draw_table(pdf, style)
    pdf.showPage()
    pdf.save()
    return path


@pytest.mark.parametrize("style", ["lines", "rects"])
def test_ruled_table_keeps_empty_cells_merged_headers_and_wrapped_text(tmp_path, style):
    document = read_pdf(_table_pdf(tmp_path / "t.pdf", style))
    (table,) = document.tables()
    assert table.rows == EXPECTED_ROWS
    assert [loc.page for loc in table.row_locations] == [1] * 5
    lines = [loc.line for loc in table.row_locations]
    assert lines == sorted(lines) and len(set(lines)) == 5


def test_ruled_table_inside_form_xobject(tmp_path):
    document = read_pdf(_table_pdf(tmp_path / "t.pdf", form=True))
    assert document.tables()[0].rows == EXPECTED_ROWS


ROTATED_ROWS = [["Item", "Budget", "Actual"], ["Office", "12.50", ""], ["Travel", "", "3.00"]]


def _turned_table_pdf(path: Path, *, page_rotation: bool) -> Path:
    """A table drawn turned by 90° on a portrait page, with or without ``/Rotate 90``.

    pdfium drops CJK text of non-embedded fonts drawn at 90°, so this table is Latin.
    """
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if page_rotation:
        pdf.setPageRotation(90)
    width, _ = pdf._pagesize
    pdf.transform(0, 1, -1, 0, width, 0)
    for k in range(4):
        pdf.line(100, 500 - 20 * k, 400, 500 - 20 * k)
    for x in (100, 200, 300, 400):
        pdf.line(x, 500, x, 440)
    pdf.setFont("Helvetica", 10)
    for k, row in enumerate(ROTATED_ROWS):
        for col, text in enumerate(row):
            pdf.drawString(104 + 100 * col, 486 - 20 * k, text)
    pdf.showPage()
    pdf.save()
    return path


@pytest.mark.parametrize("page_rotation", [True, False])
def test_table_turned_on_the_page_reads_upright(tmp_path, page_rotation):
    path = _turned_table_pdf(tmp_path / "r.pdf", page_rotation=page_rotation)
    assert pdfium.PdfDocument(str(path))[0].get_rotation() == (90 if page_rotation else 0)
    assert read_pdf(path).tables()[0].rows == ROTATED_ROWS


def test_table_ruled_only_between_columns_is_split_into_rows(tmp_path):
    path = tmp_path / "c.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    xs, top, header, bottom = (72, 250, 350, 450), 700, 680, 600
    for y in (top, header, bottom):
        pdf.line(xs[0], y, xs[-1], y)
    for x in xs:
        pdf.line(x, top, x, bottom)
    rows = [
        ["项目", "合计", "基本支出"],
        ["行政运行", "100.00", "100.00"],
        ["一般行政管理事务", "50.00", ""],
        ["合计", "150.00", "100.00"],
    ]
    pdf.setFont(SONG, 10)
    for k, row in enumerate(rows):
        y = 686 - 20 * k - (6 if k else 0)
        for x, text in zip(xs, row):
            pdf.drawString(x + 4, y, text)
    pdf.showPage()
    pdf.save()
    assert read_pdf(path).tables()[0].rows == rows


def test_unruled_table_aligns_columns_by_position(tmp_path):
    path = tmp_path / "u.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(SONG, 10)
    pdf.drawString(72, 760, "本表为无框线表格。")
    rows = [
        ("项目", "合计", "基本支出", "项目支出"),
        ("行政运行", "100.00", "100.00", ""),
        ("一般行政管理事务", "50.00", "", "50.00"),
        ("事业运行", "", "", ""),
        ("合计", "150.00", "100.00", "50.00"),
    ]
    right_edges = [None, 330.0, 420.0, 510.0]
    for k, row in enumerate(rows):
        y = 720 - 18 * k
        pdf.drawString(72, y, row[0])
        for text, right in zip(row[1:], right_edges[1:]):
            if text:
                pdf.drawRightString(right, y, text)
    pdf.showPage()
    pdf.save()
    document = read_pdf(path)
    (table,) = document.tables()
    assert table.rows == [list(row) for row in rows]
    assert document.blocks[0].kind == "paragraph"


def _chars(text: str, x: float, top: float, size: float = 10.0, step: float | None = None) -> list[Char]:
    step = step or size
    return [Char(c, x + i * step, x + i * step + size * 0.9, top, top + size) for i, c in enumerate(text)]


def test_cjk_joining_rules():
    spread = _chars("项", 0, 0) + _chars("目", 60, 0)
    assert join_chars(spread, keep_wide_gaps=False) == "项目"
    words = _chars("Office", 0, 0, step=5) + _chars("Room", 40, 0, step=5)
    assert join_chars(words) == "Office Room"
    wrapped = _chars("机关事业单位基本养", 0, 0) + _chars("老保险缴费", 0, 12)
    assert cell_text(wrapped) == "机关事业单位基本养老保险缴费"


def test_digits_on_a_shifted_baseline_stay_on_their_line():
    line = _chars("支出", 0, 100, 12) + _chars("12.5", 24, 102.5, 10, 5) + _chars("万元", 44, 100, 12)
    assert [ln.text() for ln in group_lines(line + _chars("下一行", 0, 120, 12))] == ["支出12.5万元", "下一行"]


def _narrative_pdf(path: Path) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(SONG, 26)
    pdf.drawCentredString(A4[0] / 2, 600, "某部门2024年部门预算")
    pdf.showPage()
    _running_header(pdf)
    pdf.setFont(SONG, 16)
    pdf.drawCentredString(A4[0] / 2, 760, "目  录")
    pdf.setFont(SONG, 12)
    for k, (entry, page) in enumerate([("一、收支预算总表", 3), ("二、收入预算总表", 4), ("三、支出预算总表", 5)]):
        y = 720 - 24 * k
        pdf.drawString(72, y, entry)
        pdf.drawString(200, y, "." * 70)
        pdf.drawRightString(523, y, str(page))
    pdf.showPage()
    _body_page(
        pdf,
        [
            ("一、收支预算总体情况", 72, False),
            ("本部门2024年收入预算总计1,234.56万元，比上年增加12.30万元，", 96, True),
            ("增长1.01%。主要原因是人员经费增加，以及新增信息化运行维护", 72, True),
            ("经费。", 72, False),
            ("二、收入预算情况说明", 72, False),
            ("本部门收入预算中，一般公共预算拨款收入1,234.56万元，占", 96, True),
        ],
        3,
    )
    _body_page(pdf, [("100%。", 72, False)], 4)
    pdf.save()
    return path


def _running_header(pdf: canvas.Canvas) -> None:
    pdf.setFont(SONG, 9)
    pdf.drawRightString(523, 815, "某部门预算公开文件")


def _body_page(pdf: canvas.Canvas, lines: list[tuple[str, float, bool]], number: int) -> None:
    """Lines of running text; ``full`` lines are stretched to the right margin like justified text."""
    _running_header(pdf)
    pdf.setFont(SONG, 12)
    for k, (text, x, full) in enumerate(lines):
        y = 760 - 22 * k
        text_object = pdf.beginText(x, y)
        text_object.setFont(SONG, 12)
        if full:
            natural = pdf.stringWidth(text, SONG, 12)
            text_object.setCharSpace((523 - x - natural) / (len(text) - 1))
        text_object.textOut(text)
        pdf.drawText(text_object)
    pdf.drawCentredString(A4[0] / 2, 40, f"- {number} -")
    pdf.showPage()


def test_narrative_paragraphs_headings_contents_and_page_numbers(tmp_path):
    document = read_pdf(_narrative_pdf(tmp_path / "n.pdf"))
    assert document.tables() == []
    texts = [(b.kind, b.text) for b in document.blocks]
    assert texts[0] == ("heading", "某部门2024年部门预算")
    assert ("paragraph", "目录") in texts and ("paragraph", "一、收支预算总表 3") in texts
    assert ("heading", "一、收支预算总体情况") in texts
    assert (
        "paragraph",
        "本部门2024年收入预算总计1,234.56万元，比上年增加12.30万元，增长1.01%。"
        "主要原因是人员经费增加，以及新增信息化运行维护经费。",
    ) in texts
    # The last paragraph runs on to the next page; it is kept whole and located where it starts.
    last = document.blocks[-1]
    assert last.text.endswith("一般公共预算拨款收入1,234.56万元，占100%。")
    assert last.location.page == 3
    assert not any("-" in b.text and b.text.strip("- ").isdigit() for b in document.blocks)
    assert not any("公开文件" in b.text for b in document.blocks)
    headings = [b for b in document.blocks if b.kind == "heading"]
    assert [h.level for h in headings if h.text.startswith("一、")] == [2]
    assert all(b.location.page for b in document.blocks)


# --- failure modes -------------------------------------------------------------------------


def _image_page(pdf: canvas.Canvas) -> None:
    pdf.drawImage(ImageReader(Image.new("RGB", (60, 80), "gray")), 50, 50, 480, 700)
    pdf.showPage()


def _text_page(pdf: canvas.Canvas, text: str = "第一页文字内容") -> None:
    pdf.setFont(SONG, 12)
    pdf.drawString(72, 700, text)
    pdf.showPage()


@pytest.mark.slow  # the OCR engine (extra [ocr]) reads both blank pages first
def test_scanned_document_is_refused(tmp_path):
    pdf = canvas.Canvas(str(tmp_path / "s.pdf"))
    _image_page(pdf)
    _image_page(pdf)
    pdf.save()
    with pytest.raises(ReadError, match="no text layer"):
        read_pdf(tmp_path / "s.pdf")


@pytest.mark.slow  # the OCR engine (extra [ocr]) reads the blank page first
def test_image_only_page_becomes_a_page_issue(tmp_path):
    pdf = canvas.Canvas(str(tmp_path / "m.pdf"))
    _text_page(pdf)
    _image_page(pdf)
    pdf.save()
    document = read_pdf(tmp_path / "m.pdf")
    assert [b.text for b in document.blocks] == ["第一页文字内容"]
    assert [issue.location.page for issue in document.issues] == [2]
    assert "image only" in document.issues[0].reason


def test_encrypted_document_is_refused(tmp_path):
    pdf = canvas.Canvas(str(tmp_path / "e.pdf"), encrypt="secret")
    _text_page(pdf)
    pdf.save()
    with pytest.raises(ReadError, match="password"):
        read_pdf(tmp_path / "e.pdf")


def test_truncated_and_foreign_files_are_refused(tmp_path):
    pdf = canvas.Canvas(str(tmp_path / "whole.pdf"))
    _text_page(pdf)
    _text_page(pdf)
    pdf.save()
    data = (tmp_path / "whole.pdf").read_bytes()
    (tmp_path / "half.pdf").write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match="truncated"):
        read_pdf(tmp_path / "half.pdf")
    (tmp_path / "patched.pdf").write_bytes(data[: len(data) // 2] + b"\n%%EOF\n")
    with pytest.raises(ReadError, match="damaged"):
        read_pdf(tmp_path / "patched.pdf")
    (tmp_path / "page.pdf").write_text("<html>not a pdf</html>")
    with pytest.raises(ReadError, match="not a PDF"):
        read_pdf(tmp_path / "page.pdf")


def _unmapped_font_pdf(path: Path) -> Path:
    """One page of text in a CID font without any Unicode map (what pdfminer shows as (cid:nn))."""
    content = b"BT /F1 12 Tf 72 700 Td <0011002200330044005500660077> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /XYZ /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZ /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /XYZ /Flags 4 /FontBBox [0 -200 1000 800] "
        b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def test_fonts_without_unicode_map(tmp_path):
    garbled = _unmapped_font_pdf(tmp_path / "cid.pdf")
    with pytest.raises(ReadError, match="Unicode map"):
        read_pdf(garbled)
    pdf = canvas.Canvas(str(tmp_path / "good.pdf"))
    _text_page(pdf, "第一页")
    _text_page(pdf, "第二页")
    pdf.save()
    merged = pdfium.PdfDocument(str(tmp_path / "good.pdf"))
    merged.import_pages(pdfium.PdfDocument(str(garbled)))
    merged.save(str(tmp_path / "mixed.pdf"))
    document = read_pdf(tmp_path / "mixed.pdf")
    assert [b.text for b in document.blocks] == ["第一页", "第二页"]
    assert [issue.location.page for issue in document.issues] == [3]
    assert "Unicode map" in document.issues[0].reason


def test_time_limit(tmp_path):
    path = _table_pdf(tmp_path / "t.pdf")
    with pytest.raises(ReadError, match="time limit"):
        read_pdf(path, time_limit_s=1e-9)
    assert read_pdf(path, time_limit_s=60).tables()


# --- the real corpus -------------------------------------------------------------------------


def _table_on(document, page: int, index: int = 0):
    return [b for b in document.tables() if b.location.page == page][index]


def test_corpus_jiangsu_ruled_summary_table(corpus):
    path = corpus / "jiangsu" / "江苏省委办公厅" / "江苏省委办公厅2019年度部门预算公开表格.pdf"
    document = read_pdf(path)
    rows = _table_on(document, 1).rows
    assert rows[3] == ["一、财政拨款", "27,664.22", "一、一般公共服务支出", "22,395.50", "一、基本支出", "11,700.63"]
    assert rows[4][2:4] == ["二、外交支出", ""]
    assert rows[-1] == ["收入合计", "27,664.22", "支出合计", "", "", "27,664.22"]
    # Rotated pages (/Rotate 90) read upright, and each table gets its own block.
    assert len(document.tables()) == 12


def test_corpus_shanghai_final_accounts_continuation_keeps_empty_columns(corpus):
    path = corpus / "shanghai" / "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
    document = read_pdf(path)
    first, continued = _table_on(document, 8), _table_on(document, 9)
    assert len(first.rows[0]) == len(continued.rows[0]) == 9
    assert continued.rows[0] == ["212", "城乡社区支出", "3832.36", "3832.36", "", "", "", "", ""]
    texts = [b.text for b in document.text_blocks()]
    assert "收入决算表" in texts
    contents = [b for b in document.blocks if b.location.page in (2, 3)]
    assert contents and all(b.kind == "paragraph" for b in contents)


def test_corpus_shanghai_budget_codes_in_their_columns(corpus):
    document = read_pdf(corpus / "shanghai" / "上海市普陀区人民政府万里街道办事处2023年部门预算.pdf")
    rows = _table_on(document, 11).rows
    assert ["201", "05", "06", "统计管理", "26,300", "26,300", "", "", ""] in rows


def test_corpus_narrative_joins_sentence_across_pages_and_drops_page_numbers(corpus):
    path = corpus / "jiangsu" / "江苏省委办公厅" / "江苏省委办公厅2019年度部门预算公开文件.pdf"
    texts = [b.text for b in read_pdf(path).text_blocks()]
    assert any(t.endswith("各增加3205.79万元，增长13.11%。其中：") for t in texts)
    footer_path = corpus / "jiangsu" / "江苏省人大办公厅" / "江苏省人大常委会2019年度部门预算公开.pdf"
    assert not any(b.text.strip("─- ").isdigit() for b in read_pdf(footer_path).blocks)
