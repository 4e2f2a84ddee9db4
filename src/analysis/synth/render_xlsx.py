"""Render a :class:`SynthDoc` as an Excel workbook (xlsxwriter): one sheet per table.

The first sheet holds the narrative, one paragraph per row. Each table sheet has the title
(merged across the table), the 部门名称/单位 line, the multi-row header with merged cells as
in the template workbooks, and the data rows with amounts as numbers (format ``0.00``) and codes as text.
Workbook properties carry a fixed date so output is reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import xlsxwriter

from analysis.synth.document import Raw
from analysis.synth.layout import Heading, Paragraph, SynthDoc, Table

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(i: int, table: Table) -> str:
    title = _BAD_SHEET_CHARS.sub("", table.printed_title().replace(" ", ""))
    title = re.sub(r"^\d{4}年度?", "", title)
    return f"{i}{title}"[:31]


def _narrative_sheet(book, doc: SynthDoc, fmt: dict) -> None:
    sheet = book.add_worksheet("情况说明")
    sheet.set_column(0, 0, 120)
    row = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            break
        if isinstance(block, Raw):
            for line in block.text.split("\n"):
                if line.strip("* "):
                    sheet.write_string(row, 0, line.strip("* "), fmt["title"])
                    row += 1
        elif isinstance(block, Heading):
            sheet.write_string(row, 0, block.text, fmt["bold"])
            row += 1
        elif isinstance(block, Paragraph):
            sheet.write_string(row, 0, block.text(), fmt["wrap"])
            row += 1


def _table_sheet(book, name: str, table: Table, fmt: dict) -> None:
    sheet = book.add_worksheet(name)
    width = len(table.header.columns) if table.header.rows else max(len(r) for r in table.rows)
    for c in range(width):
        sheet.set_column(c, c, 28 if c in table.label_cols else 12)
    sheet.merge_range(0, 0, 0, max(width - 1, 1), table.printed_title(), fmt["title"])
    if table.meta:
        sheet.write_string(1, 0, table.meta[0])
        sheet.write_string(1, max(width - 1, 1), table.meta[-1].replace("\n", ""))
    top = 2
    covered = set()
    for r0, c0, r1, c1 in table.header.spans:
        text = table.header.rows[r0][c0]
        text = " ".join(text) if (r0, c0) in table.spaced else text
        sheet.merge_range(top + r0, c0, top + r1, c1, text, fmt["head"])
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(table.header.rows):
        for c, text in enumerate(row):
            if (r, c) not in covered:
                sheet.write_string(top + r, c, " ".join(text) if (r, c) in table.spaced else text, fmt["head"])
    start = top + len(table.header.rows)
    amounts = set(table.refs.values())
    for i, row in enumerate(table.rows):
        for c, text in enumerate(row):
            if (i, c) in amounts and _NUMBER.match(text):
                sheet.write_number(start + i, c, float(text), fmt["num"])
            else:
                sheet.write_string(start + i, c, text, fmt["cell"])
    if table.note:
        sheet.write_string(start + len(table.rows) + 1, 0, table.note)


def write_xlsx(doc: SynthDoc, path: Path) -> None:
    """Write ``doc`` to ``path`` as an .xlsx workbook."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": f"{doc.dept.name}{doc.year}年度部门预算",
            "author": doc.dept.name,
            "created": dt.datetime(doc.year, 3, 1),
        }
    )
    border = {"border": 1, "valign": "vcenter", "font_name": "宋体", "font_size": 10}
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "font_name": "宋体"}),
        "bold": book.add_format({"bold": True, "font_name": "宋体"}),
        "wrap": book.add_format({"text_wrap": True, "font_name": "宋体"}),
        "head": book.add_format({**border, "align": "center", "text_wrap": True, "bold": True}),
        "cell": book.add_format({**border, "text_wrap": True}),
        "num": book.add_format({**border, "num_format": "0.00"}),
    }
    _narrative_sheet(book, doc, fmt)
    tables = [b for b in doc.blocks if isinstance(b, Table) and b.present]
    for i, table in enumerate(tables, start=1):
        _table_sheet(book, _sheet_name(i, table), table, fmt)
    book.close()
