"""Benchmark: where the documents stage's time goes (``engine.run_documents`` + writing the
gathered tables, as ``analysis run`` does), this tree side by side with a baseline tree.

Usage:
    python bench/bench_documents.py [--baseline /tmp/base4src] [--raw DIR] [--documents N]
                                    [--jobs 2]

Each tree runs in its own interpreter (``PYTHONPATH=<tree>``) over the same text files (the
first ``--documents`` ``*.txt`` of ``--raw``, or a district made by ``analysis synth --formats
text --seed 14`` in a temporary folder), with an empty cache. Printed per tree:

- the parent's phases, wall and CPU seconds: hashing the files, the worker pool (scheduling,
  receiving results and, where the tree gathers beside the tasks, the gathering thread's CPU),
  gathering after the pool (read-back and spill where not done beside the tasks, pairing,
  rechecks) and writing the gathered tables to parquet;
- the workers: CPU seconds inside the per-document task by phase (extraction, framing, checks,
  cache write …), CPU outside the task (start-up, pipe, pickling), and idle time (workers × pool
  wall − time inside tasks).

Last, the two trees' outputs (every extraction table, findings, evaluations) are compared
frame by frame. The workers run the tree's own ``process_document`` through a probe (a module-level task that
times its phases by wrapping the names ``analysis.engine.task`` calls, and appends each
worker's running totals to a file). CPU is ``time.process_time`` of each process; the load
average is printed, as the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = r'''
"""Worker-side probe: the tree's process_document with its phases timed."""
import json, os, time
import analysis.engine.task as task_module

_totals = {}
_wrapped = False
PHASES = ("extract_file", "combine", "document_frames", "document_rows", "check_document")


def _timed(name, function):
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            _totals[name] = _totals.get(name, 0.0) + time.process_time() - start
    return timed


def _wrap():
    global _wrapped
    for name in PHASES:
        if hasattr(task_module, name):
            setattr(task_module, name, _timed(name, getattr(task_module, name)))
    cache_class = task_module.DocCache
    cache_class.write = _timed("cache write", cache_class.write)
    _wrapped = True


def task(path, doc_id, cache_root, key):
    if not _wrapped:
        _wrap()
    cpu, wall = time.process_time(), time.perf_counter()
    result = task_module.process_document(path, doc_id, cache_root, key)
    _totals["task"] = _totals.get("task", 0.0) + time.process_time() - cpu
    _totals["task wall"] = _totals.get("task wall", 0.0) + time.perf_counter() - wall
    _totals["documents"] = _totals.get("documents", 0) + 1
    _totals["process"] = time.process_time()
    with open(os.path.join(os.environ["BENCH_PROBE_OUT"], f"{os.getpid()}.jsonl"), "a") as out:
        out.write(json.dumps(_totals) + "\n")
    return result
