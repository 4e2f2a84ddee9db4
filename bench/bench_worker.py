"""Benchmark: one worker's per-document CPU (extraction, cache write, cache read), this tree side
by side with a baseline tree in the same run.

Usage:
    python bench/bench_worker.py [--baseline /work/main/src] [--documents 300] [--raw DIR]
                                 [--repeat 3]

Two sets of documents: ``--documents`` synthetic text documents (the files of ``--raw``, or a
district made by ``analysis synth --formats text --seed 14`` in a temporary folder) and the
text/markdown disclosures of ``../shared/corpus`` (skipped when absent). Each tree runs in its own
interpreter (``PYTHONPATH=<tree>``) over the same files, after a warm-up on 10 other synthetic files
(metadata loaded, regexes compiled, as in a worker that has done some documents): it times
``extract_file`` of every file, then frames and checks each
document (not timed: engineer F's stage) and times ``DocCache.write`` of its rows, ``DocCache.read``
of each document and, where the tree has it, ``DocCache.read_many`` of all of them (the parent's
gather). CPU is ``time.process_time`` (every thread of the process), the best of ``--repeat``
fresh processes; wall time is printed too, with the load average, as the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TEXT_SUFFIXES = {".txt", ".md"}
WARM_UP = 10  # files read before the timed ones (not timed), in each process

_CHILD = r"""
import json, shutil, sys, tempfile, time
from pathlib import Path
from analysis.check import run_checks
from analysis.engine.cache import DocCache
from analysis.extract import combine, extract_file

warm, paths = [Path(p) for p in json.loads(sys.argv[1])], [Path(p) for p in json.loads(sys.argv[2])]

def best(run):
    c, w = time.process_time(), time.perf_counter()
    result = run()
    return time.process_time() - c, time.perf_counter() - w, result

for path in warm:
    extract_file(path)  # warm-up on other files: metadata loaded, patterns compiled
timing = {}
cpu, wall, extractions = best(lambda: [extract_file(p) for p in paths])
timing["extract"] = cpu, wall
rows = []
for extraction in extractions:
    if extraction.document["doc_id"] is None:
        continue
    frames = combine([extraction])
    findings, evaluations = run_checks(frames)
    rows.append((extraction.document["doc_id"], {**frames, "findings": findings, "evaluations": evaluations}))
folder = Path(tempfile.mkdtemp(prefix="bench-worker-"))
try:
    cache = DocCache(folder, "k")
    def write_all():
        for doc_id, frames in rows:
            cache.write(doc_id, frames)
    timing["cache write"] = best(write_all)[:2]
    timing["cache read"] = best(lambda: [cache.read(doc_id) for doc_id, _ in rows])[:2]
    if hasattr(cache, "read_many"):
        timing["cache read_many"] = best(lambda: cache.read_many([doc_id for doc_id, _ in rows]))[:2]
    size = sum(cache.path(doc_id).stat().st_size for doc_id, _ in rows)
finally:
    shutil.rmtree(folder, ignore_errors=True)
print(json.dumps({"files": len(paths), "cached": len(rows), "bytes": size, "timing": timing}))
"""


def _measure(src: Path, warm: list[Path], paths: list[Path], repeat: int) -> dict:
    """The tree's figures over ``paths``: each stage's best of ``repeat`` fresh processes (a
    second pass in one process would find every cell of these files in the memo tables)."""
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps([str(p) for p in warm]), json.dumps([str(p) for p in paths])],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = runs[0]
    for stage in best["timing"]:
        best["timing"][stage] = min((r["timing"][stage] for r in runs), key=lambda t: t[0])
    return best


def _synthetic(raw: Path | None, count: int, tmp: Path) -> list[Path]:
    if raw is None:
        raw = tmp / "raw"
        departments = -(-(count + WARM_UP) // 3)
        command = [sys.executable, "-m", "analysis", "synth", "--out", str(raw), "--departments", str(departments)]
        subprocess.run(
            [*command, "--years", "2023,2024,2025", "--formats", "text", "--seed", "14"],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            check=True,
            capture_output=True,
        )
    return sorted(p for p in raw.rglob("*") if p.suffix in TEXT_SUFFIXES)[: count + WARM_UP]


def _table(label: str, paths: list[Path], results: dict[str, dict]) -> None:
    first = next(iter(results.values()))
    print(f"\n{label}: {first['files']} files, {first['cached']} cached documents")
    stages = list(dict.fromkeys(s for r in results.values() for s in r["timing"]))
    names = list(results)
    print(
        f"{'ms per document':<20}" + "".join(f"{n + ' cpu':>16}{n + ' wall':>16}" for n in names) + f"{'cpu ratio':>11}"
    )
    for stage in stages:
        n_docs = first["files"] if stage == "extract" else first["cached"]
        cells, cpus = "", []
        for name in names:
            cpu, wall = results[name]["timing"].get(stage, (None, None))
            cpus.append(cpu)
            cells += (
                f"{'—':>16}{'—':>16}" if cpu is None else f"{cpu / n_docs * 1e3:>16.2f}{wall / n_docs * 1e3:>16.2f}"
            )
        ratio = f"{cpus[0] / cpus[1]:>10.1f}×" if None not in cpus and cpus[1] else f"{'':>11}"
        print(f"{stage:<20}{cells}{ratio}")
    print(
        f"{'KB per cache file':<20}"
        + "".join(f"{r['bytes'] / max(r['cached'], 1) / 1024:>32.0f}" for r in results.values())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=Path("/work/main/src"))
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--raw", type=Path, help="a synthetic district's folder (default: synthesise one)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trees = {"baseline": args.baseline, "this tree": ROOT / "src"}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = _synthetic(args.raw, args.documents, Path(tmp))
        warm = synthetic[:WARM_UP]  # every set is timed after the same warm-up on synthetic files
        sets = {"synthetic text documents": synthetic[WARM_UP:]}
        corpus = sorted(p for p in CORPUS.rglob("*") if p.suffix in TEXT_SUFFIXES and p.name != "README.md")
        if corpus:
            sets["corpus text documents"] = corpus
        else:
            print(f"(corpus text documents skipped: {CORPUS} absent)")
        for label, paths in sets.items():
            _table(label, paths, {name: _measure(src, warm, paths, args.repeat) for name, src in trees.items()})
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
