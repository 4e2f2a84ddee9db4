"""Recall and false flags of ``analysis compare`` on synthetic districts with planted outliers.

For each seed: generate a district (``analysis.synth.generate``, text format), extract it,
run the compare stage and match the outlier findings with ``labels.parquet``. A planted
cross-department outlier (kinds ``outlier_*``) is recalled when its document has an outlier
finding (and, separately, one of the rule the kind maps to). A flag is unplanted when a
document with outlier findings carries no planted outlier. Rates are reported per kind, per
ten departments and per document, for all findings and for warnings only.

Usage: python bench/measure_compare.py [--seeds 100-109] [--departments 40] [--rate 0.3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from analysis.compare import compare_frames
from analysis.extract import extract_paths
from analysis.read import discover
from analysis.synth import generate

KIND_RULES = {
    "outlier_per_capita": "outlier-per-capita",
    "outlier_three_public_spike": "outlier-three-public-growth",
    "outlier_personnel_share": "outlier-structure-ratio",
    "outlier_copied_narrative": "outlier-copied-narrative",
}


def run_seed(seed: int, departments: int, years: tuple[int, ...], rate: float, work: Path) -> dict:
    out = work / f"seed{seed}"
    labels = generate(out, departments=departments, years=years, formats=("text",), anomaly_rate=rate, seed=seed)
    frames = extract_paths(discover([out / "text"]))
    started = time.perf_counter()
    results = compare_frames(frames)
    seconds = time.perf_counter() - started
    docs = (
        results["indicators"]
        .select("doc_id", "path")
        .with_columns(pl.col("path").str.replace(f"^{out}/", "").alias("rel"))
    )
    findings = results["findings"].join(docs.select("doc_id", "rel"), on="doc_id")
    planted = labels.filter(pl.col("kind").str.starts_with("outlier_")).select(pl.col("path").alias("rel"), "kind")
    return {"seed": seed, "planted": planted, "findings": findings, "n_docs": docs.height, "seconds": seconds}


def summarise(runs: list[dict], departments: int) -> None:
    rows = []
    for run in runs:
        flagged_any = set(run["findings"]["rel"].to_list())
        flagged_warn = set(run["findings"].filter(pl.col("severity") == "warning")["rel"].to_list())
        by_rule = {(r, p) for r, p in run["findings"].select("rule", "rel").iter_rows()}
        for rel, kind in run["planted"].iter_rows():
            rows.append(
                {
                    "seed": run["seed"],
                    "kind": kind,
                    "any": rel in flagged_any,
                    "warning": rel in flagged_warn,
                    "rule": (KIND_RULES[kind], rel) in by_rule,
                }
            )
    recall = pl.DataFrame(rows)
    print(
        recall.group_by("kind")
        .agg(
            pl.len().alias("planted"),
            pl.col("any").sum().alias("flagged_any"),
            pl.col("rule").sum().alias("flagged_by_rule"),
            pl.col("warning").sum().alias("flagged_warning"),
        )
        .sort("kind")
    )
    total = recall.height
    print(
        f"recall (any outlier finding): {recall['any'].sum()}/{total} = {recall['any'].mean():.3f}; "
        f"by the mapped rule: {recall['rule'].mean():.3f}; by a warning: {recall['warning'].mean():.3f}"
    )
    for label, severities in (("all severities", ("warning", "info")), ("warnings only", ("warning",))):
        false_docs, n_docs = 0, 0
        per_rule: dict[str, int] = {}
        for run in runs:
            planted = set(run["planted"]["rel"].to_list())
            shown = run["findings"].filter(pl.col("severity").is_in(severities))
            unplanted = shown.filter(~pl.col("rel").is_in(list(planted)))
            false_docs += unplanted["rel"].n_unique()
            n_docs += run["n_docs"]
            for rule, n in unplanted.group_by("rule").agg(pl.col("rel").n_unique()).iter_rows():
                per_rule[rule] = per_rule.get(rule, 0) + n
        n_departments = departments * len(runs)
        print(
            f"unplanted flagged documents ({label}): {false_docs} over {len(runs)} districts = "
            f"{false_docs / n_departments * 10:.2f} per 10 departments, {false_docs / n_docs:.3%} of documents; "
            f"by rule: {per_rule}"
        )
    print(
        f"compare stage: {sum(r['seconds'] for r in runs) / len(runs):.2f} s per district "
        f"({runs[0]['n_docs']} documents)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="100-109", help="a-b range or comma list")
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--rate", type=float, default=0.3)
    args = parser.parse_args()
    if "-" in args.seeds:
        low, high = (int(x) for x in args.seeds.split("-"))
        seeds = list(range(low, high + 1))
    else:
        seeds = [int(x) for x in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as work:
        runs = [run_seed(s, args.departments, (2023, 2024, 2025), args.rate, Path(work)) for s in seeds]
    summarise(runs, args.departments)


if __name__ == "__main__":
    main()
