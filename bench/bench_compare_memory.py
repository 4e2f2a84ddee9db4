"""Benchmark: the compare stage's memory and time, step by step, this tree beside a baseline
tree in the same run (issue 14: the compare stage under 2 GB at 10,000 documents).

Usage: python bench/bench_compare_memory.py PROCESSED_DIR [--baseline /tmp/base4src] [--keep DIR]

PROCESSED_DIR is the ``processed/`` of an ``analysis run`` (its documents.parquet and the
extraction tables). Each tree runs in its own interpreter (``PYTHONPATH=<tree>``) the way
``analysis run`` does: ``compare_frames`` over ``StoredFrames(folder, {"documents": ...})``.
Every step the compare pipeline calls is timed (wall and CPU seconds) and its peak resident
memory is read from the kernel (``VmHWM``, reset before each step through
``/proc/self/clear_refs``, so a step's peak is its own). Printed per step and tree: wall, CPU,
the peak during the step and the resident memory after it; then the whole stage, and whether
every output frame of the two trees is equal (as multisets of rows: the stage groups in hash
order). The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_outputs import compare_folders

STEPS = (
    "build_indicators",
    "score_indicators",
    "multivariate_outliers",
    "distinctive_amounts",
    "repeated_amounts",
    "shared_amounts",
    "benford_tests",
    "execution_frames",
    "narrative_sentences",
    "narrative_reuse",
    "foreign_mentions",
    "outlier_findings",
    "evaluations",
)
"""The functions ``compare/pipeline.py`` calls (the baseline's or this tree's, whichever it has)."""

_RUNNER = """
import json, sys, time
from pathlib import Path
import polars as pl
from analysis.compare import pipeline
from analysis.engine.stored import StoredFrames

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
steps = json.loads(sys.argv[3])

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0

def reset_peak():
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")

record = []

def timed(name, function):
    def step(*args, **kwargs):
        reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        record.append({"step": name, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                       "peak": status("VmHWM"), "after": status("VmRSS")})
        return result
    return step

for name in steps:
    if hasattr(pipeline, name):
        setattr(pipeline, name, timed(name, getattr(pipeline, name)))
documents = pl.read_parquet(folder / "documents.parquet")
start_rss = status("VmRSS")
wall, cpu = time.perf_counter(), time.process_time()
results = pipeline.compare_frames(StoredFrames(folder, {"documents": documents}))
# clear_refs resets the process's maximum too: the stage's peak is the largest of its steps'
total = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
         "peak": max([status("VmHWM"), *(row["peak"] for row in record)]), "start": start_rss}
out.mkdir(parents=True, exist_ok=True)
for name, frame in results.items():
    frame.write_parquet(out / f"{name}.parquet")
(out / "steps.json").write_text(json.dumps({"steps": record, "total": total}))
"""


def run_tree(src: Path, folder: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    subprocess.run([sys.executable, "-c", _RUNNER, str(folder), str(out), json.dumps(STEPS)], env=env, check=True)
    return json.loads((out / "steps.json").read_text())


def _merge(tree: dict, base: dict) -> list[tuple[str, dict | None, dict | None]]:
    """Step rows in this tree's order, the baseline's beside them (a step one tree lacks: blank)."""
    ours = {row["step"]: row for row in tree["steps"]}
    theirs = {row["step"]: row for row in base["steps"]}
    names = list(ours) + [name for name in theirs if name not in ours]
    return [(name, ours.get(name), theirs.get(name)) for name in names]


def _cells(row: dict | None) -> str:
    if row is None:
        return f"{'':>7} {'':>7} {'':>8} {'':>8}"
    return f"{row['wall']:>7.1f} {row['cpu']:>7.1f} {row['peak']:>8.0f} {row['after']:>8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("processed", type=Path)
    parser.add_argument("--baseline", type=Path, default=Path("/tmp/base4src"))
    parser.add_argument("--keep", type=Path, default=None, help="folder for both trees' outputs (default: temporary)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-compare-memory-"))
    this = Path(__file__).resolve().parents[1] / "src"
    print(f"load average at start {os.getloadavg()[0]:.1f} (2 shared cores: wall times move with the load)")
    base = run_tree(args.baseline, args.processed, work / "baseline")
    tree = run_tree(this, args.processed, work / "tree")
    head = f"{'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'after MB':>8}"
    print(f"{'':<22} | {'this tree':<{len(head)}} | baseline")
    print(f"{'':<22} | {head} | {head}")
    for name, ours, theirs in _merge(tree, base):
        print(f"{name:<22} | {_cells(ours)} | {_cells(theirs)}")
    for label, key in (("whole stage wall s", "wall"), ("whole stage cpu s", "cpu"), ("process peak MB", "peak")):
        print(f"{label:<22} | {tree['total'][key]:>7.1f} | {base['total'][key]:>7.1f}")
    print(f"{'rss before stage MB':<22} | {tree['total']['start']:>7.0f} | {base['total']['start']:>7.0f}")
    differences = compare_folders(work / "baseline", work / "tree")
    print("outputs equal to the baseline's" if not differences else "outputs DIFFER:\n  " + "\n  ".join(differences))
    print(f"load average now {os.getloadavg()[0]:.1f}")
    raise SystemExit(1 if differences else 0)


if __name__ == "__main__":
    main()
