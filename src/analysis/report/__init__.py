"""Report stage (issue 7): the annual anomaly report (HTML), the auditors' workbook (xlsx) and a
markdown summary, all made from one run's frames (see ``ReportData``).

``write_reports(data, reports_dir)`` writes the three files and returns their paths;
``load(processed_dir)`` builds ``ReportData`` from parquet outputs, for notebooks.
"""

from __future__ import annotations

from pathlib import Path

from analysis.report.model import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, load

REPORT_FILES = {"html": "report.html", "workbook": "workbook.xlsx", "summary": "summary.md"}


def write_reports(data: ReportData, reports_dir: str | Path, *, department_charts: bool = True) -> dict[str, Path]:
    """Write report.html, workbook.xlsx and summary.md into ``reports_dir``."""
    from analysis.report.html import render_html
    from analysis.report.summary import render_summary
    from analysis.report.workbook import write_workbook

    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / name for key, name in REPORT_FILES.items()}
    paths["html"].write_text(render_html(data, department_charts=department_charts), encoding="utf-8")
    write_workbook(data, paths["workbook"])
    paths["summary"].write_text(render_summary(data), encoding="utf-8")
    return paths


__all__ = ["COMPARE_OK", "COMPARE_UNAVAILABLE", "REPORT_FILES", "ReportData", "load", "write_reports"]

from analysis.stage_call import make_callable  # noqa: E402

make_callable(__name__)  # analysis.report(...) calls analysis.api.report
