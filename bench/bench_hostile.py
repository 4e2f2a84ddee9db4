"""Hostile inputs (issue 15): time and peak memory, this code against a baseline commit, in
one run.

- dense ruled grid: ``find_ruled_tables`` on a one-page PDF ruled with N × N lines 3 pt
  apart (the geometry was about cubic in N before; each baseline size is run in a child
  process with a time cap, so a hung baseline prints ">cap");
- xlsx with one stray cell at (row, column): ``extract_file`` time and the child's peak RSS.

The baseline is the code of a git commit (default: the branch point of issue 15), unpacked to
a temporary folder with ``git archive``.

Usage::

    python bench/bench_hostile.py [--baseline COMMIT] [--lines 100,200,400,1000] [--cap 60]
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "3ce2666"

CHILD_GRID = """
import sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from hostile_files import dense_grid_pdf
from analysis.read.pdf_page import read_page
from analysis.read.pdf_ruled import find_ruled_tables
import pypdfium2 as pdfium
path = dense_grid_pdf(Path({folder!r}) / "grid{n}.pdf", {n})
content = read_page(pdfium.PdfDocument(str(path)), 0)
started = time.perf_counter()
find_ruled_tables(content.edges, content.chars)
print(f"{{time.perf_counter() - started:.3f}}")
"""

CHILD_XLSX = """
import resource, sys, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from hostile_files import stray_cell_xlsx
from analysis.extract import extract_file
path = stray_cell_xlsx(Path({folder!r}) / "stray.xlsx", {row}, {column})
started = time.perf_counter()
extract_file(path)
print(f"{{time.perf_counter() - started:.2f}} s {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}} MB")
"""


MEMORY_CAP = 3 * 2**30
"""Address-space limit of each child: the baseline's xlsx grid would otherwise take the
machine's memory (it is shared)."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _child(code: str, src: Path, cap: float) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONPATH": str(src), "PATH": ""},
            capture_output=True,
            text=True,
            timeout=cap,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        return f">{cap:g} s (stopped)"
    if done.returncode:
        return "error: " + (done.stderr.strip().splitlines() or ["?"])[-1][:60]
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--lines", default="100,200,300,400,1000")
    parser.add_argument("--cells", default="20000:2000,1048576:16384")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per baseline measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline, "src"], capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(base)
        sources = {"baseline": base / "src", "this": ROOT / "src"}
        print(f"dense ruled grid, find_ruled_tables seconds (baseline {args.baseline})")
        print(f"{'lines':>6} {'baseline':>20} {'this':>20}")
        for n in map(int, args.lines.split(",")):
            cells = {
                name: _child(CHILD_GRID.format(tests=str(ROOT / "tests"), folder=tmp, n=n), src, args.cap)
                for name, src in sources.items()
            }
            print(f"{n:>6} {cells['baseline']:>20} {cells['this']:>20}", flush=True)
        print("\nxlsx with one stray cell, extract_file (time, peak RSS of the process)")
        print(f"{'cell':>16} {'baseline':>24} {'this':>24}")
        for spec in args.cells.split(","):
            row, column = map(int, spec.split(":"))
            cells = {
                name: _child(
                    CHILD_XLSX.format(tests=str(ROOT / "tests"), folder=tmp, row=row, column=column), src, args.cap
                )
                for name, src in sources.items()
            }
            print(f"{f'r{row} c{column}':>16} {cells['baseline']:>24} {cells['this']:>24}", flush=True)


if __name__ == "__main__":
    main()
