"""Benchmark: run every registered check over a corpus of N extracted documents; prints checks/s.

Usage: python bench/bench_checks.py [--documents 1000] [--source FILE]
The documents are copies of one disclosure (the seed from ../shared/corpus, or the embedded demo)
made unique so their content hashes differ. Extraction is timed separately (baseline) so the
figure printed for checks is the check stage alone. "checks" = rules × documents evaluated.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from _copies import DEFAULT_SOURCE, write_copies
from analysis.check import RULES, run_checks
from analysis.extract import extract_paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_copies(args.source, args.documents, Path(tmp))
        start = time.perf_counter()
        frames = extract_paths(paths)
        extract_s = time.perf_counter() - start
    start = time.perf_counter()
    findings, evaluations = run_checks(frames)
    check_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"source: {args.source.name}; documents: {args.documents}; rules: {len(RULES)}")
    print(f"{'stage':<30}{'seconds':>10}{'documents/s':>14}{'checks/s':>12}")
    print(f"{'baseline: extraction':<30}{extract_s:>10.2f}{args.documents / extract_s:>14.1f}{'':>12}")
    print(
        f"{'checks (all rules)':<30}{check_s:>10.2f}{args.documents / check_s:>14.1f}"
        f"{evaluations.height / check_s:>12.0f}"
    )
    print(f"findings: {findings.height}; evaluations: {evaluations.height}; peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
