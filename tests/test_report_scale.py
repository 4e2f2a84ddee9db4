"""The report at scale (issue 14, item 6): the overview stays bounded as findings grow, every
finding is reachable from some page, department pages have safe and unique file names, and the
workbook splits and says so at Excel's limits (tested with small injected limits). Tests that
render whole batches carry the ``slow`` marker (``make test`` runs them)."""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import unquote

import openpyxl
import polars as pl
import pytest

from analysis.report import ReportData, write_reports
from analysis.report.html import render_html
from analysis.report.pages import INLINE_DEPARTMENTS, TOP_FINDINGS, UNKNOWN, page_files
from analysis.report.review import read_workbook
from analysis.report.summary import render_summary
from analysis.report.workbook import CUT_MARK, NOTES_SHEET, ExcelLimits, write_workbook
from analysis.schema import empty, frame
from test_report_support import peer_indicators

SEVERITIES = ("error", "warning", "info")


def _batch(n_departments: int, n_findings: int, *, unknown: int = 0) -> ReportData:
    """A batch of one 2025 document per department and ``n_findings`` findings spread over them
    (``unknown`` more with no department read)."""
    names = [f"示范市第{n:04d}区财政局" for n in range(n_departments)]
    docs = frame(
        "documents",
        [
            {
                "doc_id": f"d{n}",
                "path": f"/raw/{name}.txt",
                "department": name,
                "fiscal_year": 2025,
                "format": "text",
                "doc_type": "budget",
                "level": "department",
                "status": "ok",
                "total_expenditure": 100.0 + n,
            }
            for n, name in enumerate(names)
        ],
    )
    findings = [
        {
            "doc_id": f"d{k % n_departments}",
            "path": f"/raw/{names[k % n_departments]}.txt",
            "department": names[k % n_departments],
            "fiscal_year": 2025,
            "rule": f"rule-{k % 7}",
            "severity": SEVERITIES[k % 3],
            "category": "arithmetic",
            "location": f"第{k}行",
            "line": k + 1,
            "expected": float(k),
            "actual": float(k + 1),
            "difference": 1.0,
            "amount_at_stake": float(k % 1000),
            "message": f"合计数与各项之和不符（第{k}条）",
            "excerpt": "合计 1.00",
            "finding_id": f"id{k:06d}",
        }
        for k in range(n_findings)
    ]
    findings += [
        {
            "doc_id": None,
            "path": f"/raw/unreadable{k}.txt",
            "department": None,
            "rule": "document-unreadable",
            "severity": "warning",
            "category": "completeness",
            "message": "无法识别部门",
            "finding_id": f"unknown{k}",
        }
        for k in range(unknown)
    ]
    return ReportData(
        docs,
        empty("tables"),
        empty("line_items"),
        frame("findings", findings),
        peer_indicators(docs),
        "ok",
        "2025-01-01 00:00",
        ["raw"],
    )


# --- the overview is bounded ------------------------------------------------------------------------


@pytest.mark.slow  # renders whole batches: make test, not make test-fast
def test_overview_size_does_not_grow_with_the_findings():
    departments = INLINE_DEPARTMENTS + 20  # beyond the inline scale
    sizes = {n: len(render_html(_batch(departments, n), department_charts=False).encode()) for n in (3000, 12000)}
    assert sizes[12000] < 1.02 * sizes[3000], sizes  # 4× the findings, the same page
    page = render_html(_batch(departments, 12000), department_charts=False)
    findings_table = page.split('class="findings"', 1)[1].split("</table>", 1)[0]
    assert findings_table.count("<tr") == TOP_FINDINGS + 1  # header and the most material
    assert "共 12000 条" in page  # and says how many there are
    assert page.count('class="department"') == 0  # sections are on their pages, the index links them
    assert page.count('href="departments/') >= departments


def test_a_small_batch_keeps_everything_inline():
    page = render_html(_batch(6, 40), department_charts=False)
    assert page.count('class="department"') == 6
    assert page.split('class="findings"', 1)[1].split("</table>", 1)[0].count("<tr") == 41
    assert 'href="#dept-1"' in page and 'href="departments/' not in page


