"""Hostile and broken inputs (issue 15): each bad file becomes its own row with a clear reason,
costs no other document anything, never exhausts the machine, never injects markup."""

from __future__ import annotations

import dataclasses
import html
import os
import pathlib
import re
from pathlib import Path

import mistune
import polars as pl
import pytest

import analysis.extract as extract_module
from analysis.check import runner
from analysis.check.registry import RULES
from analysis.extract import extract_file, extract_paths
from analysis.model import ReadError
from analysis.pipeline import run
from analysis.read import discover, excel, excel_layout
from analysis.report import COMPARE_OK, ReportData
from analysis.report.summary import md_code, md_text, render_summary
from analysis.schema import empty, frame
from hostile_files import (
    dense_grid_pdf,
    merged_everything_xlsx,
    nested_forms_pdf,
    shared_strings_bomb_xlsx,
    stray_cell_xlsx,
    table_then_dense_grid_pdf,
)
from test_report_support import peer_indicators

GOOD = """# 某局2024年部门预算

## 2024年一般公共预算基本支出表

单位：万元

科目编码\t科目名称\t合计\t人员经费\t公用经费
合计\t\t13.00\t10.00\t2.00
30101\t基本工资\t10.00\t10.00\t
30201\t办公费\t2.00\t\t2.00
"""
"""A good document with one planted sum error (13.00 printed, 12.00 the parts), so that it has
findings that must survive whatever happens to its neighbours."""
OTHER = GOOD.replace("某局", "另一局").replace("30201\t办公费\t2.00", "30202\t印刷费\t2.00")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "z_other.txt").write_text(OTHER, encoding="gb18030")
    return folder


def _complete(frames: dict[str, pl.DataFrame], names=("a_good.txt", "z_other.txt")) -> dict[str, list]:
    """What the good documents produced, keyed by file name, to compare runs with and without
    a bad neighbour."""
    docs = frames["documents"]
    result = {}
    for name in names:
        row = docs.filter(pl.col("path").str.ends_with(name)).drop("path").row(0, named=True)
        items = frames["line_items"].filter(pl.col("doc_id") == row["doc_id"]).sort("line", "column")
        result[name] = [row, items.drop("doc_id").rows()]
    return result


@pytest.fixture()
def baseline(tmp_path_factory):
    folder = _folder(tmp_path_factory.mktemp("baseline"))
    frames = extract_paths(discover([folder]))
    assert frames["documents"]["status"].to_list() == ["ok", "ok"]
    return _complete(frames)


# --- unreadable file ----------------------------------------------------------------------------


def _deny_reading(monkeypatch, locked: Path, after: int = 0) -> None:
    """Opening ``locked`` raises PermissionError (after ``after`` successful opens), as chmod 000
    would for a normal user; works when the tests run as root, which chmod does not stop."""
    real_open = pathlib.Path.open
    opens = {"n": 0}

    def guarded(self, *args, **kwargs):
        if Path(self).name == locked.name:
            opens["n"] += 1
            if opens["n"] > after:
                raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded)


class _InProcessPool:
    """The engine's worker pool run in this process, so the monkeypatched ``open`` that makes a
    file unreadable applies to the document's task too (as a real permission error would in
    every process; root's reads cannot be refused by chmod)."""

    def __init__(self, task, jobs, time_limit):
        self.task = task

    def run(self, args):
        for index, arguments in enumerate(args):
            yield index, self.task(*arguments)


@pytest.mark.parametrize("after", [0, 1], ids=["first-open", "after-hashing"])
def test_unreadable_file_is_a_failed_row_and_the_run_finishes(tmp_path, monkeypatch, baseline, after):
    folder = _folder(tmp_path)
    locked = folder / "m_locked.txt"
    locked.write_text(GOOD.replace("某局", "锁局"), encoding="utf-8")  # own content, own doc_id
    _deny_reading(monkeypatch, locked, after)
    monkeypatch.setattr("analysis.engine.run.LocalPool", _InProcessPool)
    result = run([folder], tmp_path / "processed", tmp_path / "reports", department_charts=False)
    docs = result.documents
    row = docs.filter(pl.col("path").str.ends_with("m_locked.txt")).row(0, named=True)
    assert row["status"] == "failed" and "Permission denied" in row["error"]
    assert row["format"] == "text"
    assert _complete(result.frames) == baseline
    assert result.frames["findings"].filter(pl.col("path").str.ends_with("a_good.txt")).height > 0
    summary = result.paths["summary"].read_text(encoding="utf-8")
    assert "m_locked.txt" in summary and "Permission denied" in summary


