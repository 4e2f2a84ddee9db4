"""Benchmark: the whole rule catalogue per document, this tree side by side with a baseline tree.

    python bench/bench_rules.py --baseline /work/main/src [--documents 300] [--seed 14]
    python bench/bench_rules.py --baseline /work/main/src --inputs FOLDER [--repeat 50]
    python bench/bench_rules.py --baseline /work/main/src --profile 30   # cProfile of the rows pass

Documents are a synthetic district (``analysis synth``, text format, budget documents) unless
``--inputs`` names a folder. Each tree runs in its own interpreter (``PYTHONPATH=<tree>``): it
extracts every document alone and combines it (as the run engine's worker does), then times
``run_checks`` on each document's frames, ``check_document`` on each extraction's rows (the
worker's hand-off; a tree without it prints —) and the worker's whole task per document
(``engine.task.process_document``: extract, check, write the cache file). documents/s/core is counted on the process's CPU
time, so other load on the machine slows the wall clock but not the figure much; the wall figure
is printed beside it. A second pass over ``--per-rule`` documents times each rule (ms/doc).
``--profile N`` runs the rows pass once more under cProfile and prints each rule's cumulative
time side by side and this tree's N costliest functions; ``--repeat R`` times R passes (for a
folder of one or a few documents, such as the corpus seed).
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

_WORKER = """
import json, sys, tempfile, time
from pathlib import Path
from analysis.check import RULES, run_checks
from analysis.engine.task import process_document
from analysis.extract import combine, extract_file

folder, n, n_rules, repeat, n_profile = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
suffixes = {".txt", ".md", ".html", ".xlsx", ".xls", ".pdf"}
paths = sorted(p for p in folder.rglob("*") if p.suffix in suffixes and not p.name.lower().startswith("readme"))[:n]
extractions = [extract_file(p) for p in paths]
frames = [combine([e]) for e in extractions]
run_checks(frames[0])  # warm: metadata loaded, caches filled
cpu, wall = time.process_time(), time.perf_counter()
for f in frames * repeat:
    run_checks(f)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
try:  # the worker's hand-off: the extraction's rows, no frames (absent from older trees)
    from analysis.check.runner import check_document
    from analysis.extract import document_rows
except ImportError:
    rows_cpu = None
else:
    given = [(f["documents"].row(0, named=True), document_rows(e)) for f, e in zip(frames, extractions)]
    rows_cpu = time.process_time()
    for document, rows in given * repeat:
        check_document(document, rows)
    rows_cpu = time.process_time() - rows_cpu
profile = None
if n_profile and rows_cpu is not None:  # the rows pass under cProfile: each rule's cumulative time
    import cProfile, pstats
    profiler = cProfile.Profile()
    profiler.enable()
    for document, rows in given:
        check_document(document, rows)
    profiler.disable()
    codes = {(r.check.__code__.co_filename, r.check.__code__.co_firstlineno, r.check.__name__): r.id for r in RULES.values()}
    stats = pstats.Stats(profiler).stats
    profile = {
        "per_rule": {codes[k]: v[3] / len(given) for k, v in stats.items() if k in codes},
        "top": [
            [f"{Path(k[0]).name}:{k[1]}({k[2]})", v[1], v[2] / len(given), v[3] / len(given)]
            for k, v in sorted(stats.items(), key=lambda kv: -kv[1][2])[:n_profile]
        ],
    }
with tempfile.TemporaryDirectory() as cache:  # the worker's whole task: extract, check, cache write
    process_document(str(paths[0]), None, cache, "warm")
    task_cpu = time.process_time()
    for p in paths:
        process_document(str(p), None, cache, "bench")
    task_cpu = time.process_time() - task_cpu
spent = {}
for r in list(RULES.values()):
    def timed(ctx, check=r.check, rule_id=r.id):
        start = time.process_time()
        try:
            return check(ctx)
        finally:
            spent[rule_id] = spent.get(rule_id, 0.0) + time.process_time() - start
    object.__setattr__(r, "check", timed)
for f in frames[:n_rules]:
    run_checks(f)
print(json.dumps({"documents": len(frames), "timed": len(frames) * repeat, "profile": profile, "cpu": cpu, "wall": wall, "rows_cpu": rows_cpu, "task_cpu": task_cpu,
                  "rules": len(RULES),
                  "per_rule": {k: v / max(1, min(n_rules, len(frames))) for k, v in spent.items()}}))
