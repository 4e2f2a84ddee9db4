"""Report stage: HTML content and escaping, workbook layout, summary stability, indicators."""

from __future__ import annotations

import re

import openpyxl
import polars as pl
import pytest

from analysis.report import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, load, write_reports
from analysis.report.benford import EXPECTED, digit_table, mean_absolute_deviation, verdict
from analysis.report.html import render_department_html, render_html
from analysis.report.indicators import conform, with_peer_stats
from analysis.report.markup import esc, table, tag
from analysis.report.summary import render_summary
from analysis.report.workbook import REMARKS
from analysis.schema import empty, frame
from test_report_support import peer_indicators, small_run

EVIL = '<script>alert("x")</script>'


def _documents(rows: list[dict]) -> pl.DataFrame:
    base = {"format": "text", "doc_type": "budget", "level": "department", "status": "ok"}
    return frame("documents", [{**base, **r} for r in rows])


def _finding(**values) -> dict:
    base = {
        "doc_id": "d1",
        "path": "/x/a.txt",
        "department": "甲局",
        "fiscal_year": 2025,
        "rule": "r-1",
        "severity": "error",
        "category": "arithmetic",
        "domain_ids": "I1",
        "table_kind": None,
        "location": "第3行",
        "row_label": "合计",
        "column": "total",
        "expected": 1.0,
        "actual": 2.0,
        "difference": 1.0,
        "message": "m",
        "excerpt": "e",
        "line": 3,
        "page": None,
    }
    return {**base, **values}


def _data(findings: list[dict], documents: pl.DataFrame | None = None, status: str = COMPARE_OK) -> ReportData:
    docs = (
        documents
        if documents is not None
        else _documents(
            [{"doc_id": "d1", "path": "/x/a.txt", "department": "甲局", "fiscal_year": 2025, "total_expenditure": 10.0}]
        )
    )
    return ReportData(
        docs,
        empty("tables"),
        empty("line_items"),
        frame("findings", findings),
        peer_indicators(docs),
        status,
        "2025-01-01 00:00",
        ["raw"],
    )


# --- escaping ------------------------------------------------------------------------------------


def test_markup_escapes_everything_not_built_here():
    assert esc(EVIL) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert esc(None) == ""
    page = table(["<th>"], [[EVIL, tag("b", EVIL)]])
    assert "<script" not in page and page.count("<b>") == 1
    assert tag("a", "x", href='" onclick="bad') == '<a href="&quot; onclick=&quot;bad">x</a>'


def test_every_text_field_of_a_finding_is_escaped():
    finding = _finding(
        department=EVIL,
        path=f"/x/{EVIL}.txt",
        location=EVIL,
        row_label=EVIL,
        column=EVIL,
        message=EVIL,
        excerpt="<img src=x onerror=alert(1)>",
        rule=EVIL,
        table_kind=EVIL,
    )
    docs = _documents(
        [
            {
                "doc_id": "d1",
                "path": f"/x/{EVIL}.txt",
                "department": EVIL,
                "fiscal_year": 2025,
                "status": "partial",
                "error": EVIL,
            }
        ]
    )
    data = _data([finding], docs)
    for page in (render_html(data), render_department_html(data, EVIL)):
        assert "<script" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert re.search(r"<[^>]*onerror", render_html(data)) is None


# --- HTML content --------------------------------------------------------------------------------


def test_report_has_overview_findings_charts_and_department_sections():
    _, result = small_run()
    page = result.paths["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page.replace("http://www.w3.org", "")
    for heading in ("一、总体情况", "二、问题清单", "三、指标与同行比较", "四、分部门情况"):
        assert heading in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    departments = result.documents["department"].n_unique()
    assert len(images) >= 4 + departments  # distributions, peers, growth, Benford + one per department
    assert all(len(i) > 5000 for i in images)
    assert page.count('class="department"') == departments
    n_findings = result.frames["findings"].height
    assert n_findings > 0 and page.count('class="sev sev-') >= n_findings


def test_findings_are_ranked_by_severity_then_department():
    findings = [
        _finding(severity="info", department="乙局"),
        _finding(severity="error", department="乙局"),
        _finding(severity="warning", department="甲局"),
        _finding(severity="error", department="甲局"),
    ]
    docs = _documents(
        [
            {"doc_id": f"d{n}", "path": f"/x/{n}.txt", "department": name, "fiscal_year": 2025}
            for n, name in enumerate(["甲局", "乙局"])
        ]
    )
    page = render_html(_data(findings, docs), department_charts=False)
    table_html = page.split('class="findings"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<td class="sev sev-(\w+)">.*?<a href="#dept-\d+">(.*?)</a>', table_html)
    assert rows == [("error", "乙局"), ("error", "甲局"), ("warning", "甲局"), ("info", "乙局")]


def test_compare_unavailable_is_said():
    page = render_html(_data([], status=COMPARE_UNAVAILABLE), department_charts=False)
    assert "比较模块不可用" in page
    assert "比较模块不可用" not in render_html(_data([]), department_charts=False)


# --- workbook ------------------------------------------------------------------------------------


def test_workbook_sheets_titles_filters_and_remarks(tmp_path):
    formula = _finding(message='=HYPERLINK("http://x")', excerpt="+1")
    paths = write_reports(_data([formula, _finding(severity="warning")]), tmp_path)
    book = openpyxl.load_workbook(paths["workbook"])
    assert book.sheetnames == ["findings", "indicators", "documents"]
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        assert header[-1] == REMARKS
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header), header
        remarks = [row[-1].value for row in sheet.iter_rows(min_row=2)]
        assert all(v is None for v in remarks)
    findings = book["findings"]
    header = [c.value for c in findings[1]]
    assert header[:2] == ["严重程度", "部门"] and findings.max_row == 3
    message = findings.cell(row=2, column=header.index("问题说明") + 1)
    assert message.data_type == "s" and message.value.startswith("=HYPERLINK")  # text, not a formula