def test_a_file_this_process_cannot_hash_but_a_worker_reads_keeps_its_rows(tmp_path, monkeypatch, baseline):
    """A file whose hash fails in the scheduling process (a passing I/O error, a permission the
    workers have) is still read by its worker; its rows must not be dropped for want of a hash."""
    import analysis.engine.run as engine_run

    hashed = engine_run._hash_or_none
    monkeypatch.setattr(engine_run, "_hash_or_none", lambda p: None if p.name == "a_good.txt" else hashed(p))
    result = run([_folder(tmp_path)], tmp_path / "processed", tmp_path / "reports", department_charts=False)
    assert _complete(result.frames) == baseline


# --- dense ruled grid -----------------------------------------------------------------------------


def test_dense_ruled_grid_pdf_is_passed_over_with_a_reason(tmp_path, baseline):
    folder = _folder(tmp_path)
    dense = dense_grid_pdf(folder / "m_grid.pdf", 1000)  # 1,000,000 crossings: hatching, not a table
    assert dense.stat().st_size < 16_000
    frames = extract_paths(discover([folder]))
    row = frames["documents"].filter(pl.col("path") == str(dense)).row(0, named=True)
    assert row["status"] == "failed" and "rulings too dense" in row["error"] and "第1页" in row["error"]
    assert _complete(frames) == baseline


def test_moderate_ruled_grid_is_still_a_table(tmp_path):
    """The limit is far above real tables: a 120-line grid (14,000 crossings) is read as one."""
    from analysis.read.pdf import read_pdf

    document = read_pdf(dense_grid_pdf(tmp_path / "grid.pdf", 120))
    tables = [b for b in document.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].rows[0][:2] == ["1.00", "2.00"]
    assert not document.issues


# --- xlsx read by used cells, with limits -----------------------------------------------------------


@pytest.mark.parametrize("row,column", [(1_048_576, 16_384), (20_000, 2_000)], ids=["last-address", "r20000-c2000"])
def test_stray_cell_far_away_does_not_allocate_the_sheet(tmp_path, row, column):
    result = extract_file(stray_cell_xlsx(tmp_path / "stray.xlsx", row, column))
    assert result.document["status"] == "ok", result.document["error"]
    items = result.line_items.filter(pl.col("value_status") == "value")
    assert sorted(items["raw_value"].to_list()) == ["10.00", "2.00"]
    assert result.texts and any(t["text"] == "x" and t["line"] == row for t in result.texts)


def test_shared_strings_zip_bomb_is_refused_before_unpacking(tmp_path, baseline):
    folder = _folder(tmp_path)
    bomb = shared_strings_bomb_xlsx(folder / "m_bomb.xlsx", unpacked_mb=300)
    assert bomb.stat().st_size < 1_000_000
    frames = extract_paths(discover([folder]))
    row = frames["documents"].filter(pl.col("path") == str(bomb)).row(0, named=True)
    assert row["status"] == "failed" and "unpacks to 300 MB" in row["error"] and row["format"] == "xlsx"
    assert _complete(frames) == baseline


def test_merged_range_over_the_whole_sheet_is_a_sheet_issue(tmp_path):
    row = extract_file(merged_everything_xlsx(tmp_path / "merged.xlsx")).document
    assert row["status"] == "failed" and "merged ranges cover 17179869184 cells" in row["error"]


