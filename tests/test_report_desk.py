"""The auditor's desk: what is at stake in a finding, ranking by it, document type and level
labels, stable finding ids, and the review round trip (verdicts and notes read back from the
workbook and carried through reruns with one document changed and one added)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from analysis import pipeline
from analysis.commands.run import run_command
from analysis.pipeline import run, summary_lines
from analysis.report import ReportData
from analysis.report.frames import false_count, ranked_findings, severity_counts
from analysis.report.html import render_html
from analysis.report.labels import doc_kind, gov_level, sheet_columns
from analysis.report.materiality import with_materiality
from analysis.report.review import HISTORY_FILE, REMARKS, REVIEWS_FILE, finding_ids, read_store
from analysis.schema import empty, frame
from analysis.synth import generate


def _finding(**values) -> dict:
    base = {
        "doc_id": "d1",
        "path": "/x/a.txt",
        "department": "甲局",
        "fiscal_year": 2025,
        "rule": "row-identity",
        "severity": "error",
        "category": "arithmetic",
        "location": "第3行",
        "row_label": "合计",
        "column": "total",
        "expected": 100.0,
        "actual": 100.5,
        "difference": 0.5,
        "message": "m",
        "excerpt": "e",
    }
    return {**base, **values}


def _documents(rows: list[dict]) -> pl.DataFrame:
    base = {"format": "text", "doc_type": "budget", "level": "department", "status": "ok", "fiscal_year": 2025}
    return frame("documents", [{**base, **r} for r in rows])


# --- materiality ---------------------------------------------------------------------------------


def test_amount_at_stake_follows_the_rule_and_share_is_of_the_departments_total():
    docs = _documents(
        [
            {"doc_id": "d1", "path": "/x/a.txt", "department": "甲局", "total_expenditure": 1000.0},
            {"doc_id": "n1", "path": "/x/a说明.pdf", "department": "甲局", "paired_doc_id": "d1"},
        ]
    )
    findings = frame(
        "findings",
        [
            _finding(),  # arithmetic: |actual − expected|
            _finding(
                rule="hidden-personnel-share", category="plausibility", expected=302.73, actual=105.94, difference=None
            ),  # the hidden amount itself
            _finding(rule="share-range", category="percentage", expected=100.0, actual=104.0),  # a percentage
            _finding(rule="table-title-year", category="template", expected=2025.0, actual=2024.0),  # a year
            _finding(rule="outlier-structure-ratio", category="outlier", expected=0.61, actual=0.03),
            _finding(doc_id="n1", rule="narrative-amount-table", category="narrative", expected=50.0, actual=70.0),
            _finding(doc_id="zz", expected=1.0, actual=3.0),  # document unknown: no share
        ],
    )
    out = with_materiality(findings, docs)
    stakes = out["amount_at_stake"].to_list()
    assert stakes[0] == pytest.approx(0.5) and stakes[1] == pytest.approx(105.94) and stakes[5] == pytest.approx(20.0)
    assert stakes[2] is None and stakes[3] is None and stakes[4] is None
    shares = out["share_of_total"].to_list()
    assert shares[0] == pytest.approx(0.0005) and shares[1] == pytest.approx(0.10594)
    assert shares[5] == pytest.approx(0.02)  # the narrative file takes its tables file's total
    assert shares[6] is None and shares[2] is None
    assert out.height == findings.height and out["rule"].to_list() == findings["rule"].to_list()


def test_findings_rank_by_severity_then_amount_at_stake_and_false_alarms_last():
    docs = _documents([{"doc_id": "d1", "path": "/x/a.txt", "department": "甲局", "total_expenditure": 1000.0}])
    findings = with_materiality(
        frame(
            "findings",
            [
                _finding(department="甲局", expected=10.0, actual=10.01, location="a"),  # 0.01 rounding slip
                _finding(
                    department="乙局",
                    rule="hidden-personnel-share",
                    category="plausibility",
                    severity="error",
                    expected=None,
                    actual=200.0,
                    location="b",
                ),  # 200 万元 at stake
                _finding(
                    department="甲局",
                    rule="government-level-word",
                    category="template",
                    expected=None,
                    actual=None,
                    location="c",
                ),  # no amount
                _finding(severity="warning", expected=0.0, actual=500.0, location="d"),
                _finding(expected=0.0, actual=900.0, location="e", review_verdict="false"),  # judged false
            ],
        ),
        docs,
    )
    ranked = ranked_findings(findings)
    assert ranked["location"].to_list() == ["b", "a", "c", "d", "e"]
    counts = severity_counts(findings)
    assert counts["error"] == 3 and false_count(findings) == 1


# --- labels --------------------------------------------------------------------------------------


def test_document_type_and_government_level_labels():
    assert doc_kind("budget", "department") == "部门预算"
    assert doc_kind("budget", "unit") == "单位预算"
    assert doc_kind("final_account", "department") == "部门决算"
    assert doc_kind("final_account", "unit") == "单位决算"
    assert doc_kind("budget", None) == "部门预算"
    assert gov_level("江苏省财政厅") == "省级"
    assert gov_level("上海市财政局") == "市级"
    assert gov_level("新乡市东湖区文化和旅游局") == "区县级"
    assert gov_level("上海市普陀区人民政府万里街道办事处") == "区县级"
    assert gov_level("财政局") == "级次不明"


def test_report_and_workbook_show_unit_budgets_as_unit_budgets(tmp_path):
    from analysis.report import write_reports
    from test_report_support import peer_indicators

    docs = _documents(
        [
            {"doc_id": "u1", "path": "/x/u.txt", "department": "新乡市东湖区第一初级中学", "level": "unit"},
            {
                "doc_id": "f1",
                "path": "/x/f.txt",
                "department": "新乡市东湖区第一初级中学",
                "doc_type": "final_account",
                "fiscal_year": 2024,
            },
        ]
    )
    data = ReportData(docs, empty("tables"), empty("line_items"), empty("findings"), peer_indicators(docs))
    page = render_html(data, department_charts=False)
    assert "单位预算" in page and "部门决算" in page and "区县级" in page
    book = openpyxl.load_workbook(write_reports(data, tmp_path)["workbook"])
    sheet = book["documents"]
    header = [c.value for c in sheet[1]]
    kinds = {sheet.cell(row=r, column=header.index("文档类型") + 1).value for r in range(2, sheet.max_row + 1)}
    assert kinds == {"单位预算", "部门决算"}
    assert {sheet.cell(row=r, column=header.index("级次") + 1).value for r in range(2, sheet.max_row + 1)} == {"区县级"}


# --- finding ids ---------------------------------------------------------------------------------


def test_finding_ids_depend_on_rule_document_and_place_only():
    a = frame(
        "findings",
        [_finding(), _finding(location="第9行"), _finding(doc_id="d2"), _finding(message="x"), _finding(message="y")],
    )
    ids = finding_ids(a).to_list()
    assert len(set(ids)) == 5
    assert all(re.fullmatch(r"[0-9a-f]{12}(-\d+)?", i) for i in ids)
    # the same findings in another order, with the numbers of another run: the same ids
    b = a.reverse().with_columns(pl.col("expected") * 2, pl.col("actual") + 1)
    assert finding_ids(b).to_list() == ids[::-1]
    # two findings sharing rule, document and place are told apart by their own text only
    assert ids[3].split("-")[0] == ids[4].split("-")[0] == ids[0].split("-")[0]


# --- the review round trip -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def pinned_code(monkeypatch):
    monkeypatch.setattr(pipeline, "extraction_fingerprint", lambda: "pinned")


def _review(workbook: Path, verdicts: dict[str, tuple[str | None, str | None]], save_as: Path) -> Path:
    """Write verdicts and notes into a workbook's findings sheet as an auditor would (by 问题编号)."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["findings"]
    header = [c.value for c in sheet[1]]
    titles = {c.name: c.title for c in sheet_columns("findings")}
    id_col, verdict_col = header.index(titles["finding_id"]) + 1, header.index(titles["review_verdict"]) + 1
    note_col = header.index(REMARKS) + 1
    for r in range(2, sheet.max_row + 1):
        given = verdicts.get(sheet.cell(row=r, column=id_col).value)
        if given:
            sheet.cell(row=r, column=verdict_col).value, sheet.cell(row=r, column=note_col).value = given
    book.save(save_as)
    return save_as