"""


def run_tree(src: Path, folder: Path, documents: int, per_rule: int, repeat: int = 1, profile: int = 0) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(folder), str(documents), str(per_rule), str(repeat), str(profile)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def synthesise(folder: Path, documents: int, seed: int, doc_types: str = "budget") -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    departments = math.ceil(documents / (3 * len(doc_types.split(","))))
    synth = ["--out", str(folder), "--departments", str(departments), "--formats", "text", "--seed", str(seed)]
    subprocess.run(
        [sys.executable, "-m", "analysis", "synth", *synth, "--years", "2023,2024,2025", "--doc-types", doc_types],
        env=env,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the baseline tree's src folder")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--inputs", type=Path, default=None, help="a folder of documents instead of synth")
    parser.add_argument("--per-rule", type=int, default=60, help="documents timed rule by rule")
    parser.add_argument("--top", type=int, default=25, help="rules listed (slowest in the baseline)")
    parser.add_argument("--doc-types", default="budget", help="synth's --doc-types (budget,final: both)")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes over the documents (one seed document)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the rows pass: per-rule cumulative, top N functions",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.inputs or Path(tmp) / "synth"
        if args.inputs is None:
            synthesise(folder, args.documents, args.seed, args.doc_types)
        trees = {"baseline": args.baseline, "this tree": ROOT / "src"}
        results = {
            name: run_tree(src, folder, args.documents, args.per_rule, args.repeat, args.profile)
            for name, src in trees.items()
        }
    base, new = results["baseline"], results["this tree"]
    print(
        f"documents: {new['documents']} (timed passes: {new['timed'] // max(1, new['documents'])}); rules: baseline {base['rules']}, this tree {new['rules']}; load: {os.getloadavg()[0]:.1f}"
    )
    print(f"{'run_checks, whole catalogue':<32}{'baseline':>12}{'this tree':>12}")
    for label, key, scale in (("documents/s/core (CPU time)", "cpu", 1), ("documents/s (wall)", "wall", 1)):
        print(f"{label:<32}{base['timed'] / base[key] * scale:>12.1f}{new['timed'] / new[key] * scale:>12.1f}")
    print(
        f"{'ms/doc (CPU time)':<32}{1000 * base['cpu'] / base['timed']:>12.2f}{1000 * new['cpu'] / new['timed']:>12.2f}"
    )
    print(f"\n{'checks on rows (the worker)':<32}{'baseline':>12}{'this tree':>12}")
    for label, scale in (("documents/s/core (CPU time)", None), ("ms/doc (CPU time)", 1000)):
        cells = [
            "—"
            if r["rows_cpu"] is None
            else f"{(r['timed'] / r['rows_cpu'] if scale is None else scale * r['rows_cpu'] / r['timed']):.2f}"
            for r in (base, new)
        ]
        print(f"{label:<32}{cells[0]:>12}{cells[1]:>12}")
    print(f"\n{'worker task: extract, check, cache':<32}{'baseline':>12}{'this tree':>12}")
    print(
        f"{'ms/doc (CPU time)':<32}{1000 * base['task_cpu'] / base['documents']:>12.2f}"
        f"{1000 * new['task_cpu'] / new['documents']:>12.2f}"
    )
    print(f"\nper rule, ms/doc (CPU time, {args.per_rule} documents; the rules' sum is inside run_checks)")
    order = sorted(base["per_rule"], key=lambda r: -base["per_rule"][r])
    for rule_id in order[: args.top]:
        print(f"{rule_id:<32}{1000 * base['per_rule'][rule_id]:>12.2f}{1000 * new['per_rule'].get(rule_id, 0):>12.2f}")
    total_base, total_new = sum(base["per_rule"].values()), sum(new["per_rule"].values())
    print(f"{'all rules':<32}{1000 * total_base:>12.2f}{1000 * total_new:>12.2f}")
    if args.profile:
        print_profile(base, new, args.top)


def print_profile(base: dict, new: dict, top: int) -> None:
    """Each rule's cumulative time on the rows pass under cProfile (its shared views included
    where it is the first to build them; the profiler inflates every figure), and this tree's
    functions by own time."""
    if new["profile"] is None:
        print("\nno profile: this tree has no rows path")
        return
    old = (base["profile"] or {}).get("per_rule", {})
    print("\nrows pass under cProfile, per rule cumulative ms/doc (inflated by the profiler)")
    print(f"{'rule':<32}{'baseline':>12}{'this tree':>12}")
    per_rule = new["profile"]["per_rule"]
    for rule_id in sorted(per_rule, key=lambda r: -per_rule[r])[:top]:
        was = f"{1000 * old[rule_id]:.3f}" if rule_id in old else "—"
        print(f"{rule_id:<32}{was:>12}{1000 * per_rule[rule_id]:>12.3f}")
    print("\nthis tree, functions by own time (calls, own ms/doc, cumulative ms/doc)")
    for name, calls, own, cumulative in new["profile"]["top"]:
        print(f"{name[:70]:<72}{calls:>9}{1000 * own:>9.3f}{1000 * cumulative:>9.3f}")


if __name__ == "__main__":
    main()