def test_cell_count_limits_are_reasons_in_the_row(tmp_path, monkeypatch):
    path = stray_cell_xlsx(tmp_path / "many.xlsx", 40, 40)
    monkeypatch.setattr(excel, "MAX_CELLS", 5)
    row = extract_file(path).document
    assert row["status"] == "failed" and "stored cells (limit 5)" in row["error"]
    monkeypatch.setattr(excel, "MAX_CELLS", 2_000_000)
    monkeypatch.setattr(excel_layout, "MAX_LAYOUT_CELLS", 10)
    row = extract_file(path).document
    assert row["status"] == "failed" and "(limit 10 cells)" in row["error"]


# --- encodings, empty files, links -----------------------------------------------------------------


@pytest.mark.parametrize(
    "codec,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-16-be", b"")]
)
def test_utf16_text_is_read_like_utf8(tmp_path, codec, bom):
    reference = extract_file(_write(tmp_path / "utf8.txt", GOOD.encode("utf-8")))
    result = extract_file(_write(tmp_path / "utf16.txt", bom + GOOD.encode(codec)))
    assert result.document["status"] == "ok", result.document["error"]
    assert result.line_items.drop("doc_id").rows() == reference.line_items.drop("doc_id").rows()


def test_gbk_is_not_taken_for_utf16(tmp_path):
    """Even-length GBK without NUL bytes stays GB18030."""
    data = GOOD.encode("gbk")
    data = data if len(data) % 2 == 0 else data + b"\n"
    result = extract_file(_write(tmp_path / "gbk.txt", data))
    assert result.document["status"] == "ok", result.document["error"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "suffix,fmt",
    [(".pdf", "pdf"), (".xlsx", "xlsx"), (".xls", "xls"), (".txt", "text"), (".md", "markdown"), (".html", "html")],
)
def test_zero_byte_file_has_its_extensions_format_and_says_empty(tmp_path, suffix, fmt):
    row = extract_file(_write(tmp_path / f"empty{suffix}", b"")).document
    assert row["status"] == "failed" and row["format"] == fmt
    assert "empty" in row["error"]


def test_looping_and_dangling_links_are_rows(tmp_path, baseline):
    folder = _folder(tmp_path)
    os.symlink("m_loop.txt", folder / "m_loop.txt")
    os.symlink("gone.pdf", folder / "m_dangling.pdf")
    paths = discover([folder])
    assert [p.name for p in paths] == ["a_good.txt", "m_dangling.pdf", "m_loop.txt", "z_other.txt"]
    frames = extract_paths(paths)
    rows = {Path(p).name: (s, e) for p, s, e in frames["documents"].select("path", "status", "error").rows()}
    assert rows["m_loop.txt"][0] == "failed" and "symbolic links" in rows["m_loop.txt"][1]
    assert rows["m_dangling.pdf"][0] == "failed" and "No such file" in rows["m_dangling.pdf"][1]
    assert _complete(frames) == baseline


# --- a failure at any later stage fails only its own file ---------------------------------------------


def test_normalisation_crash_fails_only_its_file(tmp_path, monkeypatch, baseline):
    folder = _folder(tmp_path)
    (folder / "m_poison.txt").write_text(GOOD.replace("某局", "毒局"), encoding="utf-8")
    real = extract_module.narrative_claims

    def crash_on_poison(blocks, *args):
        if any("毒局" in b.text for b in blocks):
            raise RecursionError("maximum recursion depth exceeded")
        return real(blocks, *args)

    monkeypatch.setattr(extract_module, "narrative_claims", crash_on_poison)
    frames = extract_paths(discover([folder]))
    row = frames["documents"].filter(pl.col("path").str.ends_with("m_poison.txt")).row(0, named=True)
    assert row["status"] == "failed" and "RecursionError" in row["error"]
    assert _complete(frames) == baseline


