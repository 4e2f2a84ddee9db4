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
import logging
import os
import shutil
from pathlib import Path

from analysis.atomic_files import temporary_name
from analysis.report.model import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, load

REPORT_FILES = {"html": "report.html", "workbook": "workbook.xlsx", "summary": "summary.md"}
DEPARTMENTS_DIR = "departments"
PDF_FILE = "report.pdf"
logger = logging.getLogger(__name__)


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
    child_process: bool | None = None,
) -> dict[str, Path]:
    """Write report.html, the department pages (``departments/``, key ``departments``),
    workbook.xlsx and summary.md into ``reports_dir``, and report.pdf (printed by headless
    Chromium) when ``pdf`` is asked for and Chromium is installed. ``review_dir`` holds the review
    store (default ``reports_dir``; the run writes into a staging folder and keeps its store in
    the final one). ``child_process``: a child process writes the workbook and shares the
    department pages while this one writes the overview (None: when the batch is large enough
    to gain, see child.py).

    Every file is written under a temporary name (the pages into a fresh folder) and renamed
    into place once all of them are written, so a failure (here or in the child) leaves the
    previous files whole."""
    from analysis.report.child import PagesShare, ReportChild, wanted
    from analysis.report.department_pages import every_name, fresh_folder, publish, write_pages
    from analysis.report.html import layout, render_html
    from analysis.report.review import orphaned, read_store
    from analysis.report.summary import render_summary
    from analysis.report.workbook import write_workbook

    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / name for key, name in REPORT_FILES.items()}
    if data.findings["finding_id"].is_not_null().any():
        data.orphaned_reviews = orphaned(read_store(Path(review_dir or folder)), data.findings)
    plan = layout(data)
    temps = {key: temporary_name(path) for key, path in paths.items()}
    fresh = fresh_folder(folder)
    child = None
    try:
        if wanted(data) if child_process is None else child_process:
            # an inline overview shows the sections it renders with the pages: no sharing then
            share = None if plan.inline else PagesShare(plan, fresh, department_charts)
            try:
                child = ReportChild(data, temps["workbook"], share)
            except (AssertionError, OSError) as error:  # e.g. in a daemonic process, which may have none
                logger.warning("no child process for the report (%s): this process writes all of it", error)
        claim = child.claim if child is not None and child.claim is not None else every_name(plan.names)
        blocks = write_pages(data, plan, fresh, department_charts, claim, keep=True) if plan.inline else None
        temps["html"].write_text(
            render_html(data, department_charts=department_charts, plan=plan, blocks=blocks), encoding="utf-8"
        )
        temps["summary"].write_text(render_summary(data), encoding="utf-8")
        if not plan.inline:  # the overview first: the pages are what the child can share
            write_pages(data, plan, fresh, department_charts, claim)
        if child is None:
            write_workbook(data, temps["workbook"])
        else:
            child.wait()
        paths["departments"] = publish(fresh, folder / DEPARTMENTS_DIR)
        for key in REPORT_FILES:
            os.replace(temps[key], paths[key])
    except BaseException:
        if child is not None:
            child.stop()
        for temp in temps.values():
            with contextlib.suppress(OSError):  # the first error is the one to report
                temp.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    if pdf:
        from analysis.report.pdf import print_report

        written = print_report(data, folder / PDF_FILE, department_charts=department_charts)
        if written is not None:
            paths["pdf"] = written
    return paths


__all__ = [
    "COMPARE_OK",
    "COMPARE_UNAVAILABLE",
    "REPORT_FILES",
    "ReportData",
    "auditor_findings",
    "load",
    "write_reports",
]