# --- summary -------------------------------------------------------------------------------------


def test_summary_is_stable_and_has_one_timestamp():
    _, result = small_run()
    data = result.report
    first = render_summary(data)
    shuffled = ReportData(
        data.documents.reverse(),
        data.tables,
        data.line_items,
        data.findings.reverse(),
        data.indicators.reverse(),
        data.compare_status,
        "2099-12-31 23:59",
        data.sources,
        benford=data.benford.reverse(),
        panel=data.panel.reverse(),
    )
    second = render_summary(shuffled)
    assert first.splitlines()[1:] == second.splitlines()[1:]
    assert first.splitlines()[0] != second.splitlines()[0]
    body = "\n".join(first.splitlines()[1:])
    assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", body)
    assert f"文档 {result.documents.height} 个" in first
    assert sum(1 for line in first.splitlines() if line.startswith("- [")) == result.frames["findings"].height


# --- indicators and Benford ----------------------------------------------------------------------


def test_peer_stats_keep_the_compare_verdict():
    """The report judges no outlier itself: ``flagged`` is the compare stage's, false where it gave
    none, and the quartiles only place values on the charts' scale."""
    values = [0.10, 0.11, 0.12, 0.13, 0.14, 0.90]
    ind = conform(
        pl.DataFrame(
            {
                "doc_id": [f"d{i}" for i in range(6)],
                "department": [f"D{i}" for i in range(6)],
                "fiscal_year": [2025] * 6,
                "indicator": ["x"] * 6,
                "value": values,
                "flagged": [False, None, False, False, True, False],
            }
        )
    )
    stats = with_peer_stats(ind)
    assert stats["flagged"].to_list() == [False, False, False, False, True, False]
    assert stats["peer_median"][0] == pytest.approx(0.125)
    assert stats["position"][5] > stats["position"][4]
    assert not with_peer_stats(conform(ind.drop("flagged")))["flagged"].any()


def test_conform_requires_the_contract_columns():
    with pytest.raises(ValueError, match="value"):
        conform(pl.DataFrame({"doc_id": ["a"], "indicator": ["x"]}))


def test_benford_section_renders_the_compare_stage_test():
    from analysis.compare.benford import benford_tests

    amounts = [float(10 ** (k % 4) * (1 + (k * 7919 % 997) / 110)) for k in range(400)]
    items = frame(
        "line_items",
        [
            {
                "doc_id": "d",
                "amount": a,
                "row_role": "item",
                "column": "total",
                "table_kind": "x",
                "value_status": "value",
            }
            for a in amounts
        ],
    )
    docs = pl.DataFrame(
        {"doc_id": ["d"], "department_id": ["甲"], "region": [None], "is_reference": [True]},
        schema={"doc_id": pl.String, "department_id": pl.String, "region": pl.String, "is_reference": pl.Boolean},
    )
    tests = benford_tests(items, docs)
    row = tests.filter((pl.col("pool") == "全部") & (pl.col("test") == "first_digit")).row(0, named=True)
    table_ = digit_table(tests)
    assert table_["observed"].sum() == pytest.approx(1.0) and EXPECTED[1] == pytest.approx(0.30103, abs=1e-5)
    assert mean_absolute_deviation(tests) == pytest.approx(row["mad"])
    assert verdict(tests) != "无" and row["verdict"] in {"close", "acceptable", "marginal", "nonconformity"}
    assert mean_absolute_deviation(empty("benford")) is None and digit_table(empty("benford"))["count"].sum() == 0


def test_load_reads_a_processed_folder():
    root, result = small_run()
    data = load(root / "processed", generated="x")
    assert data.findings.height == result.frames["findings"].height
    assert data.compare_status == result.report.compare_status
