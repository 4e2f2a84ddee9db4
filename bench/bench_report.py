"""Benchmark: render the report stage (report.html, department pages, workbook, summary) from the
processed frames of N synthetic documents, this tree beside a baseline tree in the same run.

Usage: python bench/bench_report.py [--documents 1000,10000] [--source PROCESSED_DIR]
                                    [--baseline /tmp/base4src] [--baseline-timeout 1200] [--no-parts]

The frames come from ``--source`` (a processed folder written by ``analysis run``), or, without
one, from a synthetic district made and screened here (``analysis synth --formats text``, 334
departments × 3 years, seed 14: about 1,000 documents, a few minutes). N documents are made by
replicating that folder: copy k gets new doc ids (``<id>~k``), department names (``<name>k``) and
paths, so departments, findings and pages grow N/1000-fold, as a batch of N documents would
(N no larger than the source's documents: the source as it is).
Each tree renders in its own interpreter (``PYTHONPATH=<tree>``); printed per tree:
``write_reports`` as a run calls it (wall seconds, CPU seconds of the process and of its
children: this tree writes the workbook and a share of the pages in a child process), then each
part alone in one process, wall and CPU (department pages, overview, summary, workbook; skipped
with ``--no-parts``), peak RSS (MB; and the peak while loading the frames, line_items included,
which the report does not use), size of report.html, summary.md, workbook.xlsx, and the
department pages (count, total, largest); and whether the two trees wrote the same content
(report.html, summary.md and every page byte for byte, every workbook sheet's XML). CPU seconds
are measured (``time.process_time``, ``RUSAGE_CHILDREN``) as well as wall seconds: on a shared
machine the wall moves with the other users' load, printed at start and end. A baseline that
exceeds ``--baseline-timeout`` is reported as such.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# what analysis.report.load reads; the other outputs are not needed to render
FRAMES = ("documents", "tables", "line_items", "findings", "indicator_scores", "benford", "panel")

_RENDER = """
import json, os, resource, shutil, sys, time
from pathlib import Path
import analysis.report as report
from analysis.report import load, write_reports
from analysis.report.html import layout, render_html
from analysis.report.summary import render_summary
from analysis.report.workbook import write_workbook

def clocks():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), time.process_time(), children.ru_utime + children.ru_stime

def since(start):
    now = clocks()
    return [now[0] - start[0], now[1] - start[1], now[2] - start[2]]

start = time.perf_counter()
data = load(sys.argv[1], generated="bench")
loaded = time.perf_counter()
load_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
mark = clocks()
write_reports(data, sys.argv[2])
render = since(mark)
result = {"load_s": loaded - start, "render_s": render[0], "render_cpu": render[1], "render_child_cpu": render[2],
          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "load_mb": load_mb,
          "documents": data.documents.height, "findings": data.findings.height,
          "departments": data.documents["department"].n_unique()}
if sys.argv[3] == "parts":
    scratch = Path(sys.argv[2] + "-parts")
    scratch.mkdir(parents=True, exist_ok=True)
    plan = layout(data)

    def pages():
        if hasattr(report, "_write_department_pages"):  # trees before the child process
            report._write_department_pages(data, plan, scratch, True)
        else:
            from analysis.report.department_pages import every_name, fresh_folder, write_pages
            write_pages(data, plan, fresh_folder(scratch), True, every_name(plan.names))

    parts = {"pages": pages, "overview": lambda: render_html(data, plan=plan, blocks=[] if plan.inline else None),
             "summary": lambda: render_summary(data),
             "workbook": lambda: write_workbook(data, scratch / "workbook.xlsx")}
    for name, part in parts.items():
        mark = clocks()
        part()
        result[name + "_s"], result[name + "_cpu"], _ = since(mark)
    shutil.rmtree(scratch)
