"""The auditors' workbook: sheets findings, indicators and documents.

Each sheet has Chinese column titles (metadata/report/columns.csv), a frozen header row, an
autofilter over the whole range, and a last column 审计人员备注 for the auditor's own remarks.
Rows are in the same order as the HTML report and the markdown summary (severity, then the
amount at stake).

The findings sheet is also the auditor's review form: 审核结论 (a drop-down of 属实 / 误报 /
待核实) and 审计人员备注 are filled with the verdicts and notes of earlier reviews, and read back
by the next ``analysis run`` by 问题编号 (finding_id; see review.py). A row judged 误报 is grey,
also as soon as the auditor types it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from analysis.report.frames import ranked_documents, ranked_findings
from analysis.report.labels import Column, doc_kind_expr, gov_level, labels, sheet_columns, word
from analysis.report.model import ReportData
from analysis.report.review import REMARKS

_REMARKS_WIDTH = 40
_SHEETS = ("findings", "indicators", "documents")


def _findings(data: ReportData) -> pl.DataFrame:
    return ranked_findings(data.findings).with_columns(
        pl.col("severity").map_elements(lambda s: word("severity", s), return_dtype=pl.String),
        pl.col("category").map_elements(lambda c: word("category", c), return_dtype=pl.String),
        pl.col("review_verdict").map_elements(lambda v: word("verdict", v), return_dtype=pl.String),
        pl.col("review_note").alias(REMARKS),
    )


def _indicators(data: ReportData) -> pl.DataFrame:
    return data.indicators.sort(["department", "fiscal_year", "indicator"], nulls_last=True, maintain_order=True)


def _documents(data: ReportData) -> pl.DataFrame:
    return ranked_documents(data.documents, data.findings).with_columns(
        pl.col("status").map_elements(lambda s: word("status", s), return_dtype=pl.String),
        doc_kind_expr(pl.col("doc_type"), pl.col("level")).alias("doc_type"),
        pl.col("department").map_elements(gov_level, return_dtype=pl.String).alias("gov_level"),
    )


_BUILDERS = {"findings": _findings, "indicators": _indicators, "documents": _documents}


def _write_sheet(book: xlsxwriter.Workbook, name: str, frame: pl.DataFrame, formats: dict) -> None:
    columns: tuple[Column, ...] = tuple(c for c in sheet_columns(name) if c.name in frame.columns)
    sheet = book.add_worksheet(name)
    for n, column in enumerate(columns):
        sheet.set_column(n, n, column.width, formats.get(column.number_format))
    sheet.set_column(len(columns), len(columns), _REMARKS_WIDTH, formats["remarks"])
    sheet.write_row(0, 0, [c.title for c in columns], formats["header"])
    sheet.write(0, len(columns), REMARKS, formats["remarks_header"])
    remarks = frame[REMARKS].to_list() if REMARKS in frame.columns else None
    ratio_rows = frame["unit"].to_list() if name == "indicators" else None
    for r, row in enumerate(frame.select([c.name for c in columns]).iter_rows(), start=1):
        for n, value in enumerate(row):
            if value is None:
                continue
            # ratios read better as percentages; other indicator units keep the column format
            if (
                ratio_rows
                and ratio_rows[r - 1] == "ratio"
                and isinstance(value, float)
                and columns[n].name in ("value", "peer_median", "peer_q1", "peer_q3")
            ):
                sheet.write_number(r, n, value, formats["percent"])
            else:
                sheet.write(r, n, value)
        if remarks and remarks[r - 1] is not None:
            sheet.write_string(r, len(columns), remarks[r - 1], formats["remarks"])
    if name == "findings":
        _review_form(sheet, [c.name for c in columns], frame.height, formats)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), len(columns))


def _review_form(sheet, names: list[str], n_rows: int, formats: dict) -> None:
    """The verdict drop-down, and grey rows where the verdict is 误报."""
    if "review_verdict" not in names or not n_rows:
        return
    column = names.index("review_verdict")
    words = list(labels()["verdict"].values())
    sheet.data_validation(1, column, n_rows, column, {"validate": "list", "source": words, "error_type": "warning"})
    letter = xl_col_to_name(column)
    sheet.conditional_format(
        1,
        0,
        n_rows,
        len(names),
        {"type": "formula", "criteria": f'=${letter}2="{word("verdict", "false")}"', "format": formats["false"]},
    )


def write_workbook(data: ReportData, path: str | Path) -> Path:
    """Write the three sheets to ``path`` (an .xlsx file) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "nan_inf_to_errors": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "header": book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DCE6F0", "border": 1}
        ),
        "remarks_header": book.add_format({"bold": True, "valign": "top", "bg_color": "#FFF2CC", "border": 1}),
        "remarks": book.add_format({"bg_color": "#FFFBEA", "text_wrap": True}),
        "percent": book.add_format({"num_format": "0.00%"}),
        "false": book.add_format({"font_color": "#9AA5B1", "italic": True}),
    }
    for column in (c for sheet in _SHEETS for c in sheet_columns(sheet)):
        if column.number_format and column.number_format not in formats:
            formats[column.number_format] = book.add_format({"num_format": column.number_format})
    for name in _SHEETS:
        _write_sheet(book, name, _BUILDERS[name](data), formats)
    book.close()
    return path
