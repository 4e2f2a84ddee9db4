"""The auditors' workbook: sheets findings, indicators and documents.

Each sheet has Chinese column titles (metadata/report/columns.csv), a frozen header row, an
autofilter over the whole range, and a last column 审计人员备注 for the auditor's own remarks.
Rows are in the same order as the HTML report and the markdown summary (severity, then the
amount at stake).

The findings sheet is also the auditor's review form: 审核结论 (a drop-down of 属实 / 误报 /
待核实) and 审计人员备注 are filled with the verdicts and notes of earlier reviews, and read back
by the next ``analysis run`` by 问题编号 (finding_id; see review.py). A row judged 误报 is grey,
also as soon as the auditor types it.

Excel's limits (``ExcelLimits``: 1,048,576 rows per sheet with the header, 32,767 characters per
cell): a sheet with more rows is split into numbered sheets (findings, findings_2 …, each with its
header, filter and review form), a longer text is cut with a marker; either way a sheet ``notes``
says what was split or cut and where the whole is (the parquet outputs). The workbook is written
row by row in xlsxwriter's constant-memory mode, with one typed writer per column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from analysis.report import xlsx_rows
from analysis.report.frames import ranked_documents, ranked_findings
from analysis.report.labels import Column, doc_kind_expr, gov_level, labels, sheet_columns, word
from analysis.report.model import ReportData
from analysis.report.review import REMARKS

_REMARKS_WIDTH = 40
_SHEETS = ("findings", "indicators", "documents")
NOTES_SHEET = "notes"
CUT_MARK = "…（超出 Excel 单元格字符上限，已截断）"
_PARQUET = {"findings": "findings.parquet", "indicators": "indicator_scores.parquet", "documents": "documents.parquet"}


@dataclass(frozen=True, slots=True)
class ExcelLimits:
    """What one sheet can hold: rows including the header, characters per cell."""

    rows: int = 1_048_576
    chars: int = 32_767

    def __post_init__(self) -> None:
        # a sheet needs its header and one row; a cut text must still hold the cut mark
        if self.rows < 2 or self.chars <= len(CUT_MARK):
            raise ValueError(f"ExcelLimits needs rows >= 2 and chars > {len(CUT_MARK)}: {self}")


EXCEL_LIMITS = ExcelLimits()


def sheet_names(name: str, n_rows: int, limits: ExcelLimits = EXCEL_LIMITS) -> list[str]:
    """The sheets ``n_rows`` data rows of ``name`` take: name, name_2, name_3 …"""
    per_sheet = limits.rows - 1
    parts = max(1, -(-n_rows // per_sheet))
    return [name if n == 1 else f"{name}_{n}" for n in range(1, parts + 1)]


def _words(column: str, group: str) -> pl.Expr:
    """Codes → display words as :func:`labels.word` gives them (unknown codes kept)."""
    return pl.col(column).replace_strict(labels()[group], default=pl.col(column), return_dtype=pl.String)


def _findings(data: ReportData) -> pl.DataFrame:
    return ranked_findings(data.findings).with_columns(
        _words("severity", "severity"),
        _words("category", "category"),
        _words("review_verdict", "verdict"),
        pl.col("review_note").alias(REMARKS),
    )


def _indicators(data: ReportData) -> pl.DataFrame:
    return data.indicators.sort(["department", "fiscal_year", "indicator"], nulls_last=True, maintain_order=True)


def _documents(data: ReportData) -> pl.DataFrame:
    return ranked_documents(data.documents, data.findings).with_columns(
        _words("status", "status"),
        doc_kind_expr(pl.col("doc_type"), pl.col("level")).alias("doc_type"),
        pl.col("department").map_elements(gov_level, return_dtype=pl.String).alias("gov_level"),
    )


_BUILDERS = {"findings": _findings, "indicators": _indicators, "documents": _documents}


def _writer(sheet, dtype: pl.DataType, fmt) -> Callable[[int, int, object], object]:
    """The xlsxwriter call for a column's type (one lookup per column, not per cell)."""
    if dtype == pl.String:
        return lambda r, c, v: sheet.write_string(r, c, v, fmt)
    if dtype.is_numeric():
        return lambda r, c, v: sheet.write_number(r, c, v, fmt)
    if dtype == pl.Boolean:
        return lambda r, c, v: sheet.write_boolean(r, c, v, fmt)
    return lambda r, c, v: sheet.write(r, c, v, fmt)


def _kind(dtype: pl.DataType) -> str:
    """How :mod:`xlsx_rows` writes a column (as :func:`_writer` picks the xlsxwriter call)."""
    if dtype == pl.String:
        return xlsx_rows.STRING
    if dtype.is_numeric():
        return xlsx_rows.NUMBER
    if dtype == pl.Boolean:
        return xlsx_rows.BOOLEAN
    return xlsx_rows.OTHER


