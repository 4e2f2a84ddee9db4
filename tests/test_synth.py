"""Tests of the synthetic disclosure generator (issue 5).

The identity tests read the printed cells of the generator's own tables (not a parser), so
they check that a clean document satisfies DOMAIN §2.1–2.3 exactly as printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from analysis.metadata import load_csv
from analysis.synth import generate
from analysis.synth.amounts import simulate
from analysis.synth.document import build_document
from analysis.synth.figures import compute_figures
from analysis.synth.layout import SynthDoc, Table
from analysis.synth.params import anomaly_params, econ_codes, func_name
from analysis.synth.render_text import render_text
from analysis.synth.world import build_departments

KINDS = set(anomaly_params()["kinds"])


def clean_docs(n_depts: int, years: tuple[int, ...], seed: int = 0) -> list[SynthDoc]:
    docs = []
    for dept in build_departments(n_depts, seed):
        world = simulate(dept, years[0] - 1, years[-1])
        figs = {y: compute_figures(dy) for y, dy in world.items()}
        docs += [build_document(figs[y], figs[y - 1]) for y in years]
    return docs


def v(table: Table, key: str, column: str) -> int:
    """Printed value of a semantic cell in 0.01 万元 (blank = 0)."""
    if (key, column) not in table.refs:
        return 0
    r, c = table.refs[(key, column)]
    number = re.search(r"-?\d+(?:\.\d+)?", table.rows[r][c])
    return round(float(number.group()) * 100) if number else 0


def keys(table: Table, prefix: str, length: int | None = None) -> list[str]:
    found = {k for k in table.labels if k.startswith(prefix)}
    return sorted(k for k in found if length is None or len(k.split(":")[1]) == length)


EXP = (
    "total",
    "basic_total",
    "basic_wages",
    "basic_family_subsidy",
    "basic_goods_services",
    "basic_capital",
    "project_total",
    "project_operating",
    "project_specific",
)


def check_function_table(t: Table) -> None:
    """I09–I12 on a by-nature expenditure table (B03/B05/B08)."""
    for key in ["total", "unit", *keys(t, "func:")]:
        assert v(t, key, "total") == v(t, key, "basic_total") + v(t, key, "project_total"), key
        assert v(t, key, "basic_total") == sum(v(t, key, c) for c in EXP[2:6]), key
        assert v(t, key, "project_total") == v(t, key, "project_operating") + v(t, key, "project_specific"), key
    leaves = keys(t, "func:", 7)
    for column in EXP:
        assert v(t, "total", column) == sum(v(t, k, column) for k in leaves)
        assert v(t, "unit", column) == v(t, "total", column)
        for parent in keys(t, "func:", 3) + keys(t, "func:", 5):
            code = parent.split(":")[1]
            assert v(t, parent, column) == sum(v(t, k, column) for k in leaves if k[5:].startswith(code))


def check_document(doc: SynthDoc) -> None:
    """Within-table (§2.1) and cross-table (§2.2) identities of one clean document."""
    t = doc.tables
    b01, b02, b03, b04 = (
        t[k]
        for k in (
            "revenue_expenditure_summary",
            "revenue_summary",
            "expenditure_summary",
            "fiscal_appropriation_summary",
        )
    )
    b05, b06, b07, b08 = (
        t[k]
        for k in (
            "general_budget_expenditure",
            "general_budget_basic_expenditure",
            "three_public_expenses",
            "government_fund_expenditure",
        )
    )
    b10, b11, b12, b13 = (
        t[k]
        for k in (
            "project_expenditure",
            "economic_classification_summary",
            "department_performance_targets",
            "project_performance_targets",
        )
    )
    income = [
        k
        for k in keys(b01, "in:")
        if k
        not in {"in:general_budget_appropriation", "in:current_revenue_total", "in:carryover", "in:revenue_grand_total"}
    ]
    current = v(b01, "in:current_revenue_total", "amount")
    assert current == sum(v(b01, k, "amount") for k in income)  # I01
    grand = v(b01, "in:revenue_grand_total", "amount")
    assert grand == current + v(b01, "in:carryover", "amount")  # I02
    classes = [k for k in keys(b01, "exp:") if k[4:].isdigit()]
    assert v(b01, "exp:current_expenditure_total", "amount") == sum(v(b01, k, "amount") for k in classes)  # I03
    assert grand == v(b01, "exp:expenditure_grand_total", "amount")  # I05
    for row in ("total", "unit"):  # I07
        assert v(b02, row, "total") == v(b02, row, "current_revenue_total") + v(b02, row, "carryover_total")
        assert v(b02, row, "current_revenue_total") == v(b02, row, "general_budget") + v(b02, row, "gov_fund")
    assert v(b02, "total", "current_revenue_total") == current  # X01
    for table in (b03, b05, b08):
        check_function_table(table)
    assert v(b03, "total", "total") == v(b01, "exp:current_expenditure_total", "amount")  # X03
    for k in classes:
        code = k[4:]
        assert v(b01, k, "amount") == sum(v(b03, f, "total") for f in keys(b03, "func:", 7) if f[5:].startswith(code))
    in_total = v(b04, "in:current_revenue_total", "amount") + v(b04, "in:carryover", "amount")  # I13
    assert in_total == v(b04, "in:revenue_grand_total", "amount")
    for key in keys(b04, "exp:"):  # I14
        assert v(b04, key, "total") == v(b04, key, "general_budget") + v(b04, key, "gov_fund")
    b04_classes = [k for k in keys(b04, "exp:") if k[4:].isdigit()]
    for column in ("total", "general_budget", "gov_fund"):  # I15
        assert v(b04, "exp:current_expenditure_total", column) == sum(v(b04, k, column) for k in b04_classes)
    assert in_total == v(b04, "exp:expenditure_grand_total", "total")
    assert v(b04, "exp:current_expenditure_total", "general_budget") == v(b05, "total", "total")  # X05
    assert v(b04, "exp:current_expenditure_total", "gov_fund") == v(b08, "total", "total")  # X09
    econ = keys(b06, "econ:", 5)
    for key in ["total", *econ]:  # I18
        assert v(b06, key, "total") == v(b06, key, "personnel") + v(b06, key, "public")
    for column in ("total", "personnel", "public"):
        assert v(b06, "total", column) == sum(v(b06, k, column) for k in econ)
    assert v(b06, "total", "personnel") == sum(v(b06, k, "total") for k in econ if k[5:8] in ("301", "303"))  # I19
    assert v(b05, "total", "basic_total") == v(b06, "total", "total")  # X06
    assert v(b05, "total", "basic_wages") + v(b05, "total", "basic_family_subsidy") == v(b06, "total", "personnel")
    tp = b07  # I22–I23
    assert v(tp, "current", "total") == v(tp, "current", "abroad") + v(tp, "current", "vehicle_total") + v(
        tp, "current", "reception"
    )
    assert v(tp, "current", "vehicle_total") == v(tp, "current", "vehicle_purchase") + v(
        tp, "current", "vehicle_operation"
    )
    projects = keys(b10, "project:")
    funds = ("general_budget", "gov_fund", "carryover_general_budget")
    for key in [*projects, "total", "unit"]:  # I26
        assert v(b10, key, "total") == sum(v(b10, key, c) for c in funds)
    assert v(b10, "total", "total") == sum(v(b10, k, "total") for k in projects)
    assert v(b10, "total", "total") == v(b03, "total", "project_total")  # X08
    assert v(b10, "total", "general_budget") + v(b10, "total", "carryover_general_budget") == v(
        b05, "total", "project_total"
    )  # X07
    econ11 = keys(b11, "econ:", 5)
    for key in ["total", *econ11]:  # I28
        assert v(b11, key, "total") == v(b11, key, "general_budget") + v(b11, key, "gov_fund") + v(
            b11, key, "carryover_total"
        )
    assert v(b11, "total", "total") == sum(v(b11, k, "total") for k in econ11)
    assert v(b11, "total", "total") == v(b03, "total", "total")  # X10
    for key in econ:
        assert v(b11, key, "total") >= v(b06, key, "total")
    assert v(b12, "budget_total", "amount") == grand == v(b12, "gov_budget_funds", "amount")  # X13, I30
    assert v(b12, "budget_total", "amount") == v(b12, "basic_total", "amount") + v(b12, "project_total", "amount")
    assert v(b12, "project_total", "amount") == v(b03, "total", "project_total")
    for key in keys(b13, "project:"):  # X14, I34
        assert v(b13, key, "total") == v(b10, key, "total") == v(b13, key, "cost_cap")
    assert v(b13, "total", "total") == v(b10, "total", "total")


def test_clean_documents_satisfy_identities() -> None:
    docs = clean_docs(60, (2024, 2025), seed=3)
    for doc in docs:
        check_document(doc)
    kinds = {d.dept.spec.family for d in docs}
    assert {"school", "street", "bureau"} <= kinds
    assert any(d.tables["government_fund_expenditure"].facts for d in docs)
    assert any(d.doc_figures["carryover_total"] for d in docs)


_AMOUNT = r"([\d.]+) ?万元"


def _narrative_number(text: str, pattern: str) -> float:
    match = re.search(pattern, text)
    assert match, pattern
    return float(match.group(1))


def test_narrative_figures_match_tables_and_previous_year() -> None:
    docs = clean_docs(12, (2024, 2025), seed=5)
    by_key = {(d.dept.index, d.year): d for d in docs}
    for doc in docs:
        text = render_text(doc).replace("\n\n", "")
        total = v(doc.tables["revenue_expenditure_summary"], "in:revenue_grand_total", "amount") / 100
        assert _narrative_number(text, r"收入总计 ?" + _AMOUNT) == total
        basic = v(doc.tables["general_budget_basic_expenditure"], "total", "total")
        personnel = v(doc.tables["general_budget_basic_expenditure"], "total", "personnel")
        share = _narrative_number(text, r"人员经费(?:支出)? ?[\d.]+ ?万元，占基本支出的 ?([\d.]+)%")
        assert share == round(personnel * 100 / basic, 2)
        match = re.search(
            r"预算相比，收(?:支总计各|入)(增加|增长|减少|下降) ?"
            + _AMOUNT
            + r"，(?:增长|上涨|上升|下降|降低) ?([\d.]+)%",
            text,
        )
        prev = by_key.get((doc.dept.index, doc.year - 1))
        if match and prev is not None:
            sign = 1 if match.group(1) in ("增加", "增长") else -1
            prev_total = v(prev.tables["revenue_expenditure_summary"], "in:revenue_grand_total", "amount") / 100
            assert round(total - sign * float(match.group(2)), 2) == prev_total  # Y1
            assert float(match.group(3)) == round(float(match.group(2)) * 100 / prev_total, 2)  # P2


def test_generation_is_deterministic(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", departments=5, years=(2024, 2025), anomaly_rate=0.5, seed=11)
    b = generate(tmp_path / "b", departments=5, years=(2024, 2025), anomaly_rate=0.5, seed=11)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.txt"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.txt"))
    assert files_a == files_b and len(files_a) == 10
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert a.equals(b)
    other = generate(tmp_path / "c", departments=5, years=(2024, 2025), anomaly_rate=0.5, seed=12)
    assert not other.equals(a)


def test_anomaly_counts_follow_the_rate(tmp_path: Path) -> None:
    labels = generate(tmp_path, departments=5, years=(2024, 2025), anomaly_rate=0.4, seed=2)
    documents = pl.read_parquet(tmp_path / "documents.parquet")
    assert documents.height == 10
    assert documents.filter(pl.col("n_anomalies") > 0).height == 4
    per_doc = labels.group_by("path").len()
    assert per_doc.height == 4 and per_doc["len"].is_between(1, 3).all()
    assert set(labels["kind"]) <= KINDS
    assert labels["location"].null_count() == 0
    zero = generate(tmp_path / "zero", departments=5, years=(2024, 2025), anomaly_rate=0.0, seed=2)
    assert zero.height == 0


def test_every_kind_is_planted_and_visible(tmp_path: Path) -> None:
    labels = generate(tmp_path, departments=50, years=(2024, 2025), anomaly_rate=1.0, seed=4)
    assert set(labels["kind"]) == KINDS
    for row in labels.filter(pl.col("actual").is_not_null()).iter_rows(named=True):
        if row["kind"] in ("outlier_personnel_share", "template_residue_year", "pct_wrong_base", "direction_word"):
            continue
        text = (tmp_path / row["path"]).read_text(encoding="utf-8")
        assert f"{row['actual']:.2f}" in text.replace(" ", "") or f"≤{row['actual']:g}万元" in text, (
            row["kind"],
            row["actual"],
        )
    placeholders = labels.filter(pl.col("kind") == "template_residue_placeholder")
    for path in placeholders["path"]:
        assert "XX 万元" in (tmp_path / path).read_text(encoding="utf-8").replace("XX万元", "XX 万元")


def test_documents_without_labels_equal_the_clean_run(tmp_path: Path) -> None:
    clean_dir, dirty_dir = tmp_path / "clean", tmp_path / "dirty"
    generate(clean_dir, departments=8, years=(2024, 2025), anomaly_rate=0.0, seed=9)
    labels = generate(dirty_dir, departments=8, years=(2024, 2025), anomaly_rate=0.5, seed=9)
    world_kinds = {
        "outlier_per_capita",
        "outlier_three_public_spike",
        "outlier_personnel_share",
        "classification_meal_as_labour",
    }
    changed_world = {
        (r["doc_department"], r["fiscal_year"]) for r in labels.iter_rows(named=True) if r["kind"] in world_kinds
    }
    labelled = set(labels["path"])
    compared = 0
    for path in (clean_dir / "text").rglob("*.txt"):
        rel = str(path.relative_to(clean_dir))
        dirty = (dirty_dir / rel).read_text(encoding="utf-8")
        if rel in labelled:
            assert dirty != path.read_text(encoding="utf-8")
            continue
        year = int(path.parent.name)
        name = path.name.removesuffix(f"{year}年度部门预算.txt")
        if (name, year - 1) in changed_world:
            continue
        assert dirty == path.read_text(encoding="utf-8"), rel
        compared += 1
    assert compared >= 5


def test_truth_matches_printed_cells(tmp_path: Path) -> None:
    generate(tmp_path, departments=3, years=(2025,), anomaly_rate=0.0, seed=1)
    truth = pl.read_parquet(tmp_path / "truth.parquet")
    docs = clean_docs(3, (2025,), seed=1)
    for doc in docs:
        rows = truth.filter(pl.col("doc_department") == doc.dept.name)
        figures = rows.filter(pl.col("table_kind").is_null())
        assert set(figures["column"]) >= {
            "total_revenue",
            "total_expenditure",
            "basic_expenditure",
            "project_expenditure",
            "personnel_expenditure",
            "public_expenditure",
            "three_public_total",
        }
        cells = rows.filter(pl.col("table_kind").is_not_null())
        assert cells["is_printed"].all()
        for r in cells.iter_rows(named=True):
            table = doc.tables[r["table_kind"]]
            if r["column"] == "cost_cap":
                continue
            assert v(table, r["row_key"], r["column"]) == round(r["amount"] * 100), r
        func = cells["func_code"].drop_nulls()
        leaf = cells.filter(pl.col("table_kind") == "expenditure_summary")["func_code"].drop_nulls()
        assert leaf.str.len_chars().is_in([3, 5, 7]).all() and (func.str.len_chars() <= 7).all()


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_other_formats_render(tmp_path: Path, fmt: str) -> None:
    generate(tmp_path, departments=2, years=(2025,), formats=("text", fmt), anomaly_rate=0.5, seed=7)
    docs = pl.read_parquet(tmp_path / "documents.parquet").filter(pl.col("format") == fmt)
    assert docs.height == 2
    for path in docs["path"]:
        target = tmp_path / path
        if fmt == "pdf":
            import pdfplumber

            with pdfplumber.open(target) as pdf:
                text = "".join(page.extract_text() or "" for page in pdf.pages)
                assert len(pdf.pages) > 5
            assert "部门收支总体情况表" in text.replace(" ", "") or "部门收支总表" in text.replace(" ", "")
        else:
            import openpyxl

            book = openpyxl.load_workbook(target)
            assert len(book.sheetnames) >= 12
            assert book[book.sheetnames[1]].max_row > 5


def test_invalid_arguments_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, formats=("docx",))
    with pytest.raises(ValueError):
        generate(tmp_path, anomaly_rate=1.5)


def test_codes_agree_with_the_shared_catalogue() -> None:
    """Clean documents must not trip the classification checks (K1, K2) on their own."""
    shared = {}
    for r in load_csv("classification/function_codes.csv"):
        if not r["valid_to"] or int(r["valid_to"]) >= 2023:
            shared.setdefault(r["code"], set()).add(r["name"])
    for r in load_csv("synth/func_codes.csv"):
        if r["code"] in shared:
            assert r["name"] in shared[r["code"]], r
    for dept in build_departments(60, 0):
        spec = dept.spec
        for item in (spec.basic_item, spec.project_item):
            code = spec.kuan + item
            if code in shared:
                assert func_name(code) in shared[code], code
    econ_shared = {r["code"]: r["name"] for r in load_csv("classification/economic_codes.csv")}
    crosswalk = {r["dept_code"]: r for r in load_csv("classification/crosswalk.csv")}
    for code, econ in econ_codes().items():
        if len(code) == 5:
            assert econ.name in {r["name"] for r in load_csv("classification/economic_codes.csv") if r["code"] == code}
            assert crosswalk[code]["institution_target"] == econ.institution_target, code
            if crosswalk[code]["organ_target"]:
                assert crosswalk[code]["organ_target"] == econ.organ_target, code
    assert econ_shared


def test_planted_outliers_stand_apart_from_clean_peers(tmp_path: Path) -> None:
    labels = generate(tmp_path, departments=120, years=(2024, 2025), anomaly_rate=0.5, seed=8)
    truth = pl.read_parquet(tmp_path / "truth.parquet")
    staff = truth.filter(pl.col("column") == "headcount_in_service").select("path", staff="amount")
    meals = (
        truth.filter(
            (pl.col("table_kind") == "project_expenditure")
            & (pl.col("column") == "total")
            & pl.col("project_name").is_in(["工作人员误餐费", "工作人员工装费"])
        )
        .join(staff, on="path")
        .with_columns(per_head=pl.col("amount") / pl.col("staff"))
    )
    planted = labels.filter(pl.col("kind") == "outlier_per_capita").select("path", project_name="row_label")
    assert planted.height >= 2
    flagged = meals.join(planted, on=["path", "project_name"], how="semi")
    normal = meals.join(planted, on=["path", "project_name"], how="anti")
    for name in flagged["project_name"].unique():
        assert (
            flagged.filter(pl.col("project_name") == name)["per_head"].min()
            > 1.5 * normal.filter(pl.col("project_name") == name)["per_head"].max()
        )
    spikes = labels.filter(pl.col("kind") == "outlier_three_public_spike")
    assert spikes.height >= 1 and (spikes["actual"] > spikes["expected"]).all()
    three_public = (
        truth.filter(pl.col("column") == "three_public_total")
        .select("doc_department", "fiscal_year", prev="amount")
        .with_columns(pl.col("fiscal_year") + 1)
    )
    compared = spikes.join(three_public, on=["doc_department", "fiscal_year"])
    assert (compared["actual"] >= 2.7 * compared["prev"]).all()
    tp = (
        truth.filter(pl.col("column") == "three_public_total")
        .join(three_public, on=["doc_department", "fiscal_year"])
        .join(spikes.select("doc_department", "fiscal_year"), on=["doc_department", "fiscal_year"], how="anti")
    )
    assert (tp["amount"] <= 2 * tp["prev"]).all()  # clean years never double
    shares = labels.filter(pl.col("kind") == "outlier_personnel_share")
    assert (shares["actual"] < shares["expected"] / 3).all()
