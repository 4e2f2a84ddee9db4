"""The per-document cache: one file per document content, written whole or not at all.

A document's rows (every extraction table, its findings and rule evaluations) are one file,
``<cache>/<code key>/<doc_id[:2]>/<doc_id>.arrows``: keyed by the content hash of the file and
by a hash of the code that produced them, so a moved or renamed file reuses its rows and a
code change starts a new folder. Each file is written under a temporary name and renamed, so a
run killed at any point leaves finished documents whole and the rest absent; the next run only
does the rest. A file that cannot be read (cut short, a flipped bit: its checksum disagrees, or
of another format) or whose tables do not have the declared schema (written by other code) is
discarded with a warning and redone.

Layout (version 1): ``ADOCIPC1``, the CRC-32 of the rest and the length of a JSON header
(little-endian u32 each), the header ``[[table, bytes], …]``, then one uncompressed Arrow IPC
stream per table in ``DOC_TABLES`` order. A stream is the cheapest thing Polars writes and reads
(no zip, no file footer), and its schema message is compared as bytes with the one the declared
schema gives, so the usual file is checked without building a schema object (that check alone
cost more than reading the rows). ``read_many`` reads many documents at once: their streams of
one table are joined behind one schema message and parsed in one call.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import struct
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import polars as pl

from analysis.atomic_files import TEMP_PREFIX, atomic_path
from analysis.schema import empty, schema

logger = logging.getLogger(__name__)
DOC_TABLES = ("documents", "tables", "line_items", "claims", "targets", "texts", "findings", "evaluations")
SUFFIX = ".arrows"
MAGIC = b"ADOCIPC1"
"""First bytes of a cache file; the digit is the layout's version (another one is unreadable)."""
_PREFIX = struct.Struct("<8sII")  # magic, CRC-32 of everything after the prefix, header length
_CONTINUATION = b"\xff\xff\xff\xff"
_END_OF_STREAM = _CONTINUATION + b"\x00\x00\x00\x00"
_DICTIONARY_TYPES = (pl.Categorical, pl.Enum)  # their dictionary messages cannot be joined


class Unreadable(ValueError):
    """The bytes are not a whole cache file of this layout."""


def encode(frames: dict[str, pl.DataFrame]) -> bytes:
    """One document's tables as the bytes of its cache file."""
    streams = []
    for name in DOC_TABLES:
        buffer = io.BytesIO()
        frames[name].write_ipc_stream(buffer, compression="uncompressed")
        streams.append(buffer.getvalue())
    header = json.dumps([[name, len(s)] for name, s in zip(DOC_TABLES, streams)]).encode()
    payload = b"".join([header, *streams])
    return _PREFIX.pack(MAGIC, zlib.crc32(payload), len(header)) + payload


def split(data: bytes) -> dict[str, memoryview]:
    """The IPC stream of each table in a cache file's bytes; raises ``Unreadable``."""
    if len(data) < _PREFIX.size:
        raise Unreadable("shorter than its header")
    magic, crc, header_length = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise Unreadable(f"not a cache file of this version ({bytes(magic[:8])!r})")
    view = memoryview(data)[_PREFIX.size :]
    if zlib.crc32(view) != crc:
        raise Unreadable("checksum mismatch (cut short or changed)")
    try:
        entries = json.loads(bytes(view[:header_length]))
        streams, offset = {}, header_length
        for name, length in entries:
            streams[str(name)] = view[offset : offset + int(length)]
            offset += int(length)
    except (ValueError, TypeError) as error:
        raise Unreadable(f"header unreadable: {error}") from None
    if offset != len(view):
        raise Unreadable("its tables do not fill the file")
    return streams


def _schema_message(stream: memoryview | bytes) -> bytes:
    """The first message of an IPC stream (its schema), as bytes."""
    if len(stream) < 8 or bytes(stream[:4]) != _CONTINUATION:
        raise Unreadable("a table is not an Arrow IPC stream")
    (length,) = struct.unpack_from("<i", stream, 4)
    if length <= 0 or 8 + length > len(stream):
        raise Unreadable("a table's schema message is cut short")
    return bytes(stream[: 8 + length])


@cache
def declared_schema_message(name: str) -> bytes:
    """The schema message this code writes for table ``name``: a stream that starts with these
    bytes has exactly the declared columns and types."""
    buffer = io.BytesIO()
    empty(name).write_ipc_stream(buffer, compression="uncompressed")
    return _schema_message(buffer.getvalue())


@cache
def _joinable(name: str) -> bool:
    return not any(isinstance(dtype, _DICTIONARY_TYPES) for dtype in schema(name).dtypes())


