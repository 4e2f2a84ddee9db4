"""Schedule the per-document tasks that the cache does not already hold, then gather."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.engine.assemble import Frame, gather, in_memory
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
        if ticker:
            next(ticker, None)
    if ticker:
        for _ in ticker:
            pass
    failed_ids = {row["doc_id"]: row for row in errors.values() if row.get("doc_id")}
    for order, (path, doc_id) in enumerate(files):  # a copy of a failed file fails the same way
        if order not in errors and doc_id in failed_ids:
            errors[order] = {**failed_ids[doc_id], "path": path}

    def redo(path: str, doc_id: str) -> None:
        process_document(path, doc_id, str(cache_root), key)

    frames, findings, evaluations = gather(files, cache, errors, redo, departments, spill)
    return EngineResult(frames, findings, evaluations, cached, len(todo))
