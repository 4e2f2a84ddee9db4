"""决算 statement rules (issue 13): the statement reader, each rule firing and staying silent on
documents written here, and the cross-document findings and panel on a tiny synthetic district."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.check import run_checks
from analysis.extract import extract_paths
from analysis.sentences.execution import statements_in

RULES = ["final-completion-rate", "final-direction-word", "final-variance-explanation", "final-statement-vs-table"]

F05 = """
## 2024年度一般公共预算财政拨款支出决算表

单位：万元

科目编码\t科目名称\t年初预算数\t本年支出决算\t\t
\t\t\t合计\t基本支出\t项目支出
\t合计\t200.00\t180.00\t100.00\t80.00
201\t一般公共服务支出\t200.00\t180.00\t100.00\t80.00
2010301\t行政运行\t200.00\t180.00\t100.00\t80.00

## 2024年度财政拨款“三公”经费支出决算表

单位：万元

预算数\t\t\t\t\t\t决算数\t\t\t\t\t
合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\t合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费
\t\t小计\t公务用车购置费\t公务用车运行费\t\t\t\t小计\t公务用车购置费\t公务用车运行费\t
10.00\t\t6.00\t\t6.00\t4.00\t8.00\t\t5.00\t\t5.00\t3.00
"""


def _final(folder: Path, narrative: str, name: str = "某局") -> Path:
    text = f"# 示范市某区{name}2024年度部门决算\n\n## 二、一般公共预算财政拨款支出决算情况说明\n\n{narrative}\n{F05}"
    path = folder / f"示范市某区{name}2024年度部门决算.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _findings(path: Path) -> pl.DataFrame:
    frames = extract_paths([path])
    assert frames["documents"]["doc_type"][0] == "final_account"
    return run_checks(frames, rules=RULES)[0]


GOOD = (
    "2024年度一般公共预算财政拨款支出年初预算为200.00万元，支出决算为180.00万元，完成年初预算的90.00%。"
    "决算数小于预算数的主要原因：项目按进度支付。"
)


def test_reader_groups_figures_by_statement() -> None:
    text = (
        "1、行政运行（项）。年初预算为0.88万元，支出决算为0.88万元。完成年初预算的100.00%。决算数同预算数持平。"
        "2、机关服务（项）。年初预算为10.00万元，全年预算为12.00万元，支出决算为11.00万元，完成全年预算的91.67%。"
        "决算数大于预算数的主要原因：年中追加。"
    )
    first, second = statements_in(text)
    assert (first.budgets["initial"][0], first.final, first.rate, first.direction) == (0.88, 0.88, 100.0, "flat")
    assert not first.has_reason
    assert second.budgets == {"initial": (10.0, 2), "adjusted": (12.0, 2)}
    assert (second.rate, second.rate_base, second.direction, second.has_reason) == (91.67, "adjusted", "up", True)
    assert "机关服务" in second.subject


def test_clean_statement_passes_every_rule(tmp_path: Path) -> None:
    narrative = GOOD + (
        "\n\n“三公”经费财政拨款支出年初预算为10.00万元，支出决算为8.00万元，完成预算的80.00%。"
        "决算数小于预算数的主要原因：压减公务接待。"
    )
    assert _findings(_final(tmp_path, narrative)).is_empty()


def test_wrong_rate_is_an_error(tmp_path: Path) -> None:
    found = _findings(_final(tmp_path, GOOD.replace("90.00%", "92.00%")))
    row = found.filter(pl.col("rule") == "final-completion-rate").row(0, named=True)
    assert (row["severity"], row["expected"], row["actual"]) == ("error", 90.0, 92.0)


def test_rate_on_another_printed_base_is_a_warning(tmp_path: Path) -> None:
    narrative = (
        "2024年度一般公共预算财政拨款支出年初预算为0万元，全年预算为200.00万元，支出决算为180.00万元，"
        "完成年初预算的90.00%。决算数小于预算数的主要原因：项目按进度支付。"
    )
    found = _findings(_final(tmp_path, narrative)).filter(pl.col("rule") == "final-completion-rate")
    assert found["severity"].to_list() == ["warning"]


def test_rate_within_rounding_is_not_reported(tmp_path: Path) -> None:
    # 180.00 / 200.01 = 89.9955 %: 90.00 is the rounded rate; 89.99 is within 0.01 point (§0.4)
    narrative = GOOD.replace("200.00万元", "200.01万元").replace("90.00%", "89.99%")
    assert _findings(_final(tmp_path, narrative)).filter(pl.col("rule") == "final-completion-rate").is_empty()


def test_direction_word_against_the_figures(tmp_path: Path) -> None:
    found = _findings(_final(tmp_path, GOOD.replace("决算数小于", "决算数大于")))
    assert found.filter(pl.col("rule") == "final-direction-word")["severity"].to_list() == ["error"]


def test_missing_and_empty_explanations_are_warnings(tmp_path: Path) -> None:
    missing = GOOD.split("决算数小于")[0]
    found = _findings(_final(tmp_path, missing)).filter(pl.col("rule") == "final-variance-explanation")
    assert found["severity"].to_list() == ["warning"]
    empty = GOOD.replace("项目按进度支付", "")
    found = _findings(_final(tmp_path, empty, "另局")).filter(pl.col("rule") == "final-variance-explanation")
    assert "留空" in found["message"][0]


def test_small_variance_needs_no_explanation(tmp_path: Path) -> None:
    narrative = "2024年度一般公共预算财政拨款支出年初预算为181.00万元，支出决算为180.00万元，完成年初预算的99.45%。"
    assert _findings(_final(tmp_path, narrative)).filter(pl.col("rule") == "final-variance-explanation").is_empty()


def test_statement_against_f05_and_f07(tmp_path: Path) -> None:
    narrative = (
        "1、一般公共服务支出（类）年初预算为200.00万元，支出决算为170.00万元，完成年初预算的85.00%。"
        "决算数小于预算数的主要原因：项目按进度支付。\n\n“三公”经费财政拨款支出年初预算为12.00万元，"
        "支出决算为8.00万元，完成预算的66.67%。决算数小于预算数的主要原因：压减。"
    )
    found = _findings(_final(tmp_path, narrative)).filter(pl.col("rule") == "final-statement-vs-table")
    got = sorted(zip(found["table_kind"], found["column"], found["actual"], found["expected"]))
    assert got == [
        ("final_general_budget_expenditure", "total", 170.0, 180.0),
        ("final_three_public_expenses", "budget_total", 12.0, 10.0),
    ]


def test_budget_document_is_never_read_as_final(tmp_path: Path) -> None:
    path = tmp_path / "某局2024年部门预算.txt"
    path.write_text("# 某局2024年部门预算\n\n" + GOOD.replace("90.00%", "50.00%") + "\n", encoding="utf-8")
    frames = extract_paths([path])
    assert run_checks(frames, rules=RULES)[0].is_empty()


PROCUREMENT = (
    "2024年度政府采购支出总额100.00万元，其中：政府采购货物支出60.00万元、政府采购服务支出40.00万元。"
    "授予中小企业合同金额80.00万元，占政府采购支出总额的80.00%，其中：授予小微企业合同金额40.00万元，"
    "占授予中小企业合同金额的{small}%。"
)


def _procurement(tmp_path: Path, sentence: str) -> pl.DataFrame:
    frames = extract_paths([_final(tmp_path, GOOD + "\n\n## 其他重要事项\n\n" + sentence)])
    return run_checks(frames, rules=["final-procurement-sme-share"])[0]


def test_sme_shares_on_the_right_bases_pass(tmp_path: Path) -> None:
    assert _procurement(tmp_path, PROCUREMENT.format(small="50.00")).is_empty()


def test_small_share_on_the_total_is_named(tmp_path: Path) -> None:
    found = _procurement(tmp_path, PROCUREMENT.format(small="40.00"))
    assert found["severity"].to_list() == ["warning"] and "基数" in found["message"][0]
    assert (found["expected"][0], found["actual"][0]) == (50.0, 40.0)


def test_sme_amount_above_the_total_is_an_error(tmp_path: Path) -> None:
    text = PROCUREMENT.format(small="50.00").replace(
        "合同金额80.00万元，占政府采购支出总额的80.00%", "合同金额120.00万元，占政府采购支出总额的120.00%"
    )
    found = _procurement(tmp_path, text)
    assert "error" in found["severity"].to_list()


def test_sme_amount_above_a_total_printed_coarser_is_no_error_within_rounding(tmp_path: Path) -> None:
    """A total printed in whole 万元 ("100") may stand for 100.4: a part of 100.30 is no error."""
    text = (
        PROCUREMENT.format(small="50.00")
        .replace("支出总额100.00万元", "支出总额100万元")
        .replace("合同金额80.00万元，占政府采购支出总额的80.00%", "合同金额100.30万元，占政府采购支出总额的100.30%")
    )
    assert "error" not in _procurement(tmp_path, text)["severity"].to_list()


def test_cross_document_findings_cite_both_documents(tmp_path: Path) -> None:
    """Y4 (决算's 年初预算 vs the published budget) and EX5 (a later budget's 上年决算数)."""
    from analysis.compare.execution_findings import execution_frames
    from analysis.departments import match_departments

    final = _final(tmp_path, GOOD)
    budget = tmp_path / "示范市某区某局2024年部门预算.txt"
    budget.write_text(
        "# 示范市某区某局2024年度部门预算\n\n## 一般公共预算支出预算\n\n一般公共预算支出210.00万元。\n"
        "\n## 2024年一般公共预算支出表\n\n单位：万元\n\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
        "\t合计\t210.00\t100.00\t110.00\n2010301\t行政运行\t210.00\t100.00\t110.00\n",
        encoding="utf-8",
    )
    later = tmp_path / "示范市某区某局2025年部门预算.txt"
    later.write_text(
        "# 示范市某区某局2025年度部门预算\n\n## 说明\n\n2025年一般公共预算支出220.00万元，"
        "上年一般公共预算支出决算数为175.00万元。\n",
        encoding="utf-8",
    )
    frames = extract_paths([final, budget, later])
    names = frames["documents"]["department"].to_list()
    assert len(set(match_departments(names)["department_id"])) == 1, names
    found = execution_frames(frames, match_departments(names))["findings"]
    by_rule = {r["rule"]: r for r in found.iter_rows(named=True)}
    mismatch = by_rule["execution-budget-mismatch"]
    assert (mismatch["expected"], mismatch["actual"]) == (210.0, 200.0)
    assert "2024年部门预算" in mismatch["message"] and "决算" in mismatch["path"]
    prior = by_rule["execution-prior-year-final"]
    assert (prior["expected"], prior["actual"]) == (180.0, 175.0) and "2025年部门预算" in prior["path"]


def test_linking_keeps_units_and_departments_apart_and_prefers_the_same_format() -> None:
    from analysis.compare.execution import link_documents
    from analysis.departments import match_departments
    from analysis.schema import frame

    def doc(doc_id: str, name: str, year: int, doc_type: str, level: str, fmt: str) -> dict:
        return {
            "doc_id": doc_id,
            "path": f"{doc_id}.{fmt}",
            "format": fmt,
            "department": name,
            "fiscal_year": year,
            "doc_type": doc_type,
            "level": level,
            "status": "ok",
        }

    documents = frame(
        "documents",
        [
            doc("f24", "上海市普陀区财政局", 2024, "final_account", "department", "pdf"),
            doc("f23", "普陀区财政局", 2023, "final_account", "department", "pdf"),
            doc("b24x", "上海市普陀区财政局", 2024, "budget", "department", "xlsx"),
            doc("b24p", "上海市普陀区财政局", 2024, "budget", "department", "pdf"),
            doc("u24", "上海市普陀区财政局", 2024, "budget", "unit", "pdf"),
            doc("uf24", "上海市普陀区财政局", 2024, "final_account", "unit", "pdf"),
        ],
    )
    links = link_documents(documents, match_departments(documents["department"].to_list()))
    by_final = {r["final_doc_id"]: r for r in links.iter_rows(named=True)}
    assert by_final["f24"]["budget_doc_id"] == "b24p"  # same format first
    assert by_final["f24"]["prev_final_doc_id"] == "f23"  # 普陀区财政局 is the same department
    assert by_final["uf24"]["budget_doc_id"] == "u24"  # a unit's final links to the unit's budget only
    assert by_final["uf24"]["prev_final_doc_id"] is None
