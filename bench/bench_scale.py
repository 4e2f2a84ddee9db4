"""Benchmark: ``analysis run`` end to end on 1,000 / 3,000 / 10,000 synthetic text documents,
this tree's engine side by side with a baseline tree (today's code) in the same run.

Usage:
    python bench/bench_scale.py [--documents 1000,3000,10000] [--baseline /work/main/src]
                                [--jobs 2] [--skip-baseline-above 3000] [--keep DIR]

Each size is one synthetic district (``analysis synth``, text only, departments × 3 years),
run by ``python -m analysis run DIR --out OUT -q`` in a child process with PYTHONPATH set to
the tree under test; the wall time, the CPU time of the whole process tree (user + system of
the run and each worker, sampled with the memory every 0.2 s) and its peak resident memory are
printed per tree, with the stage times and the parent's per-stage peaks the run logs. A second run over the same folder shows the cache (nothing to extract or check).
The machine's load average is printed with the figures: on a shared machine they move.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2023, 2024, 2025)


def _tree_rss(process: psutil.Process, cpu: dict[int, float]) -> int:
    """Resident memory of the tree now; ``cpu`` gets each member's CPU seconds so far (its own,
    not its reaped children's, so that no process counts twice)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
            times = member.cpu_times()
            cpu[member.pid] = times.user + times.system
        except psutil.Error:
            pass
    return total


def _run(src: Path, raw: Path, out: Path, extra: list[str]) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds of the process tree, peak MB of the process tree, the run's time line)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", str(raw), "--out", str(out), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watched, peak, cpu = psutil.Process(child.pid), 0, {}
    while child.poll() is None:
        try:
            peak = max(peak, _tree_rss(watched, cpu))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    # sampled every 0.2 s: a member's last fraction of a second is not counted
    cpu_seconds = sum(cpu.values())
    output = child.stdout.read()
    if child.returncode:
        raise SystemExit(f"run failed ({child.returncode}) with {src}")
    lines = output.splitlines()
    timeline = next((line for line in lines if line.startswith("time:")), "")
    memory = next((line for line in lines if line.startswith("peak memory")), "")
    return seconds, cpu_seconds, peak / 2**20, f"{timeline} | {memory}" if memory else timeline


def _generate(raw: Path, documents: int) -> int:
    departments = math.ceil(documents / len(YEARS))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "synth",
            "--out",
            str(raw),
            "--departments",
            str(departments),
            "--years",
            ",".join(map(str, YEARS)),
            "--formats",
            "text",
            "--seed",
            "14",
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return departments * len(YEARS)


def _print(n: int, name: str, seconds: float, cpu: float, peak: float, timeline: str) -> None:
    print(f"{n:>9} {name:<9} {seconds:>8.1f} {cpu:>7.1f} {n / seconds:>7.1f} {peak:>8.0f}  {timeline}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", default="1000,3000,10000")
    parser.add_argument("--baseline", type=Path, default=Path("/work/main/src"))
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for this tree (default: every core)")
    parser.add_argument(
        "--skip-baseline-above",
        type=int,
        default=3000,
        help="sizes above this run only this tree (the baseline grows with n²)",
    )
    parser.add_argument(
        "--rerun-baseline", action="store_true", help="also rerun the baseline from its cache (gathering only)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="folder for the districts (default: temporary)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(
        f"machine: {psutil.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f} "
        f"(shared machine: figures move with the other users' load)"
    )
    print(f"{'documents':>9} {'tree':<9} {'seconds':>8} {'cpu s':>7} {'docs/s':>7} {'peak MB':>8}  stages")
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    for size in (int(s) for s in args.documents.split(",")):
        raw = work / f"raw-{size}"
        if not raw.exists():
            _generate(raw, size)
        n = sum(1 for p in raw.rglob("*.txt"))
        trees = [("engine", ROOT / "src", jobs)]
        if args.baseline and size <= args.skip_baseline_above:
            trees.insert(0, ("baseline", args.baseline, []))
        for name, src, extra in trees:
            out = work / f"out-{name}-{size}"
            shutil.rmtree(out, ignore_errors=True)
            _print(n, name, *_run(src, raw, out, extra))
            if name == "engine" or args.rerun_baseline:
                _print(n, "  rerun", *_run(src, raw, out, extra))
        print(f"          load average now {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
