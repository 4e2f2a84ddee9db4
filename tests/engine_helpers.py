"""Tasks for the engine's fault tests (module-level, so worker processes can import them)."""

from __future__ import annotations

import time
from pathlib import Path

from analysis.engine.task import process_document


def hanging_task(path: str, doc_id: str | None, cache_root: str, key: str) -> dict:
    """The real task, except that a file named ``hang*`` never finishes (a stuck reader)."""
    if Path(path).name.startswith("hang"):
        time.sleep(3600)
    return process_document(path, doc_id, cache_root, key)


def dying_task(path: str, doc_id: str | None, cache_root: str, key: str) -> dict:
    """The real task, except that a file named ``die*`` kills its worker (a crash in C code)."""
    if Path(path).name.startswith("die"):
        import os

        os._exit(9)
    return process_document(path, doc_id, cache_root, key)
