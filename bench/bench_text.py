"""Benchmark: extract a folder of text disclosures; prints documents/s and peak memory.

Usage: python bench/bench_text.py [--copies N] [--repeat R] [--vary-amounts] [--source FILE]
Without --source it uses the seed from ../shared/corpus (or the embedded demo when absent),
copies it N times (each copy made unique so content hashes differ) and times `extract_paths`
on one core, R times: the best run is the speed the code reaches (as timeit reports), the
median shows how noisy the machine was. A baseline is printed side by side: reading the same
files (decode + split into blocks) without recognition, to show what recognition and
normalisation cost on top. Identical copies let every cache keyed by cell text hit;
--vary-amounts prints different amounts in every copy, closer to a batch of real departments.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _copies import DEFAULT_SOURCE, write_copies
from analysis.extract import extract_paths
from analysis.read.text import read_text


def _timed(run, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vary-amounts", action="store_true")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_copies(args.source, args.copies, Path(tmp), args.vary_amounts)
        read_times, _ = _timed(lambda: sum(1 for p in paths if read_text(p)), args.repeat)
        extract_times, frames = _timed(lambda: extract_paths(paths), args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = frames["documents"].filter(frames["documents"]["status"] != "failed").height
    print(
        f"source: {args.source.name}; documents: {args.copies} ({ok} extracted); "
        f"runs: {args.repeat}; amounts {'differ' if args.vary_amounts else 'repeat'} across copies"
    )
    print(f"{'stage':<28}{'best s':>9}{'docs/s':>10}{'median s':>10}{'docs/s':>10}")
    for label, times in (("baseline: read only", read_times), ("extract (full)", extract_times)):
        best, median = min(times), statistics.median(times)
        print(f"{label:<28}{best:>9.2f}{args.copies / best:>10.1f}{median:>10.2f}{args.copies / median:>10.1f}")
    print(f"line items: {frames['line_items'].height}; peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