def test_value_that_does_not_fit_its_column_fails_only_its_file(tmp_path, monkeypatch, baseline):
    folder = _folder(tmp_path)
    (folder / "m_poison.txt").write_text(GOOD.replace("某局", "毒局"), encoding="utf-8")
    real = extract_module.document_info

    def overflowing_year(document, tables):
        info = real(document, tables)
        if "m_poison" in document.path:
            info["fiscal_year"] = 10**30  # a year printed as a 31-digit number
        return info

    monkeypatch.setattr(extract_module, "document_info", overflowing_year)
    frames = extract_paths(discover([folder]))
    row = frames["documents"].filter(pl.col("path").str.ends_with("m_poison.txt")).row(0, named=True)
    assert row["status"] == "failed" and "output rows" in row["error"]
    assert _complete(frames) == baseline


def test_check_crash_on_one_document_keeps_the_others_findings(tmp_path, monkeypatch):
    frames = extract_paths(discover([_folder(tmp_path)]))
    clean_findings, _ = runner.run_checks(frames)
    poisoned = frames["documents"].filter(pl.col("path").str.ends_with("a_good.txt"))["doc_id"][0]
    real_context = runner.DocContext

    def context(document, *args, **kwargs):
        if document["doc_id"] == poisoned:
            raise MemoryError("odd rows")
        return real_context(document, *args, **kwargs)

    monkeypatch.setattr(runner, "DocContext", context)
    findings, evaluations = runner.run_checks(frames)
    others = clean_findings.filter(pl.col("doc_id") != poisoned)
    assert others.height > 0 and findings.equals(others)
    mine = evaluations.filter(pl.col("doc_id") == poisoned)
    assert mine.height == len(RULES) and set(mine["status"]) == {"not_evaluated"}


def test_finding_with_a_value_that_does_not_fit_is_left_out_alone(tmp_path, monkeypatch):
    frames = extract_paths(discover([_folder(tmp_path)]))
    clean, _ = runner.run_checks(frames)
    rule = next(iter(RULES.values()))
    real_check = rule.check

    def bad_finding(ctx):
        found = real_check(ctx) or []
        return [*found, {"line": "not a line number", "message": "x"}]

    monkeypatch.setitem(RULES, rule.id, dataclasses.replace(rule, check=bad_finding))
    findings, _ = runner.run_checks(frames)
    assert findings.equals(clean)


# --- summary.md escaping ---------------------------------------------------------------------------

EVIL_NAMES = [
    "<img src=x onerror=alert(1)>局",
    "<script>alert(1)</script>局",
    "换\n行局",
    "管|道局",
    "反`引号局",
    "**粗体** [链接](javascript:alert(1)) ![图](x)局",
]


def _summary_data(name: str) -> ReportData:
    path = f"/raw/{name}.txt"
    docs = frame(
        "documents",
        [
            {
                "doc_id": "d1",
                "path": path,
                "format": "text",
                "doc_type": "budget",
                "level": "department",
                "status": "partial",
                "department": name,
                "fiscal_year": 2025,
                "error": f"第3行: {name}",
                "total_expenditure": 10.0,
            }
        ],
    )
    finding = {
        "doc_id": "d1",
        "path": path,
        "department": name,
        "fiscal_year": 2025,
        "rule": "r-1",
        "severity": "error",
        "category": "arithmetic",
        "domain_ids": "I1",
        "location": "第3行",
        "row_label": name,
        "column": "total",
        "expected": 1.0,
        "actual": 2.0,
        "difference": 1.0,
        "message": f"{name} 合计不等于各项之和",
        "excerpt": name,
        "line": 3,
    }
    return ReportData(
        docs,
        empty("tables"),
        empty("line_items"),
        frame("findings", [finding] * 2),
        peer_indicators(docs),
        COMPARE_OK,
        "2025-01-01 00:00",
        ["raw"],
    )


@pytest.mark.parametrize("name", EVIL_NAMES)
def test_summary_shows_document_text_as_text(name):
    summary = render_summary(_summary_data(name))
    rendered = mistune.html(summary)
    assert not re.search(r"<(script|img|a|strong|em)\b", rendered), rendered
    findings = summary.split("## 问题清单", 1)[1].strip().splitlines()
    assert len(findings) == 2 and all(line.startswith("- [") for line in findings)
    lines = summary.splitlines()
    header = next(line for line in lines if line.startswith("| 部门"))
    department_rows = [line for line in lines if line.startswith("| ") and "局" in line and line != header]
    cells = len(re.split(r"(?<!\\)\|", header))
    assert department_rows and all(len(re.split(r"(?<!\\)\|", row)) == cells for row in department_rows)
    assert html_text(rendered).count(name.replace("\n", " ")) >= 3


