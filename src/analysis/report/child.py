"""The second core for the report (issue 14: the report stage ran on one core while the second
idled): a child process writes the workbook, which needs nothing the HTML needs, and then takes
its share of the department pages (department_pages.py), while the parent writes the overview
and the rest of the pages.

The child is started with ``spawn`` (a fork of a parent whose Polars thread pool is running
could deadlock) and gets the three frames the workbook and the pages show (pickled: Polars sends
them as Arrow IPC). It writes the workbook to the temporary name it is given and its pages into
the render's fresh folder; the parent renames both into place only when every report file is
written, so a failure on either side leaves the previous outputs whole. A failure in the child
comes back as one :class:`ChildFailed` (an ``OSError``, so ``analysis run`` prints it as one line
and exits 1): the child's own ``OSError`` (disk full …) keeps its errno and file name, anything
else is named in the message, and a child that dies is reported with its exit code.

Small batches are written by the parent alone: starting an interpreter and importing Polars
costs about a second, more than their whole workbook (``CHILD_FROM_ROWS``).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import polars as pl

from analysis.processes import main_module_hidden
from analysis.report.model import ReportData
from analysis.report.pages import Layout

CHILD_FROM_ROWS = 20_000  # rows of the three sheets from which a child pays for its start
_NO_TABLE = pl.DataFrame()


class ChildFailed(OSError):
    """The report's child process could not write its part."""


@dataclass(frozen=True, slots=True)
class PagesShare:
    """Department pages the child helps with: the layout's names, claimed from a shared counter."""

    layout: Layout
    folder: Path
    charts: bool


def wanted(data: ReportData) -> bool:
    """Whether ``data`` is large enough for a child process to gain."""
    return data.findings.height + data.indicators.height + data.documents.height >= CHILD_FROM_ROWS


def _work(conn: Connection, frames: tuple, generated: str, target: str, pages: PagesShare | None, counter) -> None:
    """The child: the workbook to ``target``, then pages while any are left; sends None, or
    what went wrong."""
    try:
        from analysis.report.department_pages import claims, write_pages
        from analysis.report.workbook import write_workbook

        documents, findings, indicators = frames
        data = ReportData(documents, _NO_TABLE, _NO_TABLE, findings, indicators, generated=generated)
        write_workbook(data, Path(target))
        if pages is not None:
            write_pages(data, pages.layout, pages.folder, pages.charts, claims(pages.layout.names, counter))
        conn.send(None)
    except OSError as error:
        conn.send((error.errno, error.strerror or str(error), error.filename))
    except Exception as error:  # any failure is sent back as one line
        conn.send((errno.EIO, f"{type(error).__name__}: {error}", target))
    finally:
        conn.close()


class ReportChild:
    """A child process writing the workbook of ``data`` to ``target`` (a temporary name) and,
    with ``pages``, claiming department pages with the parent (:meth:`claim`)."""

    def __init__(self, data: ReportData, target: Path, pages: PagesShare | None = None) -> None:
        from analysis.report.department_pages import claims

        self.target = Path(target)
        context = multiprocessing.get_context("spawn")
        counter = context.Value("q", 0)
        self._counter = counter  # alive until the child has it (spawn unpickles it there)
        self.claim: Callable[[], list[str]] | None = claims(pages.layout.names, counter) if pages else None
        self._conn, child_end = context.Pipe(duplex=False)
        frames = (data.documents, data.findings, data.indicators)
        self._process = context.Process(
            target=_work,
            args=(child_end, frames, data.generated, str(self.target), pages, counter),
            name="analysis-report",
            daemon=True,  # never outlives the run
        )
        with main_module_hidden():
            self._process.start()
        child_end.close()

    def wait(self) -> Path:
        """The workbook, once the child is done; :class:`ChildFailed` when it failed."""
        try:
            outcome = self._conn.recv()
        except EOFError:  # the child died before it could answer
            self._process.join()
            raise ChildFailed(
                errno.EIO, f"the report's child process stopped (exit code {self._process.exitcode})", str(self.target)
            ) from None
        finally:
            self._conn.close()
        self._process.join()
        if outcome is not None:
            number, message, filename = outcome
            raise ChildFailed(number or errno.EIO, f"report child process: {message}", filename)
        return self.target

    def stop(self) -> None:
        """End the child (the parent failed) and remove its workbook."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._conn.close()
        with contextlib.suppress(OSError):  # the parent's error is the one to report
            self.target.unlink(missing_ok=True)