def test_summary_is_bounded_and_says_where_the_rest_is():
    summary = render_summary(_batch(INLINE_DEPARTMENTS + 20, 12000))
    assert sum(1 for line in summary.splitlines() if line.startswith("- [")) == TOP_FINDINGS
    assert "问题共 12000 条" in summary and "findings.parquet" in summary


def test_peer_chart_keeps_its_width_with_thousands_of_departments():
    from analysis.report import charts

    data = _batch(3000, 0)
    names = sorted(data.documents["department"].to_list())
    fig = charts.peer_bars(data.indicators, "total_expenditure", 2025, charts.axis_names(names))
    assert fig.get_size_inches()[0] <= 0.22 * charts.MAX_LABELLED_BARS + 1.5 + 1e-9
    assert not fig.axes[0].get_xticklabels()  # no department named on the axis


# --- every finding is reachable ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("departments", [5, INLINE_DEPARTMENTS + 5])
def test_every_finding_is_reachable_from_the_overview(tmp_path, departments):
    data = _batch(departments, 900, unknown=2)
    paths = write_reports(data, tmp_path, department_charts=False)
    overview = paths["html"].read_text(encoding="utf-8")
    pages = {p.name: p.read_text(encoding="utf-8") for p in paths["departments"].glob("*.html")}
    assert len(pages) == departments + 1  # and one for the findings with no department
    linked = {unquote(h) for h in re.findall(r'href="departments/([^"#]+)', overview)}
    if departments > INLINE_DEPARTMENTS:
        assert linked == set(pages)  # every page is linked from the overview
    reachable = set(re.findall(r'id="f-([^"]+)"', "".join(pages.values())))
    assert reachable == set(data.findings["finding_id"].to_list())
    for page in pages.values():
        assert 'href="../report.html"' in page and "<style>" in page and "http" not in page
    unknown = pages[page_files([UNKNOWN])[UNKNOWN]]
    assert 'id="f-unknown0"' in unknown and 'id="f-unknown1"' in unknown


@pytest.mark.slow  # renders whole batches: make test, not make test-fast
def test_a_second_render_replaces_the_department_pages(tmp_path):
    write_reports(_batch(8, 20), tmp_path, department_charts=False)
    write_reports(_batch(3, 20), tmp_path, department_charts=False)
    assert len(list((tmp_path / "departments").glob("*.html"))) == 3
    assert not list(tmp_path.glob(".departments-*"))


# --- safe, unique file names -------------------------------------------------------------------------

AWKWARD = [
    "示范市财政局",
    "示范市财政局 ",
    "示范市/财政局",
    "示范市\\财政局",
    "示范市:财政局?",
    "示范市财政局.",
    "..",
    ".",
    "",
    "CON",
    "con",
    "ABC局",
    "abc局",
    "示范市（财政局）",
    "示范市(财政局)",
    "<script>alert(1)</script>局",
    "换行\n局",
    "零宽\u200b局",
    "ｆｕｌｌｗｉｄｔｈ局",
    "fullwidth局",
    "表情😀局",
    "长" * 300,
    "长" * 299 + "短",
]


def test_department_page_names_are_safe_and_unique(tmp_path):
    files = page_files(AWKWARD)
    assert set(files) == set(AWKWARD)
    names = list(files.values())
    assert len({n.casefold() for n in names}) == len(AWKWARD)  # also on case-insensitive file systems
    for name in names:
        assert re.fullmatch(r"[0-9A-Za-z_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+-[0-9a-f]{10,64}\.html", name), name
        assert len(name.encode("utf-8")) < 200
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert len(list(tmp_path.iterdir())) == len(AWKWARD)
    assert page_files(reversed(AWKWARD)) == files  # a name's file does not depend on the others


# --- the workbook at Excel's limits ------------------------------------------------------------------


