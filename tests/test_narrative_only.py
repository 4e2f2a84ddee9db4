"""Narrative-only disclosures (issue 12 point 1): status, document facts from the document's
own title, web pages with navigation, text PDFs without tables, a 说明 with and without its
tables file, and compare/report on documents without figures."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths
from analysis.model import Block, Document, Location
from analysis.normalise.docinfo import document_info
from analysis.pipeline import run
from analysis.read import read_document
from analysis.synth.narrative_only import build, render_html, render_text, write_pdf

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
PINGTAN = CORPUS / "fujian_pingtan"
DEMO = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>2024年度东湖区教育局部门决算说明</title>
<script>var nav = "预算 决算 12.00万元";</script><style>.x{color:red}</style></head>
<body>
<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a>政务公开</a></li><li>部门预算 2023年</li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 财政资金 &gt; 部门决算公开</div>
<table width="100%"><tr><td>
<div class="article">
<h1>2024年度东湖区教育局部门决算说明</h1>
<p>一、收入支出决算总体情况</p>
<p>2024年度收入总计1200.50万元，支出总计1200.50万元。</p>
<p>基本支出由上年的820.40万元减少到702.15万元，减少118.25万元，下降1.44%。</p>
<table border="1"><tr><td>单位名称</td><td>人数</td></tr><tr><td>教育局本级</td><td>12</td></tr></table>
<p>&nbsp;&nbsp;二、一般公共预算财政拨款支出决算情况</p>
</div>
</td></tr></table>
<div id="footer">版权所有 东湖区人民政府 2020年 网站标识码 12345</div>
</body></html>
"""


def test_web_page_with_navigation_is_read_as_its_article(tmp_path):
    path = tmp_path / "t20250101_123.htm"
    path.write_text(PAGE, encoding="utf-8")
    document = read_document(path)
    texts = [b.text for b in document.text_blocks()]
    assert texts[0] == "2024年度东湖区教育局部门决算说明"
    assert not any("首页" in t or "版权所有" in t or "var nav" in t for t in texts)
    assert any(b.kind == "table" and b.rows[1] == ["教育局本级", "12"] for b in document.blocks)
    frames = extract_paths([path])
    doc = frames["documents"].row(0, named=True)
    assert (doc["status"], doc["department"], doc["fiscal_year"], doc["doc_type"]) == (
        "narrative_only",
        "东湖区教育局",
        2024,
        "final_account",
    )
    findings, _ = run_checks(frames, rules=["rate-sentence-recompute"])
    assert findings["expected"].to_list() == [pytest.approx(14.41, abs=0.01)]


def test_text_pdf_without_tables_is_narrative_only(tmp_path):
    doc = build("司法局", 2025, False, random.Random(3))
    path = tmp_path / "说明.pdf"
    write_pdf(doc, path)
    frames = extract_paths([path])
    row = frames["documents"].row(0, named=True)
    assert (row["status"], row["department"], row["fiscal_year"], row["doc_type"], row["format"]) == (
        "narrative_only",
        "司法局",
        2025,
        "budget",
        "pdf",
    )
    assert frames["claims"].height > 10 and frames["claims"]["page"].drop_nulls().len() > 0


def test_narrative_alone_is_checked_and_with_its_tables_file_is_checked_once(tmp_path):
    doc = build("示范市东湖区文化和旅游局", 2025, False, random.Random(1))
    alone = tmp_path / "说明.txt"
    alone.write_text(render_text(doc), encoding="utf-8")
    frames = extract_paths([alone])
    assert frames["documents"]["status"].to_list() == ["narrative_only"]
    findings, evaluations = run_checks(frames)
    statuses = dict(zip(evaluations["rule"], evaluations["status"]))
    assert statuses["rate-sentence-recompute"] == "passed" and statuses["text-sum-parts-exceed"] == "passed"
    assert statuses["row-identity"] == "not_evaluated"  # needs tables: not evaluated, never passed
    assert findings.filter(pl.col("severity") == "error").is_empty(), findings.select("rule", "message").rows()
    # next to its tables file the 说明 is paired, and its sentences are checked once, with the tables
    tables = tmp_path / "tables.txt"
    tables.write_bytes((DEMO / "东湖区文化和旅游局2025年部门预算.txt").read_bytes())
    both = extract_paths([alone, tables])
    docs = both["documents"]
    assert docs["paired_doc_id"].null_count() == 0
    findings, evaluations = run_checks(both)
    narrative_id = docs.filter(pl.col("status") == "narrative_only")["doc_id"][0]
    assert narrative_id not in evaluations["doc_id"].to_list()
    assert (
        findings.filter(pl.col("excerpt").str.contains("基本支出由上年的", literal=True)).height == 0
        or findings.filter(pl.col("excerpt").str.contains("基本支出由上年的", literal=True))["doc_id"].n_unique() == 1
    )