print(json.dumps(result))
"""

_SCREEN = """
import sys
import analysis.api as api
from analysis.synth import generate
raw, out = sys.argv[1], sys.argv[2]
generate(raw, departments=334, years=(2023, 2024, 2025), formats=("text",), seed=14)
api.run(raw, out=out)
"""


def make_source(work: Path) -> Path:
    """A processed folder of about 1,000 synthetic documents (made once per --work folder)."""
    processed = work / "source" / "processed"
    if not (processed / "documents.parquet").is_file():
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-c", _SCREEN, str(work / "raw"), str(work / "source")], env=env, check=True)
    return processed


def _rekey(frame, k: int):
    import polars as pl

    if k == 0:
        return frame
    suffix = f"~{k}"
    changes = []
    for column in ("doc_id", "paired_doc_id", "finding_id", "path"):
        if column in frame.columns:
            changes.append(pl.col(column) + suffix)
    if "department" in frame.columns:
        changes.append(pl.col("department") + str(k))
    return frame.with_columns(changes)


def replicate(source: Path, documents: int, folder: Path) -> Path:
    """``source`` re-keyed into ``folder`` until it holds about ``documents`` documents."""
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    base = pl.read_parquet(source / "documents.parquet").height
    copies = max(1, math.ceil(documents / base))
    for name in FRAMES:
        path = source / f"{name}.parquet"
        if not path.is_file():
            continue
        frame = pl.read_parquet(path)
        if name == "benford":  # one test of the whole batch: not per document
            frame.write_parquet(folder / path.name)
            continue
        pl.concat([_rekey(frame, k) for k in range(copies)]).write_parquet(folder / path.name)
    return folder


def _size(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.is_file() else float("nan")


def render(tree: Path, processed: Path, out: Path, timeout: float | None, parts: bool) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RENDER, str(processed), str(out), "parts" if parts else "whole"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timeout after {timeout:.0f} s"}
    except subprocess.CalledProcessError as error:
        return {"status": "failed: " + (error.stderr.strip().splitlines() or ["?"])[-1]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    pages = sorted((out / "departments").glob("*.html")) if (out / "departments").is_dir() else []
    sizes = [p.stat().st_size / 1e6 for p in pages]
    return {
        **result,
        "status": "ok",
        "wall_s": time.perf_counter() - start,
        "html_mb": _size(out / "report.html"),
        "summary_mb": _size(out / "summary.md"),
        "workbook_mb": _size(out / "workbook.xlsx"),
        "pages": len(pages),
        "pages_mb": sum(sizes),
        "largest_page_mb": max(sizes, default=0.0),
    }


ROWS = [
    ("write_reports wall (s)", "render_s", "{:.1f}"),
    ("  CPU, this process (s)", "render_cpu", "{:.1f}"),
    ("  CPU, children (s)", "render_child_cpu", "{:.1f}"),
    ("parts alone, one process:", None, ""),
    ("  dept pages wall (s)", "pages_s", "{:.1f}"),
    ("  dept pages CPU (s)", "pages_cpu", "{:.1f}"),
    ("  overview wall (s)", "overview_s", "{:.1f}"),
    ("  overview CPU (s)", "overview_cpu", "{:.1f}"),
    ("  summary wall (s)", "summary_s", "{:.1f}"),
    ("  summary CPU (s)", "summary_cpu", "{:.1f}"),
    ("  workbook wall (s)", "workbook_s", "{:.1f}"),
    ("  workbook CPU (s)", "workbook_cpu", "{:.1f}"),
    ("load frames (s)", "load_s", "{:.1f}"),
    ("peak RSS (MB)", "peak_mb", "{:.0f}"),
    ("  of it loading (MB)", "load_mb", "{:.0f}"),
    ("report.html (MB)", "html_mb", "{:.2f}"),
    ("summary.md (MB)", "summary_mb", "{:.2f}"),
    ("workbook.xlsx (MB)", "workbook_mb", "{:.2f}"),
    ("department pages", "pages", "{:d}"),
    ("pages total (MB)", "pages_mb", "{:.1f}"),
    ("largest page (MB)", "largest_page_mb", "{:.2f}"),
]


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:  # the creation time is all two writes may differ in
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def same_content(first: Path, second: Path) -> str:
    """ "same" or what differs between two report folders written from the same frames."""
    differ = [
        name for name in ("report.html", "summary.md") if (first / name).read_bytes() != (second / name).read_bytes()
    ]
    if _sheets(first / "workbook.xlsx") != _sheets(second / "workbook.xlsx"):
        differ.append("workbook.xlsx")
    pages = {p.name for p in (first / "departments").iterdir()}
    if pages != {p.name for p in (second / "departments").iterdir()}:
        differ.append("page names")
    else:
        n = sum((first / "departments" / p).read_bytes() != (second / "departments" / p).read_bytes() for p in pages)
        if n:
            differ.append(f"{n} pages")
    return "same" if not differ else "DIFFERENT: " + ", ".join(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", default="1000,10000", help="comma-separated batch sizes")
    parser.add_argument("--source", type=Path, help="a processed folder (default: screen a synthetic district)")
    parser.add_argument("--baseline", type=Path, default=Path("/tmp/base4src"))
    parser.add_argument("--baseline-timeout", type=float, default=1200.0)
    parser.add_argument("--work", type=Path, help="folder for the frames and reports (default: temporary)")
    parser.add_argument("--no-parts", action="store_true", help="time write_reports only, not each part alone")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-report-"))
    source = args.source or make_source(work)
    trees = [("this tree", ROOT / "src", None), (f"baseline {args.baseline}", args.baseline, args.baseline_timeout)]
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores); frames from {source}")
    for n in (int(x) for x in args.documents.split(",")):
        processed = replicate(source, n, work / f"frames-{n}")
        results = [
            render(tree, processed, work / f"reports-{n}-{k}", timeout, not args.no_parts)
            for k, (_, tree, timeout) in enumerate(trees)
        ]
        head = next((r for r in results if r.get("status") == "ok"), {})
        print(
            f"\n{head.get('documents', '?')} documents, {head.get('departments', '?')} departments, "
            f"{head.get('findings', '?')} findings"
        )
        print(f"{'':<26}" + "".join(f"{label:>34}" for label, _, _ in trees))
        print(f"{'status':<26}" + "".join(f"{r['status']:>34}" for r in results))
        for label, key, fmt in ROWS:
            cells = [fmt.format(r[key]) if key in r else ("" if key is None else "—") for r in results]
            print(f"{label:<26}" + "".join(f"{c:>34}" for c in cells))
        if all(r.get("status") == "ok" for r in results):
            print(f"{'same content':<26}{same_content(work / f'reports-{n}-0', work / f'reports-{n}-1'):>34}")
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
