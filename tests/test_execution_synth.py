"""Synthetic 决算 end to end (issue 13): planted final_*/execution_* anomalies found, no error on
clean final accounts in text, PDF and xlsx, and panel figures equal to the printed figures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.compare import compare_frames
from analysis.evaluate import evaluate
from analysis.extract import extract_paths
from analysis.synth import generate
from analysis.synth.roundtrip import compare

FORMATS = ("text", "xlsx", "pdf")
KINDS = ("final_", "execution_")


def _run(folder: Path, seed: int, rate: float, departments: int) -> tuple[pl.DataFrame, dict, pl.DataFrame]:
    labels = generate(
        folder,
        departments=departments,
        years=(2024, 2025),
        formats=FORMATS,
        anomaly_rate=rate,
        seed=seed,
        doc_types=("budget", "final"),
    )
    frames = extract_paths(sorted(p for p in folder.rglob("*") if p.suffix in (".txt", ".xlsx", ".pdf")))
    findings, _ = run_checks(frames)
    compared = compare_frames(frames)
    compared["extraction"] = frames
    return labels, compared, pl.concat([findings, compared["findings"]], how="vertical_relaxed")


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("planted")
    return folder, *_run(folder, seed=11, rate=0.6, departments=5)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("clean")
    return folder, *_run(folder, seed=12, rate=0.0, departments=4)


def test_planted_final_anomalies_are_found(planted) -> None:
    _folder, labels, _, findings = planted
    mine = labels.filter(pl.col("kind").str.starts_with(KINDS[0]) | pl.col("kind").str.starts_with(KINDS[1]))
    assert mine["kind"].n_unique() >= 4, mine["kind"].unique().to_list()
    result = evaluate(mine, findings)
    assert result.summary["recall"] >= 0.95, result.by_kind.to_dicts()


def test_no_error_on_clean_final_accounts(clean) -> None:
    _, _, _, findings = clean
    errors = findings.filter((pl.col("severity") == "error") & pl.col("path").str.contains("决算"))
    assert errors.is_empty(), errors.select("path", "rule", "message").to_dicts()[:5]
    mine = findings.filter(pl.col("rule").str.starts_with("final-") | pl.col("rule").str.starts_with("execution-"))
    assert mine.is_empty(), mine.select("path", "rule", "message").to_dicts()[:5]


def test_panel_equals_printed_figures(clean) -> None:
    folder, _, compared, _ = clean
    panel = compared["panel"]
    truth = pl.read_parquet(folder / "truth.parquet").filter(pl.col("table_kind").is_null())
    docs = pl.read_parquet(folder / "documents.parquet")
    assert panel.height and panel["department_id"].n_unique() == 4
    assert set(panel["fiscal_year"]) == {2024, 2025}
    by_path = {
        (r["doc_department"], r["fiscal_year"], r["doc_type"], r["column"]): r["amount"]
        for r in truth.join(docs.select("path", "doc_type"), on="path").iter_rows(named=True)
    }
    checked = 0
    for row in panel.filter(pl.col("indicator").is_in(["total", "basic", "project"])).iter_rows(named=True):
        figure = {
            "total": ("total_expenditure", "current_year_expenditure"),
            "basic": ("basic_expenditure", "basic_expenditure"),
            "project": ("project_expenditure", "project_expenditure"),
        }[row["indicator"]]
        assert row["budget_value"] == pytest.approx(
            by_path[(row["department"], row["fiscal_year"], "budget", figure[0])], abs=0.005
        )
        assert row["final_value"] == pytest.approx(
            by_path[(row["department"], row["fiscal_year"], "final_account", figure[1])], abs=0.005
        )
        assert row["execution_rate"] == pytest.approx(row["final_value"] / row["budget_value"])
        assert row["budget_source"] and row["final_source"]
        checked += 1
    assert checked == 4 * 2 * 3
    general = panel.filter(pl.col("indicator") == "general")
    assert general["execution_rate"].is_between(0.7, 1.1).all()
    assert general.filter(pl.col("fiscal_year") > 2024)["rate_change"].is_not_null().all()


def test_final_accounts_round_trip_exactly(clean) -> None:
    folder, _, compared, _ = clean
    frames = compared["extraction"]
    finals = frames["documents"].filter(pl.col("doc_type") == "final_account")["doc_id"].implode()
    result = compare(
        folder,
        {
            name: df.filter(pl.col("doc_id").is_in(finals)) if "doc_id" in df.columns else df
            for name, df in frames.items()
        },
    )
    cells = result.cells.filter(pl.col("table_kind").str.starts_with("final_"))
    assert cells.height > 500 and set(cells["path"].str.split("/").list.first()) == set(FORMATS)
    assert cells.filter(pl.col("status") != "matched").is_empty()
    assert result.unexpected.is_empty()
    assert result.figures.filter(pl.col("status") != "matched").is_empty()
