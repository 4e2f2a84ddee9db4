"""Benchmark: 100,000 documents' indicators through the peer models, locally and on a Dask
``LocalCluster``; checks that both give the same scores and prints seconds and peak MB side by side.

The indicator frame is synthesised as in ``bench_compare.py`` (the generator's fiscal world, not
rendered documents): half the documents are 预算, half the matching 决算 (figures moved by a
seeded execution factor), so the scoring has two partitions per indicator. Not timed: building it.

Timed, each mode in a fresh interpreter (so that peak memory is its own):

- ``local``: ``score_indicators`` (lattice, robust z of every indicator in every peer group) and
  the IsolationForest (``multivariate_outliers``) in one process, as ``analysis compare`` does;
- ``dask``: the same scores as tasks of indicator × document type (``PARTITION_KEYS``,
  ``score_partition``, ``gather_scores``) on a LocalCluster of ``--workers`` single-threaded
  worker processes, each task reading its partition's columns from the indicators file (the
  workers share the file system, as for ``analysis run --scheduler``), then the forest on the
  gathered scores (one forest sees every document).
  Starting the cluster (and its workers' imports) is reported apart. Peak MB: the client process, and the largest worker.

The two modes' ``indicator_scores`` and forest outputs must be equal (exit status 1 otherwise).

Usage: python bench/bench_indicators_dask.py [--documents 100000] [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
_FIGURES = (
    "total_expenditure",
    "basic_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "project_expenditure",
    "three_public_total",
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_indicators(n_documents: int, seed: int) -> pl.DataFrame:
    """Indicator rows of ``n_documents`` documents: budgets and the matching final accounts."""
    sys.path.insert(0, str(HERE))
    from analysis.compare.indicators import derive_indicators, identify_documents
    from analysis.schema import frame
    from bench_compare import synthesise

    budgets, claims, _labels = synthesise(n_documents // 2, 3, 0.02, seed)
    rng = random.Random(f"{seed}:execution")
    factor = pl.Series([rng.uniform(0.85, 1.05) for _ in range(budgets.height)])
    finals = budgets.with_columns(
        (pl.col("doc_id") + "-final").alias("doc_id"),
        pl.lit("final_account").alias("doc_type"),
        *((pl.col(f) * factor).round(2).alias(f) for f in _FIGURES),
    )
    documents = pl.concat([budgets, finals], how="vertical_relaxed")
    extra = documents.select(
        "doc_id", "headcount", "headcount_kind", "headcount_reliability", "headcount_source", "function_class"
    ).join(documents.select("doc_id", "meal_total", "uniform_total"), on="doc_id")
    base, _ = identify_documents(documents.drop(extra.columns[1:]), frame("line_items", []))
    base = base.drop("function_class").join(extra, on="doc_id", how="left", maintain_order="left")
    return derive_indicators(base, claims)


def run_local(indicators_path: Path, out: Path) -> dict:
    from analysis.compare.multivariate import multivariate_outliers
    from analysis.compare.scoring import score_indicators

    indicators = pl.read_parquet(indicators_path)
    started = time.perf_counter()
    scores = score_indicators(indicators)
    mv = multivariate_outliers(scores, indicators)
    seconds = time.perf_counter() - started
    scores.write_parquet(out / "scores.parquet")
    mv.write_parquet(out / "mv.parquet")
    return {"seconds": seconds, "peak_mb": _peak_mb(), "rows": scores.height}


def _warm_up() -> None:
    import analysis.compare.scoring  # noqa: F401


def _score_from_file(path: str, key: dict, indicator: str) -> pl.DataFrame:
    """One task on a worker: its partition read from the shared file (only the columns scoring
    reads), then ``score_partition``; rows keep their position in the whole file."""
    from analysis.compare.scoring import POSITION, score_partition

    wanted = pl.all().exclude([c for c in _indicator_names() if c != indicator])
    frame = pl.scan_parquet(path).with_row_index(POSITION)
    for column, value in key.items():
        frame = frame.filter(pl.col(column).eq_missing(value))
    return score_partition(frame.select(wanted).collect(), indicator)


def run_dask(indicators_path: Path, out: Path, workers: int) -> dict:
    """The cluster model of ``analysis run --scheduler``: the workers read the input from a
    file system they share with the client, so only the tasks and their results travel."""
    from distributed import Client, LocalCluster

    from analysis.compare.indicators import indicator_specs
    from analysis.compare.multivariate import multivariate_outliers
    from analysis.compare.scoring import PARTITION_KEYS, gather_scores

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.run(_warm_up)  # the workers import the compare stage once, as a long-lived cluster has
    startup = time.perf_counter() - started
    try:
        started = time.perf_counter()
        keys = pl.scan_parquet(indicators_path).select(PARTITION_KEYS).unique(maintain_order=True).collect()
        futures = [
            client.submit(_score_from_file, str(indicators_path), key, spec["name"], pure=False)
            for key in keys.iter_rows(named=True)
            for spec in indicator_specs()
        ]
        scores = gather_scores(client.gather(futures))
        del futures
        indicators = pl.read_parquet(indicators_path, columns=["doc_id", "is_reference"])
        mv = multivariate_outliers(scores, indicators)
        seconds = time.perf_counter() - started
        worker_peaks = client.run(_peak_mb)
    finally:
        client.close()
        cluster.close()
    scores.write_parquet(out / "scores.parquet")
    mv.write_parquet(out / "mv.parquet")
    return {
        "seconds": seconds,
        "startup": startup,
        "peak_mb": _peak_mb(),
        "worker_peak_mb": max(worker_peaks.values()),
        "tasks": len(keys) * len(indicator_specs()),
        "rows": scores.height,
    }


def _child(mode: str, indicators_path: Path, out: Path, workers: int) -> dict:
    """One mode in a fresh interpreter; its figures as printed JSON on the last line."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--mode", mode, "--indicators", str(indicators_path), "--out", str(out)]
    done = subprocess.run([*command, "--workers", str(workers)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=["local", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--indicators", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "local":
        print(json.dumps(run_local(args.indicators, args.out)))
        return
    if args.mode == "dask":
        print(json.dumps(run_dask(args.indicators, args.out, args.workers)))
        return

    from polars.testing import assert_frame_equal

    with tempfile.TemporaryDirectory(prefix="bench-indicators-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        indicators = build_indicators(args.documents, args.seed)
        indicators.write_parquet(work / "indicators.parquet")
        n_indicators = sum(1 for c in indicators.columns if c in _indicator_names())
        print(
            f"synthesised {indicators.height:,} documents × {n_indicators} indicators "
            f"= {indicators.height * n_indicators:,} indicator rows in {time.perf_counter() - started:.0f} s (not timed)"
        )
        del indicators
        local = _child("local", work / "indicators.parquet", work / "local", args.workers)
        dask = _child("dask", work / "indicators.parquet", work / "dask", args.workers)
        same = True
        for name in ("scores", "mv"):
            try:
                assert_frame_equal(
                    pl.read_parquet(work / "local" / f"{name}.parquet"),
                    pl.read_parquet(work / "dask" / f"{name}.parquet"),
                )
            except AssertionError as error:
                same = False
                print(f"DIFFERENT {name}: {error}")
    print(f"{'':34}{'local (1 process)':>20}{f'LocalCluster ({args.workers} workers)':>28}")
    print(f"{'indicator_scores rows':34}{local['rows']:>20,}{dask['rows']:>28,}")
    print(f"{'seconds (scores + forest)':34}{local['seconds']:>20.1f}{dask['seconds']:>28.1f}")
    print(f"{'cluster start + imports (s, apart)':34}{'':>20}{dask['startup']:>28.1f}")
    print(f"{'peak MB, client process':34}{local['peak_mb']:>20.0f}{dask['peak_mb']:>28.0f}")
    print(f"{'peak MB, largest worker':34}{'':>20}{dask['worker_peak_mb']:>28.0f}")
    print(f"{'tasks (indicator × document type)':34}{'':>20}{dask['tasks']:>28}")
    print("same scores and forest outputs: " + ("yes" if same else "NO"))
    sys.exit(0 if same else 1)


def _indicator_names() -> set[str]:
    from analysis.compare.indicators import indicator_specs

    return {s["name"] for s in indicator_specs()}


if __name__ == "__main__":
    main()