def _by_id(result) -> dict[str, dict]:
    return {r["finding_id"]: r for r in result.frames["findings"].iter_rows(named=True)}


def test_verdicts_and_notes_survive_a_rerun_with_one_document_changed_and_one_added(tmp_path):
    source = tmp_path / "district"
    generate(source, departments=4, years=(2025,), anomaly_rate=0.8, seed=11)
    raw = tmp_path / "raw"
    raw.mkdir()
    files = sorted(source.rglob("*.txt"))
    assert len(files) == 4
    for f in files[:3]:
        shutil.copy(f, raw / f.name)
    out = tmp_path / "out"

    def screen(**options):
        return run([raw], out / "processed", out / "reports", department_charts=False, **options)

    first = screen()
    findings = first.frames["findings"]
    per_doc = findings.group_by("path").len().sort("len", descending=True)
    assert per_doc.height >= 2, "the district should have findings in two documents"
    kept_path, changed_path = per_doc["path"][0], per_doc["path"][1]
    kept = findings.filter(pl.col("path") == kept_path)
    changed = findings.filter(pl.col("path") == changed_path)
    false_id, confirmed_id, noted_id = kept["finding_id"][0], kept["finding_id"][-1], changed["finding_id"][0]
    assert false_id != confirmed_id
    edited = _review(
        first.paths["workbook"],
        {
            false_id: ("误报", "表内数字核对无误，系取整差"),
            confirmed_id: ("属实", "已函询部门，待更正"),
            noted_id: ("属实", "变更前的文件"),
        },
        tmp_path / "审核后.xlsx",
    )

    # one document changed (the other findings' document untouched), one added
    changed_file = Path(changed_path)
    changed_file.write_text(changed_file.read_text(encoding="utf-8") + "\n附注：本文件已重新发布。\n", encoding="utf-8")
    shutil.copy(files[3], raw / files[3].name)

    result = CliRunner().invoke(run_command, [str(raw), "--out", str(out), "--review", str(edited), "-q"])
    assert result.exit_code == 0, result.output
    after = pl.read_parquet(out / "processed" / "findings.parquet")
    rows = {r["finding_id"]: r for r in after.iter_rows(named=True)}
    assert set(kept["finding_id"]) <= set(rows), "ids of the untouched document's findings changed"
    assert (rows[false_id]["review_verdict"], rows[false_id]["review_note"]) == ("false", "表内数字核对无误，系取整差")
    assert (rows[confirmed_id]["review_verdict"], rows[confirmed_id]["review_note"]) == (
        "confirmed",
        "已函询部门，待更正",
    )
    assert noted_id not in rows  # the changed document is new content: new ids, its verdict is not applied
    assert after.filter(pl.col("path").str.ends_with(files[3].name)).height > 0  # the added document was screened
    assert after["review_verdict"].drop_nulls().len() == 2

    store = read_store(out / "reports")
    assert set(store["finding_id"]) == {false_id, confirmed_id, noted_id}  # the old verdict is kept
    history = pl.read_csv(out / "reports" / HISTORY_FILE)
    assert history.height == 3 and set(history["source"]) == {str(edited)}

    page = (out / "reports" / "report.html").read_text(encoding="utf-8")
    assert page.count('<tr class="reviewed-false">') == 2  # the findings list and the department's list
    assert "已复核为误报" in page and "另有 1 条复核意见" in page
    book = openpyxl.load_workbook(out / "reports" / "workbook.xlsx")
    sheet = book["findings"]
    header = [c.value for c in sheet[1]]
    by_id = {sheet.cell(row=r, column=header.index("问题编号") + 1).value: r for r in range(2, sheet.max_row + 1)}
    row = by_id[false_id]
    assert sheet.cell(row=row, column=header.index("审核结论") + 1).value == "误报"
    assert sheet.cell(row=row, column=header.index(REMARKS) + 1).value == "表内数字核对无误，系取整差"
    assert row == sheet.max_row  # judged false: listed last

    # a rerun without --review reads the verdicts back from the reports folder: nothing changes
    third = screen()
    assert {k: (v["review_verdict"], v["review_note"]) for k, v in _by_id(third).items() if v["review_verdict"]} == {
        false_id: ("false", "表内数字核对无误，系取整差"),
        confirmed_id: ("confirmed", "已函询部门，待更正"),
    }
    assert pl.read_csv(out / "reports" / HISTORY_FILE).height == 3
    assert false_count(third.frames["findings"]) == 1
    assert any("judged false" in line for line in summary_lines(third))

    # the auditor edits the workbook in the reports folder itself and reruns: the new note is taken
    _review(out / "reports" / "workbook.xlsx", {confirmed_id: (None, "部门已更正")}, out / "reports" / "workbook.xlsx")
    fourth = screen()
    assert _by_id(fourth)[confirmed_id]["review_note"] == "部门已更正"
    assert _by_id(fourth)[confirmed_id]["review_verdict"] == "confirmed"  # a blank verdict keeps the old one
    history = pl.read_csv(out / "reports" / HISTORY_FILE)
    assert history.height == 4 and history["note"][-1] == "部门已更正"
    assert (out / "reports" / REVIEWS_FILE).is_file()


