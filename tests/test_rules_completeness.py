"""Completeness (mandated-table-missing, empty-table-statement, narrative-section-missing) and
the table of contents against the body (toc-vs-body): each fires on a minimal document with the
defect and stays silent on the clean one (DOMAIN.md §4 E8, F1–F3)."""

from __future__ import annotations

import polars as pl

from analysis.check import run_checks
from analysis.extract import extract_paths
from test_rules_narrative import CLEAN, check, messages

_B09 = CLEAN[CLEAN.index("## 2025年国有资本经营预算支出表") :]
_TOC_B09 = "九、2025年国有资本经营预算支出表\n\n"


def _without_b09(text: str = CLEAN) -> str:
    return text.replace(_B09, "").replace(_TOC_B09, "")


def test_missing_core_table_is_an_error(tmp_path):
    # 三公 table (B07) is mandated by every budget template: certainly missing
    start = CLEAN.index("## 2025年一般公共预算“三公”经费支出表")
    text = CLEAN[:start] + CLEAN[CLEAN.index("## 2025年政府性基金预算支出表") :]
    text = text.replace("七、2025年一般公共预算“三公”经费支出表\n\n", "")
    findings, _ = check(tmp_path, ["mandated-table-missing"], text=text)
    [row] = findings.rows(named=True)
    assert row["severity"] == "error" and "B07" in row["message"]


def test_table_only_some_templates_mandate_is_a_warning_when_the_template_is_not_known(tmp_path):
    # titles in generic wording identify no template; B09 is not in the Henan or Jiangsu lists,
    # so its absence is not certainly a defect (issue 11)
    findings, _ = check(tmp_path, ["mandated-table-missing"], text=_without_b09())
    [row] = findings.rows(named=True)
    assert row["severity"] == "warning" and "B09" in row["message"] and "国有资本经营" in row["message"]


def test_b09_is_not_mandated_before_2019(tmp_path):
    findings, status = check(
        tmp_path, ["mandated-table-missing"], text=_without_b09().replace("2025", "2018").replace("2024", "2017")
    )
    assert findings.is_empty() and status["mandated-table-missing"] == "passed"


def test_henan_template_has_no_b09(tmp_path):
    text = _without_b09().replace("部门收支总表", "部门收支总体情况表")
    findings, _ = check(tmp_path, ["mandated-table-missing"], text=text)
    assert not any("B09" in m for m in messages(findings, "mandated-table-missing"))
    assert any("河南" in m and "B10" in m for m in messages(findings, "mandated-table-missing", "warning"))


def test_file_with_few_core_tables_gets_warnings_only(tmp_path):
    cut = CLEAN[CLEAN.index("## 2025年一般公共预算支出表") :]
    findings, _ = check(tmp_path, ["mandated-table-missing"], text=CLEAN.replace(cut, ""))
    assert findings.height == 5 and set(findings["severity"]) == {"warning"}
    assert all("一部分" in m for m in findings["message"])


def test_all_mandated_tables_present_pass(tmp_path):
    findings, status = check(tmp_path, ["mandated-table-missing"])
    assert findings.is_empty() and status["mandated-table-missing"] == "passed"


def test_empty_table_without_any_statement(tmp_path):
    findings, _ = check(
        tmp_path,
        ["empty-table-statement"],
        [
            ("\n注：本部门无政府性基金预算支出。\n", "\n"),
            (
                "本部门2025年无政府性基金预算和国有资本经营预算拨款安排的支出。",
                "本部门2025年无国有资本经营预算拨款安排的支出。",
            ),
            ("政府性基金预算0万元；", ""),
        ],
    )
    [message] = messages(findings, "empty-table-statement", "warning")
    assert "《2025年政府性基金预算支出表》" in message and "空表" in message


def test_statement_of_none_with_a_filled_table(tmp_path):
    findings, _ = check(
        tmp_path,
        ["empty-table-statement"],
        [("3.00\t\t2.00\t\t2.00\t1.00\n", "3.00\t\t2.00\t\t2.00\t1.00\n\n注：本部门无“三公”经费支出。\n")],
    )
    [message] = messages(findings, "empty-table-statement", "warning")
    assert "非零金额" in message and "三公" in message


def test_empty_tables_with_statements_pass(tmp_path):
    findings, status = check(tmp_path, ["empty-table-statement"])
    assert findings.is_empty() and status["empty-table-statement"] == "passed"


def test_missing_narrative_section(tmp_path):
    findings, _ = check(tmp_path, ["narrative-section-missing"], [("本部门对全部项目实行绩效目标管理。", "")])
    assert messages(findings, "narrative-section-missing", "warning") == ["情况说明中没有找到“绩效管理情况”的内容"]


def test_definitions_do_not_count_as_a_section(tmp_path):
    findings, _ = check(
        tmp_path,
        ["narrative-section-missing"],
        [
            ("本部门对全部项目实行绩效目标管理。", ""),
            (
                "一、财政拨款收入：是指区级财政当年拨付的资金。",
                "一、财政拨款收入：是指区级财政当年拨付的资金。\n\n二、绩效目标：是指项目预期产出。",
            ),
        ],
    )
    assert any("绩效" in m for m in messages(findings, "narrative-section-missing"))


def test_complete_narrative_passes(tmp_path):
    findings, status = check(tmp_path, ["narrative-section-missing"])
    assert findings.is_empty() and status["narrative-section-missing"] == "passed"


def test_toc_lists_an_absent_table_and_misses_a_present_one(tmp_path):
    findings, _ = check(tmp_path, ["toc-vs-body"], [(_TOC_B09, "九、2025年项目支出表\n\n")])
    found = messages(findings, "toc-vs-body", "warning")
    assert any("项目支出表" in m and "没有这张表" in m for m in found)
    assert any("国有资本经营预算支出表" in m and "未列入目录" in m for m in found)


def test_toc_year_title_and_order_differ(tmp_path):
    findings, _ = check(
        tmp_path,
        ["toc-vs-body"],
        [
            ("八、2025年政府性基金预算支出表", "八、2024年政府性基金支出情况表"),
            (
                "五、2025年一般公共预算支出表\n\n六、2025年一般公共预算基本支出表",
                "五、2025年一般公共预算基本支出表\n\n六、2025年一般公共预算支出表",
            ),
        ],
    )
    found = messages(findings, "toc-vs-body")
    assert any("年份不同（2024 / 2025）" in m and "表名不同" in m for m in found)
    assert any("顺序" in m for m in found)


def test_toc_matching_the_body_passes(tmp_path):
    findings, status = check(tmp_path, ["toc-vs-body"])
    assert findings.is_empty() and status["toc-vs-body"] == "passed"


def test_no_toc_is_not_evaluated(tmp_path):
    text = CLEAN.replace(CLEAN[CLEAN.index("## 目 录") : CLEAN.index("## 第二部分")], "")
    _, status = check(tmp_path, ["toc-vs-body"], text=text)
    assert status["toc-vs-body"] == "not_evaluated"


def test_seed_toc_and_sections(seed_path):
    findings, _ = run_checks(
        extract_paths([seed_path]),
        rules=["toc-vs-body", "narrative-section-missing", "mandated-table-missing", "empty-table-statement"],
    )
    toc = messages(findings, "toc-vs-body")
    assert any("2023 年政府性基金支出预算表" in m and "年份不同" in m for m in toc)
    assert any("顺序" in m for m in toc)
    assert messages(findings, "narrative-section-missing") == ["情况说明中没有找到“国有资本经营预算情况”的内容"]
    assert findings.filter(pl.col("rule").is_in(["mandated-table-missing", "empty-table-statement"])).is_empty()
