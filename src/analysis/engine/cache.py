"""The per-document cache: one file per document content, written whole or not at all.

A document's rows (every extraction table, its findings and rule evaluations) are one zip of
Arrow IPC streams, ``<cache>/<code key>/<doc_id[:2]>/<doc_id>.zip``: keyed by the content hash
of the file and by a hash of the code that produced them, so a moved or renamed file reuses
its rows and a code change starts a new folder. Each file is written under a temporary name
and renamed, so a run killed at any point leaves finished documents whole and the rest
absent; the next run only does the rest. A file that cannot be read, or whose tables do not
have the declared schema (written by other code), is discarded with a warning and redone.
"""

from __future__ import annotations

import io
import logging
import shutil
import zipfile
from pathlib import Path

import polars as pl

from analysis.engine.atomic import TEMP_PREFIX, atomic_path
from analysis.schema import schema

logger = logging.getLogger(__name__)
DOC_TABLES = ("documents", "tables", "line_items", "claims", "targets", "texts", "findings", "evaluations")
SUFFIX = ".zip"


class DocCache:
    """Rows of finished documents under ``root/key``."""

    def __init__(self, root: Path, key: str) -> None:
        self.root = Path(root)
        self.folder = self.root / key

    def path(self, doc_id: str) -> Path:
        return self.folder / doc_id[:2] / f"{doc_id}{SUFFIX}"

    def has(self, doc_id: str) -> bool:
        return self.path(doc_id).is_file()

    def write(self, doc_id: str, frames: dict[str, pl.DataFrame]) -> None:
        target = self.path(doc_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for name in DOC_TABLES:
                stream = io.BytesIO()
                frames[name].write_ipc(stream, compression="uncompressed")
                archive.writestr(name, stream.getvalue())
        with atomic_path(target) as temp:
            temp.write_bytes(buffer.getvalue())

    def read(self, doc_id: str) -> dict[str, pl.DataFrame] | None:
        """The document's frames, or None when absent; an unreadable file or one of another
        schema is removed with a warning (the document is then done again)."""
        path = self.path(doc_id)
        try:
            with zipfile.ZipFile(path) as archive:
                frames = {name: pl.read_ipc(io.BytesIO(archive.read(name))) for name in DOC_TABLES}
        except FileNotFoundError:
            return None
        except (OSError, KeyError, zipfile.BadZipFile, pl.exceptions.PolarsError) as error:
            logger.warning("cache file %s unreadable (%s): discarded, the document is read again", path, error)
            path.unlink(missing_ok=True)
            return None
        for name, frame in frames.items():
            if frame.schema != schema(name):
                logger.warning(
                    "cache file %s has another schema for %s: discarded, the document is read again", path, name
                )
                path.unlink(missing_ok=True)
                return None
        return frames

    def prune(self) -> None:
        """Remove caches of other code (other key folders, the whole-batch cache of earlier
        versions) and temporary files of killed runs."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry == self.folder:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if self.folder.is_dir():
            for temp in self.folder.glob(f"*/{TEMP_PREFIX}*"):
                temp.unlink(missing_ok=True)
