"""Schedule the per-document tasks that the cache does not already hold, then gather."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.engine.assemble import Frame, finish_gather, gather_parts, in_memory
from analysis.engine.cache import DocCache
from analysis.engine.local import LocalPool
from analysis.engine.task import process_document
from analysis.extract import content_id, failed

logger = logging.getLogger(__name__)
DEFAULT_TIME_LIMIT = 600.0
"""Seconds one document may take, every stage together: a few hundred pages of PDF take well
under a minute, so ten minutes only stops what is stuck, even on a loaded machine."""


@dataclass(slots=True)
class EngineResult:
    """The gathered rows; with a spill folder, the large tables are lazy scans of its parts
    (``engine/assemble.py``), so they must be read before the folder is removed."""

    frames: dict[str, Frame]
    findings: pl.DataFrame
    evaluations: pl.DataFrame
    cached: int
    extracted: int

    @property
    def documents(self) -> pl.DataFrame:
        return in_memory(self.frames["documents"])


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _hash_or_none(path: Path) -> str | None:
    try:
        return content_id(path)
    except OSError:
        return None  # the task reports the unreadable file as a failed document


class _Stopped(Exception):
    """The tasks stopped before every file was done: gathering stops too."""


class _Settled:
    """Which files' tasks are done, shared by the loop that reads the results and the thread
    that gathers the rows meanwhile (``assemble.gather_parts``) in file order: a file is ready
    once its task is done, a file with no task at once, and a copy of a file (same content, no
    task of its own) once the first file of that content is done (it fails when that one does)."""

    def __init__(self, files: list[tuple[str, str | None]], todo: list[int]) -> None:
        first = {files[o][1]: o for o in todo if files[o][1] is not None}
        self.tasks = set(todo)
        self.first_of = {
            order: first[doc_id]
            for order, (_path, doc_id) in enumerate(files)
            if order not in self.tasks and doc_id in first
        }
        self.copies: dict[int, list[int]] = {}
        for order, original in self.first_of.items():
            self.copies.setdefault(original, []).append(order)
        self.done: set[int] = set()
        self.stopped = False
        self._condition = threading.Condition()

    def mark(self, order: int) -> None:
        with self._condition:
            self.done.add(order)
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self.stopped = True
            self._condition.notify_all()

    def wait(self, order: int) -> None:
        needed = order if order in self.tasks else self.first_of.get(order)
        if needed is None:
            return
        with self._condition:
            while needed not in self.done:
                if self.stopped:
                    raise _Stopped
                self._condition.wait()


def run_documents(
    paths: list[Path],
    cache_root: Path,
    key: str,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    scheduler: str | None = None,
    progress: Callable | None = None,
    task: Callable = process_document,
    departments: Path | None = None,
    spill: Path | None = None,
) -> EngineResult:
    """Extract and check every file in ``paths`` (documents not in the cache under ``key``
    only), on ``jobs`` local worker processes or on the Dask cluster at ``scheduler``.
    ``spill``: a folder for the gathered rows of the large tables (the caller removes it), so
    that the parent does not hold them; without it every frame is in memory."""
    cache = DocCache(cache_root, key)
    if not use_cache and cache.folder.exists():
        import shutil

        shutil.rmtree(cache.folder)
    cache.prune()
    files = [(str(p), _hash_or_none(p)) for p in paths]
    todo, seen = [], set()
    for order, (_path, doc_id) in enumerate(files):
        if doc_id is None or (doc_id not in seen and not cache.has(doc_id)):
            todo.append(order)
        seen.add(doc_id)
    cached = sum(1 for _, doc_id in files if doc_id is not None) - sum(1 for o in todo if files[o][1])
    args = [(files[o][0], files[o][1], str(cache_root), key) for o in todo]
    if scheduler:
        from analysis.engine.distributed import run_on_cluster

        results = run_on_cluster(task, args, scheduler, time_limit)
    else:
        results = LocalPool(task, jobs or default_jobs(), time_limit).run(args)
    ticker = iter(progress(range(len(args)))) if progress else None
    errors: dict[int, dict] = {}
    settled = _Settled(files, todo)

    def redo(path: str, doc_id: str) -> None:
        process_document(path, doc_id, str(cache_root), key)

    # the rows of finished documents are gathered in file order on a thread while the tasks run
    with ThreadPoolExecutor(1, thread_name_prefix="gather") as gathering:
        parts = gathering.submit(gather_parts, files, cache, errors, redo, spill, settled.wait)
        try:
            for index, result in results:
                order = todo[index]
                path, doc_id = files[order]
                if "error" in result:
                    logger.warning("%s: %s", path, result["error"])
                    errors[order] = failed(Path(path), result["error"], doc_id).document
                elif "document" in result:
                    errors[order] = result["document"]
                elif doc_id is None and result.get("doc_id"):
                    files[order] = (path, result["doc_id"])  # the worker read a file this process could not hash
                if order in errors and errors[order].get("doc_id"):
                    for copy in settled.copies.get(order, []):  # a copy of a failed file fails the same way
                        errors[copy] = {**errors[order], "path": files[copy][0]}
                settled.mark(order)
                if ticker:
                    next(ticker, None)
        finally:
            settled.stop()
        gathered = parts.result()
    if ticker:
        for _ in ticker:
            pass
    frames, findings, evaluations = finish_gather(gathered, departments)
    return EngineResult(frames, findings, evaluations, cached, len(todo))