@pytest.mark.parametrize(
    "title, department, year, kind, level",
    [
        ("标题: 2016年度平潭综合实验区规划局部门决算说明", "平潭综合实验区规划局", 2016, "final_account", "department"),
        ("标题: 平潭2016年东庠乡预算说明", "平潭东庠乡", 2016, "budget", "department"),
        (
            "标题: 【部门预算公开】平潭综合实验区财政金融局2016年预算说明",
            "平潭综合实验区财政金融局",
            2016,
            "budget",
            "department",
        ),
        ("标题: 2016年政协决算公开", "政协", 2016, "final_account", "department"),
        ("东湖区档案馆2025年单位预算", "东湖区档案馆", 2025, "budget", "unit"),
    ],
)
def test_document_facts_come_from_the_title_not_the_file_name(title, department, year, kind, level):
    document = Document(
        "pt_2099_别的名字_x.txt",
        "text",
        [
            Block("paragraph", Location(line=1), text=title),
            Block("paragraph", Location(line=2), text="按照要求，现将我单位情况说明如下。"),
        ],
    )
    info = document_info(document, [])
    assert (info["department"], info["fiscal_year"], info["doc_type"], info["level"]) == (department, year, kind, level)


def test_budget_level_after_the_year_is_no_department():
    document = Document(
        "x.pdf",
        "pdf",
        [
            Block("heading", Location(line=1), text="上海市普陀区2025年区级部门预算"),
            Block("heading", Location(line=2), text="预算单位：上海市普陀区财政局"),
        ],
    )
    assert document_info(document, [])["department"] == "上海市普陀区财政局"


def test_run_with_only_narrative_documents_compares_and_reports(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rng = random.Random(5)
    for name in ("司法局", "统计局", "档案馆"):
        for year in (2024, 2025):
            doc = build(name, year, year == 2025, rng)
            (raw / f"p_{name}{year}.html").write_text(render_html(doc), encoding="utf-8")
    result = run([raw], tmp_path / "out" / "processed", tmp_path / "out" / "reports", department_charts=False)
    assert set(result.documents["status"]) == {"narrative_only"}
    assert result.documents["department"].n_unique() == 3
    assert result.paths["html"].is_file()
    assert "比较模块出错" not in result.paths["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pingtan():
    if not PINGTAN.is_dir():
        pytest.skip("corpus not available (../shared/corpus)")
    frames = extract_paths(sorted(PINGTAN.glob("*.txt")))
    findings, _ = run_checks(frames)
    return frames, findings


def test_pingtan_pages_are_narrative_only_with_their_own_departments(pingtan):
    frames, _ = pingtan
    docs = frames["documents"]
    assert set(docs["status"]) == {"narrative_only"}
    assert docs.filter(pl.col("department").str.starts_with("pt_")).is_empty()
    by_file = {
        Path(p).name: (d, y, t) for p, d, y, t in docs.select("path", "department", "fiscal_year", "doc_type").rows()
    }
    assert by_file["pt_2016_规划局_决算说明.txt"] == ("平潭综合实验区规划局", 2016, "final_account")
    assert by_file["pt_2019_芦洋乡_预算说明.txt"] == ("平潭芦洋乡人民政府", 2019, "budget")
    assert docs["department"].n_unique() >= 14


def test_pingtan_known_errors_are_found(pingtan):
    _, findings = pingtan
    errors = findings.filter(pl.col("severity") == "error")
    name = pl.col("path").str.contains("pt_2016_规划局_决算说明")
    assert errors.filter(name & (pl.col("rule") == "text-sum-parts-exceed"))["actual"].to_list() == [2074.07]
    name = pl.col("path").str.contains("pt_2015_公安局_决算说明")
    assert errors.filter(name & (pl.col("rule") == "yoy-percent-base"))["expected"].round(2).to_list() == [43.98]


def test_pingtan_error_findings_are_reviewed(pingtan):
    """Every error on these pages is a row of the review register, and true."""
    _, findings = pingtan
    register = Path(__file__).parent / "golden" / "findings_review.tsv"
    with register.open(encoding="utf-8") as handle:
        rows = {
            (r["file"], r["rule"], r["location"], r["row_label"], r["expected"], r["actual"]): r["verdict"]
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        }
    fmt = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
    for f in findings.filter(pl.col("severity") == "error").iter_rows(named=True):
        key = (
            "fujian_pingtan/" + Path(f["path"]).name,
            f["rule"],
            f["location"] or "",
            f["row_label"] or "",
            fmt(f["expected"]),
            fmt(f["actual"]),
        )
        assert rows.get(key) == "true", key