def _write_sheet(book: xlsxwriter.Workbook, sheet_name: str, name: str, frame: pl.DataFrame, formats: dict) -> None:
    columns: tuple[Column, ...] = tuple(c for c in sheet_columns(name) if c.name in frame.columns)
    sheet = book.add_worksheet(sheet_name)
    for n, column in enumerate(columns):
        sheet.set_column(n, n, column.width, formats.get(column.number_format))
    sheet.set_column(len(columns), len(columns), _REMARKS_WIDTH, formats["remarks"])
    sheet.write_row(0, 0, [c.title for c in columns], formats["header"])
    sheet.write(0, len(columns), REMARKS, formats["remarks_header"])
    remarks = frame[REMARKS].to_list() if REMARKS in frame.columns else None
    writers = [_writer(sheet, frame.schema[c.name], formats.get(c.number_format)) for c in columns]
    # ratios read better as percentages; other indicator units keep the column format
    percent_columns = {
        n
        for n, c in enumerate(columns)
        if name == "indicators" and c.name in ("value", "peer_median", "peer_q1", "peer_q3")
    }
    ratio_rows = frame["unit"].to_list() if percent_columns else None
    data = frame.select([c.name for c in columns])
    if remarks:
        data = data.with_columns(pl.Series(REMARKS, remarks, dtype=pl.String))
    kinds = [_kind(data.schema[c]) for c in data.columns]
    column_formats = [formats.get(c.number_format) for c in columns] + [formats["remarks"]]

    def by_xlsxwriter(r: int, row) -> None:
        ratio = ratio_rows is not None and ratio_rows[r - 1] == "ratio"
        for n, value in enumerate(row[: len(columns)]):
            if value is None:
                continue
            if ratio and n in percent_columns and isinstance(value, float):
                sheet.write_number(r, n, value, formats["percent"])
            else:
                writers[n](r, n, value)
        if remarks and remarks[r - 1] is not None:
            sheet.write_string(r, len(columns), remarks[r - 1], formats["remarks"])

    if xlsx_rows.supported(sheet):
        ratio = frame["unit"].eq("ratio").fill_null(False) if percent_columns else None
        overrides = {n: (ratio, formats["percent"]) for n in percent_columns if ratio is not None}
        xlsx_rows.write_rows(sheet, data, kinds, column_formats, overrides, by_xlsxwriter)
    else:
        for r, row in enumerate(data.iter_rows(), start=1):
            by_xlsxwriter(r, row)
    if name == "findings":
        _review_form(sheet, [c.name for c in columns], frame.height, formats)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), len(columns))


def _cut_long_texts(frame: pl.DataFrame, limits: ExcelLimits) -> tuple[pl.DataFrame, dict[str, int]]:
    """Texts longer than a cell holds, cut with ``CUT_MARK``; and how many per column."""
    keep = limits.chars - len(CUT_MARK)
    too_long = {
        c: int(n)
        for c in frame.columns
        if frame.schema[c] == pl.String and (n := frame[c].str.len_chars().gt(limits.chars).sum())
    }
    if not too_long:
        return frame, {}
    cut = [
        pl.when(pl.col(c).str.len_chars() > limits.chars)
        .then(pl.col(c).str.slice(0, keep) + pl.lit(CUT_MARK))
        .otherwise(pl.col(c))
        .alias(c)
        for c in too_long
    ]
    return frame.with_columns(cut), too_long


def _note_lines(
    name: str, frame: pl.DataFrame, sheets: list[str], cut: dict[str, int], limits: ExcelLimits
) -> list[str]:
    titles = {c.name: c.title for c in sheet_columns(name)} | {REMARKS: REMARKS}
    lines = []
    if len(sheets) > 1:
        lines.append(
            f"{name} 共 {frame.height:,} 行，超过 Excel 每个工作表 {limits.rows - 1:,} 行数据的上限，"
            f"依次分为 {len(sheets)} 个工作表：{'、'.join(sheets)}（各有表头、筛选）；完整数据见 {_PARQUET[name]}。"
        )
    for column, n in cut.items():
        lines.append(
            f"{name} 的“{titles.get(column, column)}”列有 {n:,} 个单元格超过 Excel 每格 {limits.chars:,} 个字符的上限，"
            f"已截断（末尾注明）；全文见 {_PARQUET[name]}。"
        )
    return lines


def _write_notes(book: xlsxwriter.Workbook, lines: list[str], formats: dict) -> None:
    sheet = book.add_worksheet(NOTES_SHEET)
    sheet.set_column(0, 0, 120, formats["remarks"])
    sheet.write_string(0, 0, "说明", formats["header"])
    for r, line in enumerate(lines, start=1):
        sheet.write_string(r, 0, line)


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


def write_workbook(data: ReportData, path: str | Path, limits: ExcelLimits = EXCEL_LIMITS) -> Path:
    """Write the three sheets (split where ``limits`` say, with a ``notes`` sheet then) to
    ``path`` (an .xlsx file) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,  # rows go to disk as they are written: memory stays flat
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
    notes: list[str] = []
    per_sheet = limits.rows - 1
    for name in _SHEETS:
        frame, cut = _cut_long_texts(_BUILDERS[name](data), limits)
        sheets = sheet_names(name, frame.height, limits)
        for n, sheet_name in enumerate(sheets):
            _write_sheet(book, sheet_name, name, frame.slice(n * per_sheet, per_sheet), formats)
        notes += _note_lines(name, frame, sheets, cut, limits)
    if notes:
        _write_notes(book, notes, formats)
    book.close()
    return path
