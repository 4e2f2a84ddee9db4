"""Hostile and broken input files made in the tests (issue 15): nothing here is read from disk
fixtures, so every case is reproducible on a fresh clone."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path


def dense_grid_pdf(path: Path, lines: int, *, step: float = 3.0, per_cell: bool = False) -> Path:
    """A one-page PDF ruled with ``lines`` horizontal and ``lines`` vertical lines ``step``
    points apart (the page grows to fit; rulings closer than 2 pt would be snapped into one),
    and two numbers in the top-left cells. ``per_cell`` draws every cell border as its own
    segment, as some exporters do, which multiplies the edges the reader has to join."""
    from reportlab.pdfgen import canvas

    margin = 20.0
    size = 2 * margin + step * (lines - 1)
    pdf = canvas.Canvas(str(path), pagesize=(size, size))
    pdf.setLineWidth(0.1)
    xs = [margin + i * step for i in range(lines)]
    ys = [margin + i * step for i in range(lines)]
    if per_cell:
        for y in ys:
            for a, b in itertools.pairwise(xs):
                pdf.line(a, y, b, y)
        for x in xs:
            for a, b in itertools.pairwise(ys):
                pdf.line(x, a, x, b)
    else:
        for y in ys:
            pdf.line(xs[0], y, xs[-1], y)
        for x in xs:
            pdf.line(x, ys[0], x, ys[-1])
    font = step / 2.8  # "1.00" fits inside one cell
    pdf.setFont("Helvetica", font)
    top = size - margin - step / 2 - font / 3
    pdf.drawString(margin + step * 0.1, top, "1.00")
    pdf.drawString(margin + step * 1.1, top, "2.00")
    pdf.save()
    return path


def stray_cell_xlsx(path: Path, row: int, column: int) -> Path:
    """A small budget table plus one cell at (row, column) (1-based), written as raw XML so
    that the sheet's declared dimension is as large as the stray cell makes it."""
    from openpyxl.utils import get_column_letter

    cells = [["科目编码", "科目名称", "合计"], ["30101", "基本工资", "10.00"], ["30201", "办公费", "2.00"]]
    rows_xml = []
    for r, values in enumerate(cells, start=1):
        row_cells = "".join(
            f'<c r="{get_column_letter(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(values, start=1)
        )
        rows_xml.append(f'<row r="{r}">{row_cells}</row>')
    ref = f"{get_column_letter(column)}{row}"
    rows_xml.append(f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>')
    sheet = f'<dimension ref="A1:{ref}"/><sheetData>{"".join(rows_xml)}</sheetData>'
    return _xlsx(path, sheet_body=sheet, title="一般公共预算基本支出表")


def _xlsx(
    path: Path, *, sheet_body: str, title: str, shared: str | None = None, extra_members: dict[str, bytes] | None = None
) -> Path:
    """A minimal valid xlsx with one sheet whose <worksheet> body is ``sheet_body``."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if shared is not None
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                if shared is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>{sheet_body}</worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared.encode("utf-8"))
        for name, payload in (extra_members or {}).items():
            archive.writestr(name, payload)
    return path


def shared_strings_bomb_xlsx(path: Path, unpacked_mb: int = 300) -> Path:
    """A small xlsx whose shared strings part unpacks to ``unpacked_mb`` MB of one repeated
    byte (deflate packs it about 1000:1). Written in chunks so the test never holds it."""
    _xlsx(path, sheet_body='<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>', title="Sheet1")
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<sst {ns} count="1" uniqueCount="1"><si><t>'.encode())
            chunk = b"A" * (1 << 20)
            for _ in range(unpacked_mb):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return path


def merged_everything_xlsx(path: Path) -> Path:
    """One cell and a merged range over the whole sheet (openpyxl would make 17 billion cells)."""
    body = (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>表</t></is></c></row></sheetData>'
        '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    )
    return _xlsx(path, sheet_body=body, title="Sheet1")


def nested_forms_pdf(path: Path, depth: int, fan_out: int = 10) -> Path:
    """A page drawing a form that draws ``fan_out`` copies of a form that draws … ``depth``
    levels down to ``fan_out`` short lines: fan_out ** (depth + 1) objects in a tiny file."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(400, 400))
    pdf.beginForm("level0")
    for k in range(fan_out):
        pdf.line(10, 10 + k * 5, 60, 10 + k * 5)
    pdf.endForm()
    for level in range(1, depth + 1):
        pdf.beginForm(f"level{level}")
        for k in range(fan_out):
            pdf.saveState()
            pdf.translate(k * 0.5, 0)
            pdf.doForm(f"level{level - 1}")
            pdf.restoreState()
        pdf.endForm()
    pdf.doForm(f"level{depth}")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, 300, "1.00")
    pdf.save()
    return path


def table_then_dense_grid_pdf(path: Path, lines: int = 1000, step: float = 3.0) -> Path:
    """Page 1: a small ruled budget table (CJK text); page 2: a grid of ``lines`` × ``lines``
    rulings. The table must still be read, the grid page reported."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(60, 780, "某局2024年部门预算")
    pdf.drawString(60, 750, "2024年一般公共预算基本支出表")
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(60, 730, "单位：万元")
    rows = [
        ("科目编码", "科目名称", "合计", "人员经费", "公用经费"),
        ("合计", "", "12.00", "10.00", "2.00"),
        ("30101", "基本工资", "10.00", "10.00", ""),
        ("30201", "办公费", "2.00", "", "2.00"),
    ]
    top, height, width = 720, 20, 95
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            pdf.drawString(65 + c * width, top - r * height - 14, value)
    for r in range(len(rows) + 1):
        pdf.line(60, top - r * height, 60 + 5 * width, top - r * height)
    for c in range(6):
        pdf.line(60 + c * width, top, 60 + c * width, top - len(rows) * height)
    pdf.showPage()
    size = 40 + step * (lines - 1)
    pdf.setPageSize((size, size))
    for k in range(lines):
        pdf.line(20, 20 + k * step, 20 + step * (lines - 1), 20 + k * step)
        pdf.line(20 + k * step, 20, 20 + k * step, 20 + step * (lines - 1))
    pdf.setFont("Helvetica", 1)
    pdf.drawString(21, 21, "1")
    pdf.save()
    return path
