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

from analysis.check import RULES, run_checks
from analysis.extract import extract_paths

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt"
DEMO = ROOT / "src" / "analysis" / "demo" / "东湖区文化和旅游局2025年部门预算.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--source", type=Path, default=SEED if SEED.exists() else DEMO)
    args = parser.parse_args()
    text = args.source.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.documents):
            path = Path(tmp) / f"doc{i:05d}.txt"
            path.write_text(text + f"\n<!-- copy {i} -->\n", encoding="utf-8")
            paths.append(path)
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
    print(f"{'checks (all rules)':<30}{check_s:>10.2f}{args.documents / check_s:>14.1f}"
          f"{evaluations.height / check_s:>12.0f}")
    print(f"findings: {findings.height}; evaluations: {evaluations.height}; peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