def test_a_verdict_word_not_understood_is_reported_and_left_out(tmp_path, caplog):
    from analysis.report import write_reports
    from analysis.report.review import read_workbook, with_finding_ids
    from test_report_support import peer_indicators

    docs = _documents([{"doc_id": "d1", "path": "/x/a.txt", "department": "甲局", "total_expenditure": 10.0}])
    findings = with_finding_ids(frame("findings", [_finding(), _finding(location="第9行")]))
    data = ReportData(docs, empty("tables"), empty("line_items"), findings, peer_indicators(docs))
    workbook = write_reports(data, tmp_path / "r", department_charts=False)["workbook"]
    path = _review(
        workbook,
        {findings["finding_id"][0]: ("大概吧", "看不懂"), findings["finding_id"][1]: ("误报", None)},
        tmp_path / "x.xlsx",
    )
    entries = read_workbook(path).sort("note", nulls_last=True)
    assert entries["verdict"].to_list() == [None, "false"] and entries["note"].to_list() == ["看不懂", None]
    assert "not understood" in caplog.text


def test_a_review_file_that_is_not_a_workbook_is_misuse(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    result = CliRunner().invoke(run_command, [str(raw), "--out", str(tmp_path / "out"), "--review", str(bad), "-q"])
    assert result.exit_code == 2 and "not an Excel workbook" in result.output
    assert not (tmp_path / "out" / "processed").exists()  # refused before screening anything


def test_a_workbook_as_the_run_wrote_it_is_not_read_back_and_an_edited_one_is(tmp_path, monkeypatch):
    import analysis.report.review as review

    generate(tmp_path / "raw", departments=2, years=(2025,), anomaly_rate=1.0, seed=12)
    out = tmp_path / "out"
    read = []
    real_read = review.read_workbook

    def counted(path):
        read.append(Path(path).name)
        return real_read(path)

    monkeypatch.setattr(review, "read_workbook", counted)

    def screen():
        return run([tmp_path / "raw"], out / "processed", out / "reports", department_charts=False)

    first = screen()
    assert read == []  # no previous workbook
    finding_id = first.frames["findings"]["finding_id"][0]
    workbook = out / "reports" / "workbook.xlsx"
    _review(workbook, {finding_id: ("属实", "已核实")}, workbook)  # filled in place
    second = screen()
    assert read == ["workbook.xlsx"]  # edited since the run wrote it: read
    assert (_by_id(second)[finding_id]["review_verdict"], _by_id(second)[finding_id]["review_note"]) == (
        "confirmed",
        "已核实",
    )
    third = screen()
    assert read == ["workbook.xlsx"]  # as the second run wrote it: not read again
    assert _by_id(third)[finding_id]["review_note"] == "已核实"  # the store carries the verdict
    # a note corrected in reviews.csv stands: the unchanged workbook does not bring the old one back
    store = pl.read_csv(out / "reports" / REVIEWS_FILE, infer_schema=False)
    store.with_columns(pl.col("note").replace("已核实", "已核实，部门已更正")).write_csv(out / "reports" / REVIEWS_FILE)
    fourth = screen()
    assert _by_id(fourth)[finding_id]["review_note"] == "已核实，部门已更正"
    # a stale or missing record only costs a read
    (out / "reports" / review.WRITTEN_FILE).write_text("0" * 64)
    screen()
    assert read == ["workbook.xlsx", "workbook.xlsx"]