'''

_CHILD = r"""
import json, os, sys, time
from pathlib import Path
import analysis.engine.run as run_module
from analysis.engine.stored import write_tables
import bench_probe

paths = [Path(p) for p in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))]
work, jobs = Path(sys.argv[2]), int(sys.argv[3])
phases = {}

def add(name, cpu, wall):
    old = phases.get(name, (0.0, 0.0))
    phases[name] = (old[0] + cpu, old[1] + wall)

def timed(name, function):
    def call(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            add(name, time.process_time() - cpu, time.perf_counter() - wall)
    return call

run_module._hash_or_none = timed("hash files", run_module._hash_or_none)
# the rows are gathered after the pool (baseline), or on a thread beside it and then finished
if hasattr(run_module, "finish_gather"):
    run_module.finish_gather = timed("gather after the pool", run_module.finish_gather)
else:
    run_module.gather = timed("gather after the pool", run_module.gather)
pool_class = run_module.LocalPool

class TimedPool(pool_class):
    def run(self, jobs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield from super().run(jobs)
        finally:
            phases["pool"] = (time.process_time() - cpu, time.perf_counter() - wall)

run_module.LocalPool = TimedPool
cpu, wall = time.process_time(), time.perf_counter()
done = run_module.run_documents(
    paths, work / "cache", "bench", jobs=jobs, spill=work / "spill", task=bench_probe.task
)
write = timed("write tables", write_tables)
(work / "out").mkdir()
write(done.frames, work / "out")
phases["stage"] = (time.process_time() - cpu, time.perf_counter() - wall)
done.findings.write_parquet(work / "out" / "findings.parquet")
done.evaluations.write_parquet(work / "out" / "evaluations.parquet")
rows = done.documents.height
print(json.dumps({"phases": phases, "documents": rows}))
"""


def _synthetic(count: int, folder: Path) -> Path:
    synth = ["synth", "--out", str(folder), "--departments", str(math.ceil(count / 3)), "--formats", "text"]
    subprocess.run(
        [sys.executable, "-m", "analysis", *synth, "--years", "2023,2024,2025", "--seed", "14"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=True,
        capture_output=True,
    )
    return folder


def _measure(src: Path, paths: list[Path], jobs: int, tmp: Path) -> dict:
    work = Path(tempfile.mkdtemp(dir=tmp))
    probe_dir, probe_out = work / "probe", work / "probe-out"
    probe_dir.mkdir()
    probe_out.mkdir()
    (probe_dir / "bench_probe.py").write_text(_PROBE, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src.resolve()), str(probe_dir)]),
        "BENCH_PROBE_OUT": str(probe_out),
    }
    listing = work / "paths.json"
    listing.write_text(json.dumps([str(p) for p in paths]), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(listing), str(work), str(jobs)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["out"] = str(work / "out")
    workers = []
    for file in probe_out.glob("*.jsonl"):
        lines = file.read_text(encoding="utf-8").splitlines()
        workers.append(json.loads(lines[-1]))
    result["workers"] = workers
    return result


def _different_outputs(first: Path, second: Path) -> str:
    """The tables whose frames differ between the two trees' outputs ('' when all are equal)."""
    import polars as pl

    names = sorted(p.name for p in first.glob("*.parquet"))
    if names != sorted(p.name for p in second.glob("*.parquet")):
        return "different files"
    return ", ".join(name for name in names if not pl.read_parquet(first / name).equals(pl.read_parquet(second / name)))


def _worker_rows(result: dict, jobs: int) -> dict[str, float]:
    workers = result["workers"]
    total = {key: sum(w.get(key, 0.0) for w in workers) for key in {k for w in workers for k in w}}
    rows = {f"  {name}": total[name] for name in total if name not in {"task", "task wall", "documents", "process"}}
    inside = sum(rows.values())
    rows["  rest of the task"] = total.get("task", 0.0) - inside
    rows["task CPU"] = total.get("task", 0.0)
    rows["CPU outside tasks"] = total.get("process", 0.0) - total.get("task", 0.0)
    pool_wall = result["phases"].get("pool", (0.0, 0.0))[1]
    rows["idle (jobs × pool wall − task wall)"] = jobs * pool_wall - total.get("task wall", 0.0)
    rows["worker processes"] = len(workers)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=Path("/tmp/base4src"))
    parser.add_argument("--raw", type=Path, help="a synthetic district's folder (default: synthesise one)")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    trees = {"baseline": args.baseline, "this tree": ROOT / "src"}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        raw = args.raw or _synthetic(args.documents, Path(tmp) / "raw")
        paths = sorted(raw.rglob("*.txt"))[: args.documents]
        results = {name: _measure(src, paths, args.jobs, Path(tmp)) for name, src in trees.items()}
        different = _different_outputs(*(Path(r["out"]) for r in results.values()))
    n = len(paths)
    print(f"\n{n} documents, --jobs {args.jobs}; seconds (and ms per document in the last column pair)")
    names = list(results)
    print(f"{'parent':<38}" + "".join(f"{name + ' cpu':>16}{name + ' wall':>16}" for name in names))
    for phase in ("hash files", "pool", "gather after the pool", "write tables", "stage"):
        cells = ""
        for name in names:
            cpu, wall = results[name]["phases"].get(phase, (math.nan, math.nan))
            cells += f"{cpu:>16.1f}{wall:>16.1f}"
        print(f"{phase:<38}{cells}")
    print(f"\n{'workers (CPU s, all workers)':<38}" + "".join(f"{name:>16}{'ms/doc':>16}" for name in names))
    rows = {name: _worker_rows(result, args.jobs) for name, result in results.items()}
    for label in dict.fromkeys(label for r in rows.values() for label in r):
        cells = ""
        for name in names:
            value = rows[name].get(label, math.nan)
            per_doc = "" if label == "worker processes" else f"{value / n * 1e3:.2f}"
            cells += f"{value:>16.1f}{per_doc:>16}"
        print(f"{label:<38}{cells}")
    print(f"\noutputs of the two trees (every table, findings, evaluations): {different or 'equal, frame by frame'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
