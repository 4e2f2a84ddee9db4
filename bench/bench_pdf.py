"""Benchmark the PDF reader against pdfplumber's stock table extraction.

Runs both engines over every PDF under a folder (default: the development corpus at
``../shared/corpus`` next to the repository) in one invocation and prints, side by side:

- pages per second (wall clock, one core; each engine in its own fresh process so neither
  warms the other's caches and the peak memory figures are separate);
- peak resident memory of that process (``resource.getrusage``, includes pdfium's and
  pdfminer's native allocations, which ``tracemalloc`` would miss);
- agreement: the share of pdfplumber's numeric table cells that our reader puts in one row
  on the same page together with the other numbers of pdfplumber's row (row recall), and,
  for rows matched between tables of the same width, the share of numbers in the same
  column.

pdfplumber is the reference only for speed; where the two disagree, look at the page.

Usage::

    python bench/bench_pdf.py [FOLDER] [--limit N]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?%?$")

PageTables = dict[tuple[str, int], list[list[list[str]]]]
"""(file, page) -> tables -> rows -> cells."""


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(paths: list[str]) -> tuple[float, int, float, PageTables]:
    """Seconds, pages, peak RSS (MB) and tables of ``analysis.read.pdf.read_pdf``."""
    from analysis.read.pdf import read_pdf

    tables: PageTables = {}
    pages = 0
    started = time.perf_counter()
    for path in paths:
        document = read_pdf(path)
        pages += document.page_count or 0
        for block in document.tables():
            key = (path, block.location.page or 0)
            tables.setdefault(key, []).append(block.rows)
    return time.perf_counter() - started, pages, _peak_rss_mb(), tables


def run_pdfplumber(paths: list[str]) -> tuple[float, int, float, PageTables]:
    """Seconds, pages, peak RSS (MB) and tables of pdfplumber's ``page.extract_tables()``."""
    import pdfplumber

    tables: PageTables = {}
    pages = 0
    started = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                pages += 1
                found = page.extract_tables()
                if found:
                    rows = [[[cell or "" for cell in row] for row in table] for table in found]
                    tables[(path, page.page_number)] = rows
                page.close()
    return time.perf_counter() - started, pages, _peak_rss_mb(), tables


def _in_fresh_process(function, paths: list[str]):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, paths).result()


def _number(cell: str) -> str | None:
    compact = re.sub(r"\s+", "", cell).replace(",", "")
    return compact if NUMBER.match(compact) else None


def _numeric_rows(tables: list[list[list[str]]]) -> list[tuple[int, list[str | None]]]:
    """(table width, numbers by column) for every row holding a number."""
    rows = []
    for table in tables:
        for row in table:
            numbers = [_number(cell) for cell in row]
            if any(numbers):
                rows.append((len(row), numbers))
    return rows


def agreement(reference: PageTables, ours: PageTables) -> dict[str, float]:
    """Row recall and column agreement of numeric cells (see the module docstring)."""
    wanted = found = same_width = same_column = 0
    for key, ref_tables in reference.items():
        candidates = _numeric_rows(ours.get(key, []))
        for width, numbers in _numeric_rows(ref_tables):
            values = Counter(n for n in numbers if n)
            wanted += sum(values.values())
            best = max(
                candidates,
                key=lambda c: sum((values & Counter(n for n in c[1] if n)).values()),
                default=None,
            )
            if best is None:
                continue
            found += sum((values & Counter(n for n in best[1] if n)).values())
            if best[0] == width:
                for ref_cell, our_cell in zip(numbers, best[1]):
                    if ref_cell:
                        same_width += 1
                        same_column += ref_cell == our_cell
    return {
        "numeric cells in pdfplumber's tables": wanted,
        "  found in the matching row of ours": found,
        "  row recall": found / wanted if wanted else 1.0,
        "cells in rows of equal width": same_width,
        "  in the same column": same_column,
        "  column agreement": same_column / same_width if same_width else 1.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N PDFs")
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.folder.rglob("*.pdf"))
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(f"no PDF under {args.folder}", file=sys.stderr)
        return 2
    print(f"{len(paths)} PDFs under {args.folder}")
    results = {
        "analysis (pypdfium2)": _in_fresh_process(run_ours, paths),
        "pdfplumber extract_tables": _in_fresh_process(run_pdfplumber, paths),
    }
    print(f"{'engine':28s} {'pages':>6s} {'seconds':>8s} {'pages/s':>8s} {'peak RSS MB':>12s}")
    for name, (seconds, pages, rss, _) in results.items():
        print(f"{name:28s} {pages:6d} {seconds:8.2f} {pages / seconds:8.1f} {rss:12.1f}")
    ours, plumber = results["analysis (pypdfium2)"], results["pdfplumber extract_tables"]
    print(f"speed-up: {plumber[0] / ours[0]:.1f}x")
    for name, value in agreement(plumber[3], ours[3]).items():
        print(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
