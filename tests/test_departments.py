"""Department identity has one owner (analysis.departments, issue 16): the overrides CSV that the
compare stage honours also decides the previous-year partner of the checks."""

from __future__ import annotations

from pathlib import Path

from analysis.check.runner import previous_documents, run_checks
from analysis.departments import department_ids
from analysis.extract import extract_paths

TABLES = """
## 部门收支总表

单位：万元

收入\t\t支出\t
项目\t预算数\t项目\t预算数
一般公共预算拨款收入\t{total}\t一般公共服务支出\t{total}
收入总计\t{total}\t支出总计\t{total}
"""


def _doc(folder: Path, name: str, year: int, total: str, sentence: str) -> Path:
    text = f"# {name}{year}年度部门预算\n\n## 一、收入支出预算总体情况说明\n\n{sentence}\n" + TABLES.format(total=total)
    path = folder / f"{name}{year}年部门预算.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _docs(*rows) -> list[dict]:
    return [
        {"doc_id": i, "department": name, "fiscal_year": year, "doc_type": "budget", "status": "ok"}
        for i, name, year in rows
    ]


def test_previous_year_partner_follows_the_department_identity():
    docs = _docs(("a", "示范市某区文化局", 2024), ("b", "示范市某区文化局", 2025), ("c", "示范市某区体育局", 2024))
    assert previous_documents(docs)["b"]["doc_id"] == "a"
    assert "a" not in previous_documents(docs) and "c" not in previous_documents(docs)


def test_override_changes_the_previous_year_partner(tmp_path):
    docs = _docs(("old", "示范市某区文化局", 2024), ("new", "示范市某区文化和旅游局", 2025))
    assert previous_documents(docs) == {}  # a renamed department is not the same by its name
    overrides = tmp_path / "departments.csv"
    overrides.write_text(
        "name,department_id\n示范市某区文化局,示范市某区/文旅\n示范市某区文化和旅游局,示范市某区/文旅\n",
        encoding="utf-8",
    )
    assert department_ids(["示范市某区文化局"], overrides) == {"示范市某区文化局": "示范市某区/文旅"}
    assert previous_documents(docs, overrides)["new"]["doc_id"] == "old"


def test_override_brings_the_previous_year_rule_in(tmp_path):
    last = _doc(tmp_path, "示范市某区文化局", 2024, "100.00", "收入总计100.00万元。")
    this = _doc(
        tmp_path, "示范市某区文化和旅游局", 2025, "110.00", "收入总计110.00万元，与2024年相比，收入减少10.00万元。"
    )
    frames = extract_paths([last, this])
    assert sorted(frames["documents"]["department"].to_list()) == ["示范市某区文化和旅游局", "示范市某区文化局"]
    _, evaluations = run_checks(frames, rules=["previous-year-change"])
    assert set(evaluations["status"]) == {"not_evaluated"}
    overrides = tmp_path / "departments.csv"
    overrides.write_text("name,department_id\n示范市某区文化局,文旅\n示范市某区文化和旅游局,文旅\n", encoding="utf-8")
    findings, _ = run_checks(frames, rules=["previous-year-change"], departments=overrides)
    assert findings["severity"].to_list() == ["error"] and "实际增加 10.00" in findings["message"][0]
