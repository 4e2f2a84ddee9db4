"""Benchmark: compare 100,000 documents' indicators across departments; prints documents/s.

The documents are not rendered and extracted (that would take hours and measure extraction,
which bench_text.py and bench_pdf.py cover). Instead the frame ``analysis extract`` would yield
for them — one documents row per department-year with its headline figures, the headcount its
narrative prints, its 误餐费/工装费 project totals, and for the first year the change on the
unpublished previous year that its narrative states — is synthesised directly from the
generator's fiscal world (``analysis.synth``: departments, ``simulate``), with world-level
outliers planted by the generator's own planters (``outlier_per_capita``,
``outlier_three_public_spike``, ``outlier_personnel_share``) in ``--rate`` of the department-years.

Timed: the compare stage from that frame on — department identity and kind, indicators with
previous-year growth and sources, peer lattice and robust z for every indicator, the
IsolationForest, and the findings. Not timed: building the world. Narrative reuse, Benford and
repeated amounts need texts and line items and are left out. The recall of the planted
outliers is printed as a sanity check.

Usage: python bench/bench_compare.py [--documents 100000] [--years 3] [--rate 0.02] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

import polars as pl

from analysis.compare.findings import indicator_findings, multivariate_findings
from analysis.compare.indicators import derive_indicators, identify_documents
from analysis.compare.multivariate import multivariate_outliers
from analysis.compare.scoring import score_indicators
from analysis.schema import frame
from analysis.synth.amounts import simulate
from analysis.synth.outliers import WORLD_PLANTERS, applicable
from analysis.synth.world import build_departments

_THREE_PUBLIC = ("30212", "30217", "30231", "31013")
KINDS = ("outlier_per_capita", "outlier_three_public_spike", "outlier_personnel_share")
KIND_RULES = {
    "outlier_per_capita": "outlier-per-capita",
    "outlier_three_public_spike": "outlier-three-public-growth",
    "outlier_personnel_share": "outlier-structure-ratio",
}


def _row(doc_id: str, dy, year: int) -> dict:
    """The documents row (plus headcount and item totals) of one department-year, in 万元."""
    basic = dy.basic
    personnel = sum(v for k, v in basic.items() if k[:3] in ("301", "303"))
    public = sum(v for k, v in basic.items() if k[:3] in ("302", "310"))
    project = sum(p.total for p in dy.projects)
    items = {key: sum(p.total for p in dy.projects if p.key == key) for key in ("meal", "uniform")}
    figures = {
        "total_expenditure": (personnel + public + project) / 100,
        "basic_expenditure": (personnel + public) / 100,
        "personnel_expenditure": personnel / 100,
        "public_expenditure": public / 100,
        "project_expenditure": project / 100,
        "three_public_total": sum(basic.get(c, 0) for c in _THREE_PUBLIC) / 100,
    }
    return {
        "doc_id": doc_id,
        "path": f"{year}/{dy.dept.name}.txt",
        "format": "text",
        "department": dy.dept.name,
        "fiscal_year": year,
        "doc_type": "budget",
        "level": "department",
        "status": "ok",
        "n_line_items": 300,
        **figures,
        "figure_sources": json.dumps({k: "synth" for k in figures}),
        "headcount": dy.in_service,
        "headcount_kind": "in_service",
        "headcount_reliability": "medium",
        "headcount_source": "synth",
        "function_class": dy.dept.spec.kuan[:3],
        "meal_total": items["meal"] / 100 or None,
        "uniform_total": items["uniform"] / 100 or None,
    }


def _narrated_changes(doc_id: str, row: dict, previous: dict) -> list[dict]:
    """The year-on-year changes a first-year narrative states (the previous year is unpublished)."""
    out = []
    for subject, figure in (("expenditure_grand_total", "total_expenditure"), ("three_public", "three_public_total")):
        change = round(row[figure] - previous[figure], 2)
        if change:
            out.append(
                {
                    "doc_id": doc_id,
                    "subject": subject,
                    "claim_type": "change_amount",
                    "value": abs(change),
                    "value_wan": abs(change),
                    "unit": "万元",
                    "direction": "up" if change > 0 else "down",
                }
            )
    return out


def synthesise(
    n_documents: int, n_years: int, rate: float, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The documents-level frame of ``n_documents`` department-years, the narrative's stated
    changes of each first year (claims) and the planted labels."""
    years = list(range(2025 - n_years + 1, 2026))
    departments = build_departments(-(-n_documents // n_years), seed)
    rng = random.Random(f"{seed}:bench")
    rows, claims, labels = [], [], []
    for dept in departments:
        world = simulate(dept, years[0] - 1, years[-1])
        for year in years:
            if len(rows) == n_documents:
                break
            doc_id = f"{dept.index:06d}-{year}"
            if rng.random() < rate:
                kind = rng.choice([k for k in KINDS if applicable(k, world, year)])
                if WORLD_PLANTERS[kind](world, year, rng) is not None:
                    labels.append({"doc_id": doc_id, "kind": kind})
            rows.append(_row(doc_id, world[year], year))
            if year == years[0]:
                claims += _narrated_changes(doc_id, rows[-1], _row(doc_id, world[year - 1], year - 1))
    return (
        pl.DataFrame(rows, infer_schema_length=None),
        frame("claims", claims),
        pl.DataFrame(labels, schema={"doc_id": pl.String, "kind": pl.String}),
    )


def compare_documents(documents: pl.DataFrame, claims: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The timed part: identity, indicators, scores, forest, findings."""
    extra = documents.select(
        "doc_id",
        "headcount",
        "headcount_kind",
        "headcount_reliability",
        "headcount_source",
        "function_class",
        "meal_total",
        "uniform_total",
    )
    base, _ = identify_documents(documents.drop(extra.columns[1:]), frame("line_items", []))
    base = base.drop("function_class").join(extra, on="doc_id", how="left")
    indicators = derive_indicators(base, claims)
    scores = score_indicators(indicators)
    mv = multivariate_outliers(scores, indicators)
    docs = {
        r["doc_id"]: r for r in indicators.select("doc_id", "path", "department", "fiscal_year").iter_rows(named=True)
    }
    findings = frame("findings", indicator_findings(scores, docs) + multivariate_findings(mv, scores, docs))
    return indicators, scores, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0.02, help="share of department-years with a planted outlier")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    documents, claims, labels = synthesise(args.documents, args.years, args.rate, args.seed)
    print(
        f"synthesised {documents.height:,} documents ({documents['department'].n_unique():,} departments, "
        f"{labels.height:,} planted outliers) in {time.perf_counter() - start:.1f} s (not timed)"
    )
    start = time.perf_counter()
    indicators, scores, findings = compare_documents(documents, claims)
    seconds = time.perf_counter() - start
    print(
        f"compare: {indicators.height:,} documents in {seconds:.1f} s = {indicators.height / seconds:,.0f} documents/s; "
        f"{scores.height:,} indicator scores, {findings.height:,} findings "
        f"({findings.filter(pl.col('severity') == 'warning').height:,} warnings)"
    )
    hits = set(findings.select("rule", "doc_id").iter_rows())
    found = [(KIND_RULES[kind], doc_id) in hits for doc_id, kind in labels.iter_rows()]
    planted = set(labels["doc_id"])
    unplanted = findings.filter(~pl.col("doc_id").is_in(list(planted)))["doc_id"].n_unique()
    print(
        f"planted outliers found by their rule: {sum(found):,}/{len(found):,} "
        f"({sum(found) / max(len(found), 1):.1%}); unplanted flagged documents: {unplanted:,} "
        f"({unplanted / indicators.height:.2%})"
    )
    print(
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
        f"{'PASS' if seconds < 60 else 'FAIL'} (< 60 s)"
    )


if __name__ == "__main__":
    main()
