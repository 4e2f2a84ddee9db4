"""The run's frames from the per-document cache, in file order, with the cross-document steps
that need every document: pairing the two files of a disclosure and checking a paired file
against its partner's narrative.

With a ``spill`` folder the large tables (line items, texts, claims …) are not held: every
few hundred documents their rows go to a parquet part there and the frames come back as lazy
scans of the parts, so the parent's memory stays flat in the number of documents. Cache files
are read in batches of a few hundred (each table of a batch parsed as one Arrow stream), a
couple of batches ahead on threads, in file order; ``engine/run.py`` gathers them on a thread
while the tasks run (``gather_parts``) and finishes once every task is done (``finish_gather``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from analysis.check import RULES, run_checks
from analysis.check.runner import previous_documents, sort_findings
from analysis.engine.cache import DOC_TABLES, DocCache
from analysis.extract import OUTPUT_TABLES, failed
from analysis.normalise.pairing import pair_documents
from analysis.schema import empty, frame, schema

logger = logging.getLogger(__name__)
_CONCAT_EVERY = 500  # documents' small frames joined into one chunk (fewer, larger chunks)
_PAIR_COLUMNS = ("pair_id", "paired_doc_id")
HELD_TABLES = ("documents", "findings", "evaluations")
"""Tables the parent keeps in memory when spilling: small, and changed after gathering
(pairing, the cross-document rechecks); every other table is spilled as it comes."""
_READ_BATCH = 250  # cached documents read at once (``DocCache.read_many``: one parse per table)
_READERS = 2  # threads reading batches ahead of the join
_READ_AHEAD = 2  # batches in flight: bounded, so memory does not grow with the run

Frame = pl.DataFrame | pl.LazyFrame


class _Parts:
    """Frames of many documents, concatenated in chunks as they come; with ``spill``, the
    chunks of the tables not in ``HELD_TABLES`` are written there and dropped."""

    def __init__(self, spill: Path | None = None) -> None:
        self.chunks: dict[str, list[pl.DataFrame]] = {n: [] for n in DOC_TABLES}
        self.pending: dict[str, list[pl.DataFrame]] = {n: [] for n in DOC_TABLES}
        self.count = 0
        self.spill = spill
        self.parts: dict[str, list[Path]] = {n: [] for n in DOC_TABLES}
        if spill is not None:
            spill.mkdir(parents=True, exist_ok=True)

    def add(self, frames: dict[str, pl.DataFrame], documents: int = 1) -> None:
        """The rows of ``documents`` documents (one, or a batch read at once)."""
        for name in DOC_TABLES:
            self.pending[name].append(frames[name])
        self.count += documents
        if self.count >= _CONCAT_EVERY:
            self._flush()

    def _flush(self) -> None:
        self.count = 0
        for name in DOC_TABLES:
            if self.pending[name]:
                chunk = pl.concat(self.pending[name], how="vertical_relaxed", rechunk=True)
                self.pending[name] = []
                if self.spill is None or name in HELD_TABLES:
                    self.chunks[name].append(chunk)
                else:
                    part = self.spill / f"{name}-{len(self.parts[name]):06d}.parquet"
                    chunk.select(list(schema(name))).write_parquet(part, compression="uncompressed", statistics=False)
                    self.parts[name].append(part)

    def frames(self) -> dict[str, Frame]:
        self._flush()
        out: dict[str, Frame] = {}
        for name, chunks in self.chunks.items():
            if self.parts[name]:
                out[name] = pl.scan_parquet(self.parts[name], schema=schema(name))
            elif chunks:
                # no rechunk: the chunks are joined without a copy (a copy would double the peak)
                out[name] = pl.concat(chunks, how="vertical_relaxed", rechunk=False).select(list(schema(name)))
            else:
                out[name] = empty(name)
        return out


def _as_frames(document: dict) -> dict[str, pl.DataFrame]:
    frames = {name: empty(name) for name in DOC_TABLES}
    frames["documents"] = frame("documents", [document])
    return frames


def _own_path(frames: dict[str, pl.DataFrame], path: str) -> dict[str, pl.DataFrame]:
    """A cached document as the given file: its own path (a copy or a moved file shares the
    content's rows)."""
    if frames["documents"].height == 1 and frames["documents"]["path"][0] == path:
        return frames
    out = dict(frames)
    out["documents"] = frames["documents"].with_columns(pl.lit(path).alias("path"))
    out["findings"] = frames["findings"].with_columns(pl.lit(path).alias("path"))
    return out


def _own_paths(frames: dict[str, pl.DataFrame], batch: list[tuple[int, str, str]]) -> dict[str, pl.DataFrame]:
    """A batch of cached documents (distinct doc_ids, one documents row each, in batch order)
    as the given files: :func:`_own_path` for many at once."""
    paths = [path for _order, path, _doc_id in batch]
    if frames["documents"]["path"].to_list() == paths:
        return frames
    out = dict(frames)
    out["documents"] = frames["documents"].with_columns(pl.Series("path", paths, pl.String))
    ids = [doc_id for _order, _path, doc_id in batch]
    out["findings"] = frames["findings"].with_columns(
        pl.col("doc_id").replace_strict(ids, paths, default=pl.col("path"), return_dtype=pl.String).alias("path")
    )
    return out


Segment = tuple[int, dict] | list[tuple[int, str, str]]
"""In file order: (file position, documents row) of a failed file, or a batch of cached files
(position, path, doc_id) with distinct doc_ids."""


def _segments(
    files: list[tuple[str, str | None]], errors: dict[int, dict], wait: Callable[[int], None] | None = None
) -> Iterator[Segment]:
    """The files to gather in file order: failed ones alone, cached ones in batches of at most
    ``_READ_BATCH`` documents (and of ``_CONCAT_EVERY``, so parts stay that small) of distinct
    content (a copy starts a new batch: a batch's findings are matched to files by doc_id).
    ``wait(order)`` returns once that file's task is done (its entries in ``files`` and
    ``errors`` final), so that gathering can go on while the tasks run."""
    size = max(1, min(_READ_BATCH, _CONCAT_EVERY))
    batch: list[tuple[int, str, str]] = []
    ids: set[str] = set()
    for order in range(len(files)):
        if wait is not None:
            wait(order)
        path, doc_id = files[order]
        if order in errors:
            if batch:
                yield batch
                batch, ids = [], set()
            yield order, errors[order]
        elif doc_id is not None:
            if doc_id in ids or len(batch) >= size:
                yield batch
                batch, ids = [], set()
            batch.append((order, path, doc_id))
            ids.add(doc_id)
    if batch:
        yield batch


def _read_ahead(
    segments: Iterator[Segment], cache: DocCache
) -> Iterator[tuple[Segment, tuple[dict[str, pl.DataFrame], list[str]] | None]]:
    """Each segment with the read of its batch (``DocCache.read_many``: one parse per table for
    the whole batch), a few batches read ahead on threads (file and Arrow reading release the
    GIL); memory stays bounded by the batches in flight."""
    with ThreadPoolExecutor(_READERS, thread_name_prefix="cache-read") as pool:
        flight: deque = deque()
        for segment in segments:
            read = (
                pool.submit(cache.read_many, [doc_id for _o, _p, doc_id in segment])
                if isinstance(segment, list)
                else None
            )
            flight.append((segment, read))
            if len(flight) > _READ_AHEAD:
                segment, read = flight.popleft()
                yield segment, None if read is None else read.result()
        while flight:
            segment, read = flight.popleft()
            yield segment, None if read is None else read.result()


def gather_parts(
    files: list[tuple[str, str | None]],
    cache: DocCache,
    errors: dict[int, dict],
    redo: Callable[[str, str], None],
    spill: Path | None = None,
    wait: Callable[[int], None] | None = None,
) -> _Parts:
    """The rows of ``files`` (path, doc_id) in file order, from the cache or ``errors`` (the
    documents row of a file whose task failed: time limit, dead worker, by file position);
    ``redo(path, doc_id)`` redoes a document whose cache file was discarded. With ``wait`` (see
    :func:`_segments`) this runs beside the tasks, on a thread of the scheduling process."""
    parts = _Parts(spill)
    for segment, read in _read_ahead(_segments(files, errors, wait), cache):
        if not isinstance(segment, list):
            parts.add(_as_frames(segment[1]))
        elif read is not None and not read[1] and read[0]["documents"].height == len(segment):
            parts.add(_own_paths(read[0], segment), len(segment))
        else:  # a cache file was missing or discarded: the batch document by document, in order
            for _order, path, doc_id in segment:
                one = cache.read(doc_id)
                if one is None:
                    redo(path, doc_id)
                    one = cache.read(doc_id) or _as_frames(
                        failed(Path(path), "缓存文件缺失 (cache file missing)", doc_id).document
                    )
                parts.add(_own_path(one, path))
    return parts


def finish_gather(
    parts: _Parts, departments: str | Path | None = None
) -> tuple[dict[str, Frame], pl.DataFrame, pl.DataFrame]:
    """The gathered frames with the steps that need every document: pairing and the rechecks."""
    gathered = parts.frames()
    documents = _pair(in_memory(gathered["documents"]))
    frames = {name: gathered[name] for name in OUTPUT_TABLES}
    frames["documents"] = documents
    findings, evaluations = _recheck_pairs(
        frames, in_memory(gathered["findings"]), in_memory(gathered["evaluations"]), departments
    )
    return frames, findings, evaluations


def gather(
    files: list[tuple[str, str | None]],
    cache: DocCache,
    errors: dict[int, dict],
    redo: Callable[[str, str], None],
    departments: str | Path | None = None,
    spill: Path | None = None,
) -> tuple[dict[str, Frame], pl.DataFrame, pl.DataFrame]:
    """(extraction frames, findings, evaluations) of ``files`` (path, doc_id), in file order,
    once every task is done (:func:`gather_parts`, then :func:`finish_gather`).

    ``departments``: the department overrides CSV the cross-document rules honour. With
    ``spill`` (a folder the caller removes), the tables not in ``HELD_TABLES`` come back as
    lazy scans of parquet parts written there; without it, every frame is in memory.
    """
    return finish_gather(gather_parts(files, cache, errors, redo, spill), departments)


def in_memory(frame: Frame) -> pl.DataFrame:
    """A table of ``HELD_TABLES`` (never spilled), as the frame it is."""
    if not isinstance(frame, pl.DataFrame):
        raise TypeError("a held table was spilled")
    return frame


def _pair(documents: pl.DataFrame) -> pl.DataFrame:
    """Pairing over distinct contents (a copy of a file is not a second candidate)."""
    if documents.is_empty():
        return documents
    distinct = documents.filter(pl.col("doc_id").is_not_null()).unique("doc_id", keep="first", maintain_order=True)
    pairs = pair_documents(distinct.drop(*_PAIR_COLUMNS)).select("doc_id", *_PAIR_COLUMNS)
    return (
        documents.drop(*_PAIR_COLUMNS)
        .join(pairs, on="doc_id", how="left", maintain_order="left")
        .select(list(schema("documents")))
    )


CROSS_DOCUMENT_RULES: dict[str, tuple[str, ...]] = {"previous-year-change": ("claims",)}
"""Rules that read another document than their own (``ctx.previous``, the same department's
previous year), with the tables of their own document they read: a per-document task cannot
know the other document, so they are evaluated once every document is gathered, on those
tables only (tests/test_engine.py checks that every rule reading ``ctx.previous`` is listed,
with every table it reads)."""


def _rows(frame: Frame, keep: pl.Expr) -> pl.DataFrame:
    """The rows of an in-memory or spilled table that ``keep`` selects."""
    return frame.filter(keep).collect() if isinstance(frame, pl.LazyFrame) else frame.filter(keep)


def _recheck_pairs(
    frames: dict[str, Frame],
    findings: pl.DataFrame,
    evaluations: pl.DataFrame,
    departments: str | Path | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Paired files checked again with their partner's narrative (claims and texts), and the
    cross-document rules over every document, as the whole-batch check does; the other rules'
    results of each document's own task stand."""
    own_rules = [r for r in RULES if r not in CROSS_DOCUMENT_RULES]
    documents = in_memory(frames["documents"])
    paired = documents.filter(pl.col("paired_doc_id").is_not_null() & (pl.col("status") != "failed"))
    if paired.height:
        ids = paired["doc_id"].unique().to_list()
        related = set(ids) | set(paired["paired_doc_id"].to_list())
        subset: dict[str, pl.DataFrame] = {
            name: _rows(frames[name], pl.col("doc_id").is_in(list(related))) for name in OUTPUT_TABLES
        }
        subset["documents"] = paired
        new_findings, new_evaluations = run_checks(subset, rules=own_rules)
        findings = _replace_findings(findings, new_findings, pl.col("doc_id").is_in(ids))
        evaluations = _replace_evaluations(evaluations, new_evaluations)
    # only documents with a previous year can be judged by these rules (the others' tasks
    # already recorded them as not evaluated), and only their rows are passed
    previous = previous_documents(documents.to_dicts(), departments)
    if previous:
        ids = list(previous)
        read = {table for tables in CROSS_DOCUMENT_RULES.values() for table in tables}
        subset = {
            name: _rows(frames[name], pl.col("doc_id").is_in(ids)) if name in read else empty(name)
            for name in OUTPUT_TABLES
        }
        subset["documents"] = documents
        new_findings, new_evaluations = run_checks(
            subset, rules=list(CROSS_DOCUMENT_RULES), departments=departments, doc_ids=set(ids)
        )
    else:
        new_findings, new_evaluations = empty("findings"), empty("evaluations")
    findings = _replace_findings(findings, new_findings, pl.col("rule").is_in(list(CROSS_DOCUMENT_RULES)))
    return sort_findings(findings), _replace_evaluations(evaluations, new_evaluations)


def _replace_findings(findings: pl.DataFrame, new: pl.DataFrame, redone: pl.Expr) -> pl.DataFrame:
    return pl.concat([findings.filter(~redone), new], how="vertical_relaxed")


def _replace_evaluations(evaluations: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Evaluations with the (doc_id, rule) rows of ``new`` put in their place (row order kept)."""
    if new.is_empty():
        return evaluations
    update = new.unique(["doc_id", "rule"], keep="last", maintain_order=True).rename(
        {"status": "_status", "n_findings": "_n"}
    )
    return (
        evaluations.join(update, on=["doc_id", "rule"], how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_status", "status").alias("status"), pl.coalesce("_n", "n_findings").alias("n_findings")
        )
        .select(list(schema("evaluations")))
    )
