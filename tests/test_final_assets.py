"""Vehicles at year end (issue 13 point 1, FI12 N1) and a budget's 上年执行数/上年决算数 columns
against the published 决算 (EX5 Y1): cases written here, each rule firing and staying silent."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.check import run_checks
from analysis.extract import extract_paths

RULES = ["assets-vehicle-sum", "assets-vehicle-sum-short", "assets-vehicle-stock", "assets-vehicle-running-cost"]
ASSETS = (
    "（二）国有资产占用情况 2024年末，本部门共有车辆{total}辆，其中：一般公务用车{a}辆、一般执法执勤用车0辆、"
    "特种专业技术用车0辆、其他用车{b}辆；单位价值50万元以上通用设备0台（套）；单位价值100万元以上专用设备1台（套）。"
)
HEAD = (
    "2024年度收入总计1200.50万元，支出总计1200.50万元。\n一般公共预算财政拨款支出年初预算为903.27万元，"
    "支出决算为877.64万元，完成年初预算的97.16%，决算数小于预算数。"
)
RUNNING = "公务用车运行费{cost}万元，主要用于公务用车燃油、维修、保险等方面支出，年末公务用车保有量{stock}辆。"


def _findings(tmp_path: Path, *sentences: str) -> pl.DataFrame:
    path = tmp_path / "示范市某区某局2024年度部门决算说明.txt"
    path.write_text(
        f"标题：2024年度示范市某区某局部门决算说明\n一、其他重要事项情况说明\n{HEAD}\n" + "\n".join(sentences) + "\n",
        encoding="utf-8",
    )
    frames = extract_paths([path])
    assert frames["documents"]["status"].to_list() == ["narrative_only"]  # so its sentences are checked
    return run_checks(frames, rules=RULES)[0]


def test_consistent_fleet_passes(tmp_path: Path) -> None:
    found = _findings(tmp_path, ASSETS.format(total=7, a=2, b=5), RUNNING.format(cost="6.82", stock=2))
    assert found.is_empty(), found.select("rule", "message").rows()


def test_types_above_the_total_are_an_error(tmp_path: Path) -> None:
    found = _findings(tmp_path, ASSETS.format(total=6, a=2, b=5))
    assert found["rule"].to_list() == ["assets-vehicle-sum"] and found["severity"][0] == "error"
    assert (found["expected"][0], found["actual"][0]) == (6.0, 7.0)
    assert "共有车辆6辆" in found["excerpt"][0] and found["line"][0] is not None


def test_types_below_the_total_are_a_warning(tmp_path: Path) -> None:
    found = _findings(tmp_path, ASSETS.format(total=9, a=2, b=5))
    assert found["rule"].to_list() == ["assets-vehicle-sum-short"] and found["severity"][0] == "warning"


def test_a_single_listed_type_below_the_total_proves_nothing(tmp_path: Path) -> None:
    found = _findings(tmp_path, "2024年末，本部门共有车辆31辆，其中：其他用车26辆。")
    assert found.is_empty(), found.select("rule", "message").rows()


def test_seed_layout_with_the_number_before_the_word(tmp_path: Path) -> None:
    text = (
        "2023 年期末，我局共有车辆 0 辆，其中：一般公务用 0 车辆、一般执法执勤用车 0 辆、特种专业技术用车 0 辆，"
        "其他用车 0 辆；单价 50 万元以上通用设备 0 台（套）。"
    )
    assert _findings(tmp_path, text).is_empty()
    wrong = text.replace("其他用车 0 辆", "其他用车 2 辆")
    assert _findings(tmp_path, wrong)["rule"].to_list() == ["assets-vehicle-sum"]


def test_stock_above_all_vehicles_is_a_warning(tmp_path: Path) -> None:
    found = _findings(tmp_path, ASSETS.format(total=3, a=0, b=3), RUNNING.format(cost="14.52", stock=6))
    assert found["rule"].to_list() == ["assets-vehicle-stock"]
    assert (found["expected"][0], found["actual"][0]) == (3.0, 6.0) and found["severity"][0] == "warning"


def test_running_cost_without_vehicles(tmp_path: Path) -> None:
    no_car = ASSETS.format(total=0, a=0, b=0)
    found = _findings(tmp_path, no_car, "公务用车运行维护费3.20万元，主要用于车辆燃油、维修支出。")
    assert found["rule"].to_list() == ["assets-vehicle-running-cost"] and found["actual"][0] == 3.2
    rented = _findings(tmp_path, no_car, "公务用车运行维护费3.20万元，用于租用车辆的费用。")
    assert rented.is_empty()
    assert _findings(tmp_path, no_car, "公务用车运行维护费0万元。").is_empty()


def test_no_vehicle_statement_is_not_applicable(tmp_path: Path) -> None:
    path = tmp_path / "示范市某区某局2024年度部门决算说明.txt"
    path.write_text(f"标题：2024年度示范市某区某局部门决算说明\n一、说明\n{HEAD}\n", encoding="utf-8")
    frames = extract_paths([path])
    assert frames["documents"]["status"].to_list() == ["narrative_only"]
    findings, evaluations = run_checks(frames, rules=RULES)
    assert findings.is_empty() and set(evaluations["status"]) == {"not_evaluated"}


F05 = (
    "\n## 2024年度一般公共预算财政拨款支出决算表\n\n单位：万元\n\n科目编码\t科目名称\t年初预算数\t本年支出决算\t\t\n"
    "\t\t\t合计\t基本支出\t项目支出\n\t合计\t200.00\t180.00\t100.00\t80.00\n"
    "201\t一般公共服务支出\t200.00\t180.00\t100.00\t80.00\n2010301\t行政运行\t200.00\t180.00\t100.00\t80.00\n"
)


def _prior_column(tmp_path: Path, header: str, total: str, klass: str) -> pl.DataFrame:
    from analysis.compare.execution_findings import execution_frames
    from analysis.departments import match_departments

    final = tmp_path / "示范市某区某局2024年度部门决算.txt"
    final.write_text(
        "# 示范市某区某局2024年度部门决算\n\n## 说明\n\n2024年度一般公共预算财政拨款支出180.00万元。\n" + F05,
        encoding="utf-8",
    )
    later = tmp_path / "示范市某区某局2025年部门预算.txt"
    later.write_text(
        "# 示范市某区某局2025年度部门预算\n\n## 说明\n\n2025年一般公共预算支出220.00万元。\n\n"
        "## 2025年一般公共预算支出表\n\n单位：万元\n\n"
        f"科目编码\t科目名称\t{header}\t2025年预算数\n\t合计\t{total}\t220.00\n"
        f"201\t一般公共服务支出\t{klass}\t220.00\n2010301\t行政运行\t{klass}\t220.00\n",
        encoding="utf-8",
    )
    frames = extract_paths([final, later])
    names = frames["documents"]["department"].to_list()
    found = execution_frames(frames, match_departments(names))["findings"]
    return found.filter(pl.col("rule") == "execution-prior-year-column")


def test_prior_year_column_equal_to_the_final_passes(tmp_path: Path) -> None:
    for header in ("上年执行数", "2024年决算数"):
        found = _prior_column(tmp_path, header, "180.00", "180.00")
        assert found.is_empty(), (header, found.select("message").rows())


def test_prior_year_column_against_the_final(tmp_path: Path) -> None:
    found = _prior_column(tmp_path, "2024年执行数", "176.00", "176.00")
    assert found.height == 2 and set(found["severity"]) == {"warning"}, found.select("message").rows()
    assert set(zip(found["expected"], found["actual"])) == {(180.0, 176.0)}
    assert "2025年部门预算" in found["path"][0] and "2024年度部门决算" in found["message"][0]


def test_prior_year_budget_column_is_not_an_execution_column(tmp_path: Path) -> None:
    assert _prior_column(tmp_path, "上年预算数", "210.00", "210.00").is_empty()
