"""Headless Chromium for looking at the report as a person would: the DOM after the page has
loaded, and screenshots (tests and the README screenshots use these).

Debian's ``chromium`` is expected on PATH (``bin/ensure-chromium`` installs it). Every call
uses a fresh profile folder and switches off the browser's own network traffic, so nothing
leaves the machine and runs cannot see each other's state.

Usage: ``python -m analysis.report.browser OUT_DIR DOCS_DIR`` writes ``report_overview.png``,
``report_charts.png`` (the indicator charts) and ``report_department.png`` into ``DOCS_DIR`` from a run made with ``analysis run … --out OUT_DIR``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)
TIMEOUT = 120


def chromium() -> str | None:
    """Path of the chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(page: Path, *flags: str) -> subprocess.CompletedProcess:
    executable = chromium()
    if executable is None:
        raise FileNotFoundError("chromium is not installed (run bin/ensure-chromium)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [executable, *QUIET_FLAGS, f"--user-data-dir={profile}", *flags, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )


def dump_dom(page: Path) -> str:
    """The page's DOM as serialised by Chromium after loading (scripts, had there been any, ran)."""
    return _run(page, "--dump-dom").stdout


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 1000) -> Path:
    """A PNG of the top ``width`` × ``height`` pixels of the page."""
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    return png


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print ``page`` to ``pdf`` as Chromium prints (the page's own @page rules set size, margins
    and page-number boxes; Chromium's header and footer with the file URL are switched off), with
    a document outline (bookmarks) made from the headings."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    _run(page, f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer", "--generate-pdf-document-outline")
    if not pdf.is_file():
        raise RuntimeError(f"chromium wrote no PDF for {page}")
    return pdf


def readme_screenshots(out_dir: Path, docs_dir: Path, department: str | None = None) -> list[Path]:
    """Screenshots for the README from a run's ``--out`` folder: the top of its report.html, its
    indicator charts, and one department's section (the one with the most findings unless named) rendered alone."""
    from analysis.report.html import render_comparison_html, render_department_html
    from analysis.report.model import load

    data = load(out_dir / "processed", generated="(demo run)")
    if department is None:
        counts = data.findings.group_by("department").len().sort(["len", "department"], descending=[True, False])
        department = counts["department"][0] if counts.height else data.documents["department"].drop_nulls()[0]
    shots = [screenshot(out_dir / "reports" / "report.html", docs_dir / "report_overview.png", 1400, 1100)]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "charts.html"
        page.write_text(render_comparison_html(data), encoding="utf-8")
        shots.append(screenshot(page, docs_dir / "report_charts.png", 1400, 1400))
        page = Path(tmp) / "department.html"
        page.write_text(render_department_html(data, department), encoding="utf-8")
        shots.append(screenshot(page, docs_dir / "report_department.png", 1400, 1500))
    return shots


if __name__ == "__main__":
    for written in readme_screenshots(Path(sys.argv[1]), Path(sys.argv[2])):
        print(written)