def test_markdown_helpers_round_trip_through_a_renderer():
    for name in [*EVIL_NAMES, "```", "a`` b", "&amp;", "\\*"]:
        shown = html_text(mistune.html(md_text(name)))
        assert shown == name.replace("\n", " ").strip()
        code = md_code(name)
        assert "\n" not in code and html_text(mistune.html(code)) == name.replace("\n", " ").strip()


def html_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def test_page_with_nested_forms_beyond_the_object_budget_is_an_issue(tmp_path, monkeypatch):
    from analysis.read import pdf_page
    from analysis.read.pdf import read_pdf

    path = nested_forms_pdf(tmp_path / "forms.pdf", depth=3)  # 10,000 lines in 4 nested forms
    assert not read_pdf(path).issues
    monkeypatch.setattr(pdf_page, "MAX_PAGE_OBJECTS", 2_000)
    with pytest.raises(ReadError):  # its only page is passed over: nothing left to read
        read_pdf(path)
    row = extract_file(path).document
    assert row["status"] == "failed" and "more than 2000 drawing objects" in row["error"]


def test_pairing_crash_leaves_documents_unpaired_not_lost(tmp_path, monkeypatch, baseline):
    def crash(documents):
        raise ValueError("odd department names")

    monkeypatch.setattr(extract_module, "pair_documents", crash)
    frames = extract_paths(discover([_folder(tmp_path)]))
    assert frames["documents"].height == 2 and frames["line_items"].height > 0
    assert set(frames["documents"]["status"]) == {"ok"}


def test_dense_grid_page_beside_a_table_page_makes_the_document_partial(tmp_path):
    result = extract_file(table_then_dense_grid_pdf(tmp_path / "two.pdf"))
    assert result.document["status"] == "partial"
    assert result.document["error"].startswith("第2页: 划线过密") and "rulings too dense" in result.document["error"]
    items = result.line_items.select("row_label", "column", "raw_value", "page").rows()
    assert ("基本工资", "total", "10.00", 1) in items and ("办公费", "public", "2.00", 1) in items
    assert len(items) == 7


def test_folder_that_cannot_be_listed_is_a_row(tmp_path, monkeypatch, baseline):
    folder = _folder(tmp_path)
    locked = folder / "m_locked_folder"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD, encoding="utf-8")
    real_scandir, real_listdir = os.scandir, os.listdir

    def deny(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return None

    monkeypatch.setattr(os, "scandir", lambda path=".": deny(path) or real_scandir(path))
    monkeypatch.setattr(os, "listdir", lambda path=".": deny(path) or real_listdir(path))
    paths = discover([folder])
    assert [p.name for p in paths] == ["a_good.txt", "m_locked_folder", "z_other.txt"]
    frames = extract_paths(paths)
    row = frames["documents"].filter(pl.col("path") == str(locked)).row(0, named=True)
    assert row["status"] == "failed" and "cannot list folder: Permission denied" in row["error"]
    assert row["format"] is None
    assert _complete(frames) == baseline


def test_oversized_text_and_workbook_files_are_refused_before_reading(tmp_path, monkeypatch):
    from analysis.read import text as text_reader

    monkeypatch.setattr(text_reader, "MAX_TEXT_BYTES", 100)
    row = extract_file(_write(tmp_path / "big.txt", GOOD.encode("utf-8"))).document
    assert row["status"] == "failed" and "limit 0 MB" in row["error"] and "text file of" in row["error"]
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 100)
    row = extract_file(stray_cell_xlsx(tmp_path / "big.xlsx", 5, 5)).document
    assert row["status"] == "failed" and "file of 0 MB" in row["error"]