class DocCache:
    """Rows of finished documents under ``root/key``."""

    def __init__(self, root: Path, key: str) -> None:
        self.root = Path(root)
        self.folder = self.root / key

    def path(self, doc_id: str) -> Path:
        return self.folder / doc_id[:2] / f"{doc_id}{SUFFIX}"

    def has(self, doc_id: str) -> bool:
        return self.path(doc_id).is_file()

    def files(self) -> list[Path]:
        """Every finished document's file (the file's stem is its doc_id)."""
        return sorted(self.folder.glob(f"*/*{SUFFIX}")) if self.folder.is_dir() else []

    def write(self, doc_id: str, frames: dict[str, pl.DataFrame]) -> None:
        data = encode(frames)
        with atomic_path(self.path(doc_id)) as temp:
            temp.write_bytes(data)

    def read(self, doc_id: str) -> dict[str, pl.DataFrame] | None:
        """The document's frames, or None when absent; an unreadable file or one of another
        schema is removed with a warning (the document is then done again)."""
        streams = self._streams(doc_id)
        return None if streams is None else self._frames(doc_id, streams)

    def read_many(self, doc_ids: Iterable[str]) -> tuple[dict[str, pl.DataFrame], list[str]]:
        """The rows of many documents at once: (one frame per table holding the rows of every
        document read, in the order of ``doc_ids``; the doc_ids whose file was absent or was
        discarded, as ``read`` would). A doc_id listed twice has its rows twice.

        The usual files (the declared schema) of a table are parsed as one stream; any other
        file is read alone, so its schema is checked and a bad one discarded as in ``read``."""
        parts: list[dict[str, pl.DataFrame]] = []
        batch: list[tuple[str, dict[str, memoryview]]] = []
        absent: list[str] = []
        for doc_id in doc_ids:
            streams = self._streams(doc_id)
            if streams is None:
                absent.append(doc_id)
            elif self._usual(streams):
                batch.append((doc_id, streams))
            else:
                frames = self._frames(doc_id, streams)
                if frames is None:
                    absent.append(doc_id)
                    continue
                parts += self._joined(batch, absent)
                batch = []
                parts.append(frames)
        parts += self._joined(batch, absent)
        if not parts:
            return {name: empty(name) for name in DOC_TABLES}, absent
        frames = {name: pl.concat([p[name] for p in parts], rechunk=False) for name in DOC_TABLES}
        return frames, absent

    def _streams(self, doc_id: str) -> dict[str, memoryview] | None:
        path = self.path(doc_id)
        try:
            streams = split(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, Unreadable) as error:
            self._discard(doc_id, f"unreadable ({error})")
            return None
        if list(streams) != list(DOC_TABLES):
            self._discard(doc_id, f"has another schema (tables {', '.join(streams)})")
            return None
        return streams

    def _usual(self, streams: dict[str, memoryview]) -> bool:
        try:
            return all(
                _joinable(name) and _schema_message(stream) == declared_schema_message(name)
                for name, stream in streams.items()
            )
        except Unreadable:
            return False

    def _frames(self, doc_id: str, streams: dict[str, memoryview]) -> dict[str, pl.DataFrame] | None:
        frames = {}
        for name, stream in streams.items():
            try:
                usual = _schema_message(stream) == declared_schema_message(name)
                frame = pl.read_ipc_stream(io.BytesIO(stream))
            except (Unreadable, pl.exceptions.PolarsError, OSError, pl.exceptions.PanicException) as error:
                self._discard(doc_id, f"unreadable ({type(error).__name__}: {error})")
                return None
            if not usual and frame.schema != schema(name):
                self._discard(doc_id, f"has another schema for {name}")
                return None
            frames[name] = frame
        return frames

    def _joined(self, batch: list[tuple[str, dict[str, memoryview]]], absent: list[str]) -> list[dict]:
        """The documents of ``batch`` (usual schema) parsed table by table as one stream each;
        when a stream does not parse (a file damaged behind a good checksum), each document is
        read alone and only the bad ones are discarded."""
        if not batch:
            return []
        try:
            frames = {}
            for name in DOC_TABLES:
                head = declared_schema_message(name)
                bodies = [streams[name][len(head) : len(streams[name]) - len(_END_OF_STREAM)] for _, streams in batch]
                if any(bytes(streams[name][-len(_END_OF_STREAM) :]) != _END_OF_STREAM for _, streams in batch):
                    raise Unreadable("a table's stream has no end marker")
                frames[name] = pl.read_ipc_stream(io.BytesIO(b"".join([head, *bodies, _END_OF_STREAM])))
            return [frames]
        except (Unreadable, pl.exceptions.PolarsError, OSError, pl.exceptions.PanicException):
            parts = []
            for doc_id, streams in batch:
                one = self._frames(doc_id, streams)
                if one is None:
                    absent.append(doc_id)
                else:
                    parts.append(one)
            return parts

    def _discard(self, doc_id: str, why: str) -> None:
        path = self.path(doc_id)
        logger.warning("cache file %s %s: discarded, the document is read again", path, why)
        path.unlink(missing_ok=True)

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
