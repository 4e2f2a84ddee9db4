"""Table scope words in typing and the headline guard (issue 11 point 4), on documents written
here from the clean test document of test_rules_narrative."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths
from analysis.recognise.titles import match_title
from analysis.sentences.scope import title_scope
from test_rules_narrative import CLEAN

B06 = "## 2025年一般公共预算基本支出表"
SECOND = """
## {title}

单位：万元

科目编码\t科目名称\t合计\t人员经费\t公用经费
合计\t\t200.00\t180.00\t20.00
30101\t基本工资\t180.00\t180.00\t
30201\t办公费\t20.00\t\t20.00
"""


def _extract(tmp_path, text: str) -> dict:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    frames = extract_paths([path])
    return {"document": frames["documents"].row(0, named=True), "frames": frames}


@pytest.mark.parametrize(
    "title,kind",
    [
        ("示范市东湖区测试局2025年财政拨款基本支出预算表", "fiscal_appropriation_basic_expenditure"),
        ("一般公共预算财政拨款基本支出表", "general_budget_basic_expenditure"),
        ("本单位财政拨款支出预算表", "fiscal_appropriation_expenditure"),
        ("一般公共预算财政拨款支出预算表", "general_budget_expenditure"),
        ("基本支出预算表", "general_budget_basic_expenditure"),  # no scope word: any kind its words fit
    ],
)
def test_title_scope_words_choose_the_kind(title, kind):
    assert match_title(title).table_kind == kind


def test_scope_of_a_title():
    assert title_scope("部门财政拨款收支总表") == "fiscal"
    assert title_scope("一般公共预算财政拨款基本支出表") == "general_budget"
    assert title_scope("部门收支总表") is None


def test_fiscal_basic_table_beside_the_general_one_is_not_added_to_it(tmp_path):
    text = CLEAN.replace(B06, SECOND.format(title="示范市东湖区测试局2025年财政拨款基本支出表") + "\n" + B06)
    found = _extract(tmp_path, text)
    document = found["document"]
    assert document["status"] == "ok", document["error"]
    assert document["personnel_expenditure"] == pytest.approx(180.0)
    kinds = found["frames"]["tables"]["table_kind"].to_list()
    assert "fiscal_appropriation_basic_expenditure" in kinds
    findings, _ = run_checks(found["frames"])
    assert findings.filter(pl.col("severity") == "error").is_empty(), findings.select("rule", "message").rows()


def test_headline_guard_rereads_a_repeated_kind(tmp_path):
    # a second table the typing cannot tell from the first: the figures would add both
    text = CLEAN.replace(B06, B06 + "\n" + SECOND.format(title="2025年基本支出预算表").replace("## ", "## ", 1))
    document = _extract(tmp_path, text)["document"]
    assert document["personnel_expenditure"] == pytest.approx(180.0)
    assert document["public_expenditure"] == pytest.approx(20.0)
    assert document["status"] == "ok", document["error"]


def test_headline_guard_without_a_consistent_reading_makes_the_document_partial(tmp_path):
    text = CLEAN.replace(
        "合计\t\t200.00\t180.00\t20.00\n30101\t基本工资\t180.00\t180.00",
        "合计\t\t200.00\t250.00\t20.00\n30101\t基本工资\t250.00\t250.00",
    )
    document = _extract(tmp_path, text)["document"]
    assert document["status"] == "partial"
    assert "personnel+public<=basic" in document["error"]
    assert document["personnel_expenditure"] is None and document["public_expenditure"] is None
    assert document["basic_expenditure"] == pytest.approx(200.0)


def test_headline_guard_reports_every_broken_identity_when_they_share_a_figure(monkeypatch):
    # 人员经费 breaks both 人员+公用 ≤ 基本 and 人员 ≤ 支出总计: the second message must still
    # show the figure the first one set aside (a synthetic district's document failed on this)
    from analysis.normalise import headline

    values = {
        "personnel_expenditure": 900.0,
        "public_expenditure": 20.0,
        "basic_expenditure": 200.0,
        "project_expenditure": 100.0,
        "total_expenditure": 300.0,
        "three_public_total": 1.0,
    }
    monkeypatch.setattr(headline, "document_figures", lambda *_: (dict(values), {n: "B01" for n in values}))
    figures, sources, problems = headline.guarded_figures([], [])
    assert [p.split("（")[0] for p in problems] == [
        "主要数字不合恒等式 personnel+public<=basic",
        "主要数字不合恒等式 personnel<=total",
    ]
    assert "人员经费 900.00" in problems[1]
    assert figures["personnel_expenditure"] is None and "personnel_expenditure" not in sources
    assert figures["total_expenditure"] == pytest.approx(300.0)
