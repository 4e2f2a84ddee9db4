"""The workbook's fast row writer (report/xlsx_rows.py) writes the bytes xlsxwriter writes cell
by cell: every sheet of a workbook compared with one written by xlsxwriter alone, on values
that take each of its paths (plain and escaped texts, whitespace to preserve, control
characters, rich-string look-alikes, NaN and infinities, integers, booleans, empty cells and
rows, verdicts and remarks, percentages on ratio rows, split sheets)."""

from __future__ import annotations

import math
import zipfile

import polars as pl
import pytest

from analysis.report import xlsx_rows
from analysis.report.workbook import ExcelLimits, write_workbook
from test_report_scale import _batch

TRICKY_TEXTS = [
    "合计数与各项之和不符",
    'a & b < c > d "quoted"',
    " leading space",
    "trailing space ",
    "line\nbreak",
    "tab\tinside",
    "control\x01char",
    "looks escaped _x0041_ already",
    "<r>rich look-alike</r>",
    "\ufffe non-character",
    "",
    None,
]


def _tricky():
    data = _batch(4, len(TRICKY_TEXTS) * 2)
    n = data.findings.height
    texts = (TRICKY_TEXTS * 3)[:n]
    numbers = ([1.5, math.nan, math.inf, -math.inf, 0.1, 1e20, -3.0, None, 2.0, 1e-7, 12345.678, 0.0] * 3)[:n]
    data.findings = data.findings.with_columns(
        pl.Series("message", texts, dtype=pl.String),
        pl.Series("excerpt", list(reversed(texts)), dtype=pl.String),
        pl.Series("difference", numbers, dtype=pl.Float64),
        pl.Series("review_verdict", (["false", None, "true"] * n)[:n], dtype=pl.String),
        pl.Series("review_note", (["备注 & 说明", None] * n)[:n], dtype=pl.String),
    )
    # a ratio row takes the percent format in the value columns
    data.indicators = data.indicators.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0).then(pl.lit("ratio")).otherwise(pl.col("unit")).alias("unit")
    )
    return data


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        # the creation time is the only thing two writes of one workbook may differ in
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize("limits", [ExcelLimits(), ExcelLimits(rows=5, chars=60)])
def test_fast_rows_write_what_xlsxwriter_writes(tmp_path, monkeypatch, limits):
    assert xlsx_rows.matched_release()  # else both writes below would take xlsxwriter's path
    data = _tricky()
    fast = write_workbook(data, tmp_path / "fast.xlsx", limits)
    monkeypatch.setattr(xlsx_rows, "supported", lambda sheet: False)
    slow = write_workbook(data, tmp_path / "slow.xlsx", limits)
    got, want = _members(fast), _members(slow)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert any(b"_x0001_" in v for v in got.values())  # the control character took xlsxwriter's path
    assert any(b"#NUM!" in v for v in got.values())  # NaN too


def test_every_row_takes_the_fast_path_when_nothing_is_tricky(tmp_path, monkeypatch):
    calls = []
    original = xlsx_rows.write_rows

    def counting(sheet, frame, kinds, formats, overrides, slow):
        def counted(r, row):
            calls.append(r)
            slow(r, row)

        return original(sheet, frame, kinds, formats, overrides, counted)

    monkeypatch.setattr(xlsx_rows, "write_rows", counting)
    write_workbook(_batch(3, 9), tmp_path / "w.xlsx")
    assert calls == []


def test_an_xlsxwriter_release_not_matched_takes_its_own_writers():
    assert xlsx_rows.matched_release("3.1.9") and xlsx_rows.matched_release("3.2.0")
    assert not xlsx_rows.matched_release("3.0.9")
    assert not xlsx_rows.matched_release("4.0.0")
