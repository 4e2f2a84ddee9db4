"""One document's work: read, extract and check it, and put its rows in the cache.

This is the unit the local workers and the Dask workers run. It returns only a small note;
the rows go to the cache file, so the process that schedules a million documents never holds
their rows. Checks here see the document alone: the narrative of a paired file (the other half
of a Jiangsu disclosure) is only known once every document is done, so the engine checks paired
documents again afterwards (``analysis.engine.assemble``).
"""

from __future__ import annotations

import gc
from pathlib import Path

from analysis.check.runner import check_document
from analysis.engine.cache import DocCache
from analysis.extract import document_frames, document_rows, extract_file


def process_document(path: str, doc_id: str | None, cache_root: str, key: str) -> dict:
    """Extract and check ``path``; returns ``{"doc_id": …}`` when its rows are in the cache, or
    ``{"document": row}`` for a file without a content hash (unreadable: nothing to cache)."""
    cache = DocCache(Path(cache_root), key)
    if doc_id is not None and cache.has(doc_id):
        return {"doc_id": doc_id}
    extraction = extract_file(path)
    doc_id = extraction.document["doc_id"]
    if doc_id is None:
        return {"document": extraction.document}
    # the checks read the extraction's own rows (the frames are for the cache): a frame → dicts
    # round trip would cost more than most rules; the frames are built from those rows
    rows = document_rows(extraction)
    frames = document_frames(extraction, rows)
    findings, evaluations = check_document(frames["documents"].row(0, named=True), rows)
    cache.write(doc_id, {**frames, "findings": findings, "evaluations": evaluations})
    del frames, extraction, rows
    gc.collect(1)
    return {"doc_id": doc_id}
