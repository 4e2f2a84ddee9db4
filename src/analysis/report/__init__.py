"""Report stage (issue 7): the annual anomaly report (HTML), the auditors' workbook (xlsx) and a
markdown summary, all made from one run's frames (see ``ReportData``).

``write_reports(data, reports_dir)`` writes the three files and one page per department under
``departments/`` (pages.py: at scale the overview keeps a bounded summary) and returns their paths;
``load(processed_dir)`` builds ``ReportData`` from parquet outputs, for notebooks.
``auditor_findings`` gives a run's findings what the auditor's desk needs before they are
written: stable ids, the amount at stake and the verdicts of earlier reviews (review.py).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.model import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, load

if TYPE_CHECKING:
    from analysis.report.markup import Safe
    from analysis.report.pages import Layout

REPORT_FILES = {"html": "report.html", "workbook": "workbook.xlsx", "summary": "summary.md"}
DEPARTMENTS_DIR = "departments"
PDF_FILE = "report.pdf"
_TEMP_PREFIX = ".tmp-"  # engine/atomic.py's: a run removes such names left by a killed one


def auditor_findings(findings, documents, reports_dir: str | Path, reviews: list[Path] | None = None):
    """Findings with finding_id, amount_at_stake, share_of_total and carried-over reviews
    (review_verdict, review_note); records the reviews in ``reports_dir`` (reviews.csv,
    review_history.csv). Call before ``write_reports`` overwrites the workbook."""
    from analysis.report.materiality import with_materiality
    from analysis.report.review import apply_reviews
    from analysis.schema import conform

    annotated = apply_reviews(with_materiality(findings, documents), Path(reports_dir), reviews)
    return conform("findings", annotated)


def write_reports(
    data: ReportData,
    reports_dir: str | Path,
    *,
    department_charts: bool = True,
    pdf: bool = False,
    review_dir: str | Path | None = None,
    workbook_process: bool | None = None,
) -> dict[str, Path]:
    """Write report.html, the department pages (``departments/``, key ``departments``),
    workbook.xlsx and summary.md into ``reports_dir``, and report.pdf (printed by headless
    Chromium) when ``pdf`` is asked for and Chromium is installed. ``review_dir`` holds the review
    store (default ``reports_dir``; the run writes into a staging folder and keeps its store in
    the final one). ``workbook_process``: write the workbook in a child process while this one
    writes the HTML (None: when the batch is large enough to gain, workbook_process.py).

    Every file is written under a temporary name and renamed into place once all of them are
    written, so a failure (here or in the child) leaves the previous files whole."""
    from analysis.report.html import layout, render_html
    from analysis.report.review import orphaned, read_store
    from analysis.report.summary import render_summary
    from analysis.report.workbook import write_workbook
    from analysis.report.workbook_process import WorkbookProcess, wanted

    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / name for key, name in REPORT_FILES.items()}
    if data.findings["finding_id"].is_not_null().any():
        data.orphaned_reviews = orphaned(read_store(Path(review_dir or folder)), data.findings)
    temps = {key: _temporary(path) for key, path in paths.items()}
    in_child = wanted(data) if workbook_process is None else workbook_process
    child = WorkbookProcess(data, temps["workbook"]) if in_child else None
    try:
        plan = layout(data)
        paths["departments"], blocks = _write_department_pages(data, plan, folder, department_charts)
        temps["html"].write_text(
            render_html(data, department_charts=department_charts, plan=plan, blocks=blocks), encoding="utf-8"
        )
        temps["summary"].write_text(render_summary(data), encoding="utf-8")
        if child is None:
            write_workbook(data, temps["workbook"])
        else:
            child.wait()
        for key in REPORT_FILES:
            os.replace(temps[key], paths[key])
    except BaseException:
        if child is not None:
            child.stop()
        for temp in temps.values():
            with contextlib.suppress(OSError):  # the first error is the one to report
                temp.unlink(missing_ok=True)
        raise
    if pdf:
        from analysis.report.pdf import print_report

        written = print_report(data, folder / PDF_FILE, department_charts=department_charts)
        if written is not None:
            paths["pdf"] = written
    return paths


def _temporary(path: Path) -> Path:
    """A name next to ``path`` that ``analysis run`` clears as a leftover after a kill."""
    return path.with_name(f"{_TEMP_PREFIX}{path.stem}-{os.getpid()}-{time.monotonic_ns()}{path.suffix}")


def _write_department_pages(
    data: ReportData, plan: Layout, folder: Path, charts: bool
) -> tuple[Path, list[Safe] | None]:
    """Write every department's page, one at a time (memory stays flat); pages of an earlier
    render are replaced as a whole. Returns the folder and, for an inline layout, the sections
    (the overview shows them too; rendering them once is half the cost)."""
    import shutil
    import tempfile

    from analysis.report.departments import department_blocks
    from analysis.report.html import department_page

    target = folder / DEPARTMENTS_DIR
    fresh = Path(tempfile.mkdtemp(prefix=".departments-", dir=folder))
    umask = os.umask(0)
    os.umask(umask)
    fresh.chmod(0o777 & ~umask)  # mkdtemp makes it private; the pages are as readable as report.html
    kept: list[Safe] = []
    try:
        for name, block in department_blocks(data, plan, charts_wanted=charts):
            (fresh / plan.files[name]).write_text(department_page(data, name, block), encoding="utf-8")
            if plan.inline:
                kept.append(block)
        if target.is_dir():
            shutil.rmtree(target)
        fresh.rename(target)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return target, (kept if plan.inline else None)


__all__ = [
    "COMPARE_OK",
    "COMPARE_UNAVAILABLE",
    "REPORT_FILES",
    "ReportData",
    "auditor_findings",
    "load",
    "write_reports",
]
