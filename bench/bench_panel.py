"""Benchmark: link 10,000 budget and final-account documents and build the execution panel.

The documents are not rendered and extracted (bench_text.py and bench_pdf.py measure that).
The frames ``analysis extract`` would yield for them are synthesised from the generator's own
fiscal world and execution (``analysis.synth``: departments, ``simulate``, ``execute``): per
department-year a 预算 (documents row, B05 合计 and 类 rows, “三公”) and a 决算 (documents row,
F01 结转 rows, F05 合计 and 类 rows, F07 预算数). Department names are printed as the generator
prints them.

Timed, side by side in the same run:
- ``analysis``: :func:`analysis.compare.execution_findings.execution_frames` — department identity,
  linking (预算, previous 决算), the panel of every indicator with sources, year-over-year,
  peer robust z, and the cross-document findings;
- ``naive``: the same 一般公共预算 执行率 by a per-document lookup — for each 决算, filter the
  documents frame for its budget and the line items for both totals (what a notebook does
  without an index).
The two rates are compared as a check.

Usage: python bench/bench_panel.py [--documents 10000] [--years 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import polars as pl

from analysis.compare.execution_findings import execution_frames
from analysis.departments import match_departments
from analysis.schema import frame
from analysis.synth.amounts import simulate
from analysis.synth.execution import execute
from analysis.synth.figures import compute_figures
from analysis.synth.world import build_departments


def _item(doc_id: str, kind: str, title: str, column: str, units: int, **kw) -> dict:
    return {
        "doc_id": doc_id,
        "table_index": 0,
        "table_kind": kind,
        "table_title": title,
        "column": column,
        "amount": units / 100,
        "raw_value": f"{units / 100:.2f}",
        "value_status": "value",
        "source_unit": "万元",
        "page": 3,
        **kw,
    }


def build_frames(n_docs: int, years: int, seed: int) -> dict[str, pl.DataFrame]:
    depts = build_departments(max(1, n_docs // (2 * years)), seed)
    first = 2025 - years + 1
    docs, items = [], []
    for dept in depts:
        world = simulate(dept, first - 1, 2025)
        carry = 0
        for year in range(first, 2026):
            fig = compute_figures(world[year])
            ex = execute(fig, fig.carryover if year == first else carry, random.Random(f"{seed}:{dept.index}:{year}"))
            carry = ex.carry_out
            for doc_type, suffix in (("budget", "预算"), ("final_account", "决算")):
                doc_id = f"{dept.index:05d}{year}{suffix}"
                path = f"raw/{year}/{dept.name}{year}年度部门{suffix}.pdf"
                final = doc_type == "final_account"
                docs.append(
                    {
                        "doc_id": doc_id,
                        "path": path,
                        "format": "pdf",
                        "department": dept.name,
                        "fiscal_year": year,
                        "doc_type": doc_type,
                        "level": "department",
                        "status": "ok",
                        "total_expenditure": (ex.grand_total if final else fig.revenue_total) / 100,
                        "current_year_expenditure": ex.spend / 100 if final else None,
                        "basic_expenditure": (ex.total("all", 1) if final else fig.basic_total) / 100,
                        "project_expenditure": (ex.total("all", 2) if final else fig.project_total) / 100,
                        "three_public_total": (sum(ex.three_public.values()) if final else fig.three_public["total"])
                        / 100,
                        "figure_sources": "{}",
                    }
                )
                kind = "final_general_budget_expenditure" if final else "general_budget_expenditure"
                title = f"{year}年度{'一般公共预算财政拨款支出决算表' if final else '一般公共预算支出表'}"
                classes = ex.by_class("general") if final else fig.by_class("general")
                total = sum(row[0] for row in classes.values())
                items.append(
                    _item(doc_id, kind, title, "total", total, row_role="total", row_label="合计", row_index=0)
                )
                for i, (code, row) in enumerate(sorted(classes.items()), start=1):
                    items.append(
                        _item(
                            doc_id,
                            kind,
                            title,
                            "total",
                            row[0],
                            row_role="item",
                            func_code=code,
                            row_label=code,
                            row_index=i,
                        )
                    )
                if final:
                    f01 = f"{year}年度收入支出决算总表"
                    items.append(
                        _item(
                            doc_id,
                            "final_revenue_expenditure_summary",
                            f01,
                            "amount",
                            ex.carry_in,
                            section="income",
                            row_key="carryover",
                            row_label="年初结转和结余",
                            row_index=1,
                        )
                    )
                    items.append(
                        _item(
                            doc_id,
                            "final_revenue_expenditure_summary",
                            f01,
                            "amount",
                            ex.carry_out,
                            section="expenditure",
                            row_key="carryforward",
                            row_label="年末结转和结余",
                            row_index=2,
                        )
                    )
    return {
        "documents": frame("documents", docs),
        "line_items": frame("line_items", items),
        "texts": frame("texts", []),
    }


def naive(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per 决算: filter for its budget document, then filter the line items for both totals."""
    docs, items = frames["documents"], frames["line_items"]
    rows = []
    for final in docs.filter(pl.col("doc_type") == "final_account").iter_rows(named=True):
        budget = docs.filter(
            (pl.col("department") == final["department"])
            & (pl.col("fiscal_year") == final["fiscal_year"])
            & (pl.col("doc_type") == "budget")
        )
        if budget.is_empty():
            continue

        def total(doc_id: str, kind: str) -> float:
            return items.filter(
                (pl.col("doc_id") == doc_id) & (pl.col("table_kind") == kind) & (pl.col("row_role") == "total")
            )["amount"][0]

        b = total(budget["doc_id"][0], "general_budget_expenditure")
        f = total(final["doc_id"], "final_general_budget_expenditure")
        rows.append({"department": final["department"], "fiscal_year": final["fiscal_year"], "naive_rate": f / b})
    return pl.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    frames = build_frames(args.documents, args.years, args.seed)
    n = frames["documents"].height
    print(
        f"frames: {n} documents, {frames['line_items'].height} line items "
        f"(built in {time.perf_counter() - started:.1f} s, not timed)"
    )

    started = time.perf_counter()
    departments = match_departments(frames["documents"]["department"].to_list())
    result = execution_frames(frames, departments)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    baseline = naive(frames)
    theirs = time.perf_counter() - started

    panel = result["panel"]
    general = panel.filter(pl.col("indicator") == "general").select("department", "fiscal_year", "execution_rate")
    joined = general.join(baseline, on=["department", "fiscal_year"])
    agree = (joined["execution_rate"] - joined["naive_rate"]).abs().max()
    print(f"{'':28}{'seconds':>10}{'documents/s':>14}")
    print(f"{'analysis (link+panel+find)':28}{ours:>10.2f}{n / ours:>14.0f}")
    print(f"{'naive per-document lookup':28}{theirs:>10.2f}{n / theirs:>14.0f}")
    print(
        f"speed-up {theirs / ours:.1f}x; panel rows {panel.height} ({panel['indicator'].n_unique()} indicators), "
        f"links {result['links'].height}, cross-document findings {result['findings'].height}; "
        f"rates agree with the baseline to {agree:.1e} on {joined.height} department-years"
    )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
