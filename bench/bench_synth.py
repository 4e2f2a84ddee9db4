"""Benchmark: generate a synthetic district, extract it; prints documents/s and peak memory.

Usage:
    python bench/bench_synth.py [--documents 10000] [--formats text] [--out DIR]
    python bench/bench_synth.py --roundtrip 200 [--formats text,pdf,xlsx]

The first form times ``analysis.synth.generate`` and ``extract_paths`` on one core. With
``--roundtrip N`` it generates N clean documents (no planted anomalies) in each format,
extracts them and compares every printed cell and document figure with ``truth.parquet``
(analysis.synth.roundtrip), printing the match rate per format and where the misses are.
Documents are departments × years, so N is rounded up to a multiple of the year count.
"""

from __future__ import annotations

import argparse
import math
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

from analysis.extract import extract_paths
from analysis.read import discover
from analysis.synth import generate
from analysis.synth.roundtrip import compare


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(
    out: Path, documents: int, years: list[int], formats: list[str], rate: float, seed: int
) -> tuple[int, float]:
    departments = math.ceil(documents / len(years))
    start = time.perf_counter()
    generate(out, departments=departments, years=years, formats=formats, anomaly_rate=rate, seed=seed)
    return departments * len(years), time.perf_counter() - start


def _speed(out: Path, args: argparse.Namespace) -> None:
    n_docs, gen_s = _generate(out, args.documents, args.years, args.formats, args.anomaly_rate, args.seed)
    gen_peak = _peak_mb()
    files = discover([out])
    start = time.perf_counter()
    frames = extract_paths(files)
    extract_s = time.perf_counter() - start
    docs = frames["documents"]
    ok = docs.filter(pl.col("status") == "ok").height
    print(
        f"documents: {n_docs} × formats {','.join(args.formats)} = {len(files)} files "
        f"({ok} extracted ok, {docs.filter(pl.col('status') == 'failed').height} failed)"
    )
    print(f"{'stage':<12}{'seconds':>10}{'files/s':>10}")
    print(f"{'generate':<12}{gen_s:>10.1f}{len(files) / gen_s:>10.1f}")
    print(f"{'extract':<12}{extract_s:>10.1f}{len(files) / extract_s:>10.1f}")
    print(
        f"line items: {frames['line_items'].height}; peak RSS after generation {gen_peak:.0f} MB, "
        f"after extraction {_peak_mb():.0f} MB"
    )


def _roundtrip(out: Path, args: argparse.Namespace) -> None:
    n_docs, gen_s = _generate(out, args.roundtrip, args.years, args.formats, 0.0, args.seed)
    start = time.perf_counter()
    frames = extract_paths(discover([out]))
    extract_s = time.perf_counter() - start
    result = compare(out, frames)
    print(
        f"round trip: {n_docs} documents × {len(args.formats)} formats "
        f"(generate {gen_s:.1f} s, extract {extract_s:.1f} s)"
    )
    with pl.Config(tbl_rows=60, tbl_cols=-1, tbl_width_chars=160, float_precision=4):
        print(result.rates())
        misses = result.cells.filter(pl.col("status") != "matched").with_columns(
            format=pl.col("path").str.split("/").list.first()
        )
        print("misses by format, table and verdict:")
        print(
            misses.group_by("format", "table_kind", "status")
            .agg(cells=pl.len(), documents=pl.col("path").n_unique())
            .sort("format", "table_kind", "status")
        )
    print(f"peak RSS: {_peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--roundtrip", type=int, metavar="N", help="compare N clean documents with truth")
    parser.add_argument("--formats", default=None, help="comma-separated (default text; roundtrip: text,pdf,xlsx)")
    parser.add_argument("--years", default="2023,2024,2025")
    parser.add_argument("--anomaly-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="keep the generated folder here (default: a temporary one)")
    args = parser.parse_args()
    args.years = [int(y) for y in args.years.split(",")]
    default = "text,pdf,xlsx" if args.roundtrip else "text"
    args.formats = [f.strip() for f in (args.formats or default).split(",") if f.strip()]
    run = _roundtrip if args.roundtrip else _speed
    if args.out:
        run(args.out, args)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args)


if __name__ == "__main__":
    main()