def test_workbook_splits_long_sheets_and_cuts_long_cells_and_says_so(tmp_path):
    data = _batch(3, 7)
    long_message = "很长的说明" * 40  # 200 characters
    data.findings = data.findings.with_columns(
        pl.when(pl.col("finding_id") == "id000004")
        .then(pl.lit(long_message))
        .otherwise(pl.col("message"))
        .alias("message")
    )
    limits = ExcelLimits(rows=4, chars=50)  # a header and three rows per sheet
    book = openpyxl.load_workbook(write_workbook(data, tmp_path / "w.xlsx", limits))
    assert book.sheetnames == ["findings", "findings_2", "findings_3", "indicators", "documents", NOTES_SHEET]
    ids = []
    for name in ("findings", "findings_2", "findings_3"):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        assert header[0] == "严重程度" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        ids += [row[header.index("问题编号")] for row in sheet.iter_rows(min_row=2, values_only=True)]
        messages = [row[header.index("问题说明")] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert all(len(m) <= limits.chars for m in messages)
    assert sorted(ids) == sorted(data.findings["finding_id"].to_list())  # every finding, once
    cut = [
        v
        for sheet in book.worksheets[:3]
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and v.endswith(CUT_MARK)
    ]
    assert len(cut) == 1 and long_message.startswith(cut[0][: -len(CUT_MARK)])
    notes = [c.value for c in book[NOTES_SHEET]["A"]]
    assert any("findings 共 7 行" in n and "findings_3" in n for n in notes[1:]), notes
    assert any("问题说明" in n and "已截断" in n and "findings.parquet" in n for n in notes[1:]), notes
    assert not any(n.startswith("indicators") or n.startswith("documents") for n in notes[1:])


def test_verdicts_are_read_back_from_every_findings_sheet(tmp_path):
    path = write_workbook(_batch(3, 7), tmp_path / "w.xlsx", ExcelLimits(rows=4, chars=32_767))
    book = openpyxl.load_workbook(path)
    sheet = book["findings_3"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("审核结论") + 1, value="误报")
    finding = sheet.cell(row=2, column=header.index("问题编号") + 1).value
    book.save(path)
    verdicts = read_workbook(path)
    assert verdicts.select("finding_id", "verdict").rows() == [(finding, "false")]


def test_a_workbook_within_the_limits_has_no_notes(tmp_path):
    book = openpyxl.load_workbook(write_workbook(_batch(3, 7), tmp_path / "w.xlsx"))
    assert book.sheetnames == ["findings", "indicators", "documents"]


# --- the department chart --------------------------------------------------------------------------


def test_profile_marks_drawn_over_the_background_sit_where_the_png_has_them():
    """The SVG marks of a department page land on the red dots of the same chart drawn as PNG."""
    from PIL import Image

    from analysis.report.profile import ProfileRenderer

    base = _batch(30, 0)
    one = peer_indicators(base.documents)
    two = one.with_columns(pl.lit("other").alias("indicator"), (pl.col("value") * pl.col("value")).alias("value"))
    data = ReportData(base.documents, base.tables, base.line_items, base.findings, pl.concat([one, two]))
    renderer = ProfileRenderer(data.indicators, 2025)
    name = data.documents["department"][3]
    figure = renderer.figure(name, "x")
    circles = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', figure)]
    assert len(circles) == 2
    png = base64.b64decode(renderer.data_uri(name).split(",", 1)[1])
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for x, y in circles:
        r, g, b = image.getpixel((round(x), round(y)))
        assert r > 150 and g < 110 and b < 110, (x, y, (r, g, b))  # the red of charts.MARK


@pytest.mark.slow  # renders whole batches: make test, not make test-fast
def test_a_run_moves_the_department_pages_into_its_reports_folder():
    from test_report_support import DEPARTMENTS, small_run

    root, result = small_run()
    pages = result.paths["departments"]
    assert pages == root / "reports" / "departments"
    assert len(list(pages.glob("*.html"))) == DEPARTMENTS
    assert not [p for p in (root / "reports").iterdir() if p.name.startswith(".departments-")]


@pytest.mark.parametrize("rows, chars", [(1, 100), (5, 10)])
def test_limits_that_cannot_hold_a_header_row_or_the_cut_mark_are_refused(rows, chars):
    with pytest.raises(ValueError, match="ExcelLimits needs"):
        ExcelLimits(rows=rows, chars=chars)
