"""Writing the department pages (``departments/``): into a fresh folder that replaces the
previous pages as a whole once the report is written, by one process or shared by two.

Pages are claimed in chunks (``CHUNK`` departments) from a counter the processes share, so
whichever process is free takes the next chunk: the parent once the overview is written, the
child once the workbook is (report/child.py). Each page depends only on its department, so
the pages are the same whoever writes them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from analysis.report.markup import Safe
from analysis.report.model import ReportData
from analysis.report.pages import Layout

CHUNK = 25  # departments per claim: small enough to balance, large enough to cost nothing


def fresh_folder(folder: Path) -> Path:
    """An empty folder inside ``folder`` for a render's pages."""
    fresh = Path(tempfile.mkdtemp(prefix=".departments-", dir=folder))
    umask = os.umask(0)
    os.umask(umask)
    fresh.chmod(0o777 & ~umask)  # mkdtemp makes it private; the pages are as readable as report.html
    return fresh


def publish(fresh: Path, target: Path) -> Path:
    """The pages of ``fresh`` replace those of an earlier render (``target``) as a whole."""
    if target.is_dir():
        shutil.rmtree(target)
    fresh.rename(target)
    return target


def claims(names: list[str], counter) -> Callable[[], list[str]]:
    """The next chunk of ``names`` not yet claimed by any process sharing ``counter`` (a
    ``multiprocessing.Value``), or ``[]`` when none is left."""

    def claim() -> list[str]:
        with counter.get_lock():
            start = counter.value
            counter.value = start + CHUNK
        return names[start : start + CHUNK]

    return claim


def every_name(names: list[str]) -> Callable[[], list[str]]:
    """All of ``names`` at the first claim (one process writes every page)."""
    left = [names]

    def claim() -> list[str]:
        return left.pop() if left else []

    return claim


def write_pages(
    data: ReportData, layout: Layout, fresh: Path, charts: bool, claim: Callable[[], list[str]], *, keep: bool = False
) -> list[Safe]:
    """Write the page of every department ``claim`` gives, one at a time (memory stays flat);
    returns their sections when ``keep`` (an inline overview shows them too: rendering them
    once is half the cost)."""
    from analysis.report.departments import DepartmentBlocks
    from analysis.report.html import department_page

    blocks: DepartmentBlocks | None = None
    kept: list[Safe] = []
    while names := claim():
        if blocks is None:  # built on the first claim: a process that gets none never builds it
            blocks = DepartmentBlocks(data, layout, charts_wanted=charts)
        for name in names:
            block = blocks.block(name)
            (fresh / layout.files[name]).write_text(department_page(data, name, block), encoding="utf-8")
            if keep:
                kept.append(block)
    return kept
