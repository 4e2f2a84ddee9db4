"""Benchmark: extract a folder of text disclosures; prints documents/s and peak memory.

Usage: python bench/bench_text.py [--copies N] [--source FILE]
Without --source it uses the seed from ../shared/corpus (or the embedded demo when absent),
copies it N times (each copy made unique so content hashes differ) and times `extract_paths`
on one core. A baseline is printed side by side: reading the same files (decode + split into
blocks) without recognition, to show what recognition and normalisation cost on top.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from _copies import DEFAULT_SOURCE, write_copies

from analysis.extract import extract_paths
from analysis.read.text import read_text



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_copies(args.source, args.copies, Path(tmp))
        start = time.perf_counter()
        for path in paths:
            read_text(path)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        frames = extract_paths(paths)
        extract_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = frames["documents"].filter(frames["documents"]["status"] != "failed").height
    print(f"source: {args.source.name}; documents: {args.copies} ({ok} extracted)")
    print(f"{'stage':<28}{'seconds':>10}{'documents/s':>14}")
    print(f"{'baseline: read only':<28}{read_s:>10.2f}{args.copies / read_s:>14.1f}")
    print(f"{'extract (full)':<28}{extract_s:>10.2f}{args.copies / extract_s:>14.1f}")
    print(f"line items: {frames['line_items'].height}; peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
