"""The workbook written by a child process while the parent writes the HTML (issue 14: the
report stage ran on one core while the second idled; the workbook is a third of its time at
10,000 documents and needs nothing the pages need).

The child is started with ``spawn`` (a fork of a parent whose Polars thread pool is running
could deadlock), gets the three frames the workbook shows (pickled: Polars sends them as Arrow
IPC) and writes to the temporary name it is given; the parent renames that file into place
only when every other report file is written too, so a failure on either side leaves the
previous workbook whole. A failure in the child comes back as one :class:`WorkbookFailed`
(an ``OSError``, so ``analysis run`` prints it as one line and exits 1): the child's own
``OSError`` (disk full …) keeps its errno and file name, anything else is named in the message,
and a child that dies is reported with its exit code.

Small batches write the workbook in the parent: starting an interpreter and importing Polars
costs about a second, more than their whole workbook (``CHILD_FROM_ROWS``).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

import polars as pl

from analysis.report.model import ReportData

CHILD_FROM_ROWS = 20_000  # rows of the three sheets from which a child pays for its start
_NO_TABLE = pl.DataFrame()


class WorkbookFailed(OSError):
    """The workbook could not be written by the child process."""


def wanted(data: ReportData) -> bool:
    """Whether ``data`` is large enough for the workbook to go to a child process."""
    return data.findings.height + data.indicators.height + data.documents.height >= CHILD_FROM_ROWS


def _write(conn: Connection, documents, findings, indicators, target: str) -> None:
    """The child: write the workbook to ``target`` and send None, or what went wrong."""
    try:
        from analysis.report.workbook import write_workbook

        data = ReportData(documents, _NO_TABLE, _NO_TABLE, findings, indicators)
        write_workbook(data, Path(target))
        conn.send(None)
    except OSError as error:
        conn.send(("os", error.errno, error.strerror or str(error), error.filename))
    except Exception as error:  # any failure is sent back as one line
        conn.send(("other", errno.EIO, f"{type(error).__name__}: {error}", target))
    finally:
        conn.close()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """The child needs nothing from ``__main__``: hiding it stops ``spawn`` from importing the
    caller's script again (a script without a ``__main__`` guard would run a second time)."""
    main = sys.modules.get("__main__")
    saved = {name: getattr(main, name) for name in ("__spec__", "__file__") if hasattr(main, name)}
    try:
        if main is not None:
            main.__spec__ = None
            if "__file__" in saved:
                del main.__file__
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


class WorkbookProcess:
    """A child process writing the workbook of ``data`` to ``target`` (a temporary name)."""

    def __init__(self, data: ReportData, target: Path) -> None:
        self.target = Path(target)
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_write,
            args=(child_end, data.documents, data.findings, data.indicators, str(self.target)),
            name="analysis-workbook",
            daemon=True,  # never outlives the run
        )
        with _main_module_hidden():
            self._process.start()
        child_end.close()

    def wait(self) -> Path:
        """The written file, once the child is done; :class:`WorkbookFailed` when it failed."""
        try:
            outcome = self._conn.recv()
        except EOFError:  # the child died before it could answer
            self._process.join()
            code = self._process.exitcode
            raise WorkbookFailed(
                errno.EIO, f"the workbook process stopped unexpectedly (exit code {code})", str(self.target)
            ) from None
        finally:
            self._conn.close()
        self._process.join()
        if outcome is not None:
            _, number, message, filename = outcome
            raise WorkbookFailed(number or errno.EIO, f"workbook.xlsx not written: {message}", filename)
        return self.target

    def stop(self) -> None:
        """End the child (the parent failed) and remove what it wrote."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._conn.close()
        with contextlib.suppress(OSError):  # the parent's error is the one to report
            self.target.unlink(missing_ok=True)
