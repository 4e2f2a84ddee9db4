"""The per-document cache file: rows come back exactly as written (values, dtypes, order), one
document or many at once, and every kind of bad file is discarded with a warning, never read."""

from __future__ import annotations

import logging
import struct
import zlib
from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.engine.cache import DOC_TABLES, MAGIC, DocCache, declared_schema_message, encode, split
from analysis.extract import combine, extract_file

DEMO = next((Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo").glob("*.txt"))


@pytest.fixture(scope="module")
def demo_frames() -> dict[str, pl.DataFrame]:
    frames = combine([extract_file(DEMO)])
    findings, evaluations = run_checks(frames)
    return {**frames, "findings": findings, "evaluations": evaluations}


def _other(frames: dict[str, pl.DataFrame], doc_id: str) -> dict[str, pl.DataFrame]:
    """The same rows as another document's (its doc_id changed)."""
    return {name: frame.with_columns(pl.lit(doc_id).alias("doc_id")) for name, frame in frames.items()}


def _assert_same(got: dict[str, pl.DataFrame], expected: dict[str, pl.DataFrame]) -> None:
    assert list(got) == list(DOC_TABLES)
    for name in DOC_TABLES:
        assert got[name].schema == expected[name].schema, name
        assert got[name].equals(expected[name]), name


def _rewrite(path: Path, streams: dict[str, bytes]) -> None:
    """A cache file of these streams with a valid checksum (damage a checksum cannot see)."""
    path.write_bytes(encode_streams(streams))


def encode_streams(streams: dict[str, bytes]) -> bytes:
    import json

    header = json.dumps([[n, len(s)] for n, s in streams.items()]).encode()
    payload = header + b"".join(streams.values())
    return struct.pack("<8sII", MAGIC, zlib.crc32(payload), len(header)) + payload


def test_a_document_reads_back_exactly_as_written(demo_frames, tmp_path):
    cache = DocCache(tmp_path, "k")
    assert demo_frames["line_items"].height > 50 and demo_frames["findings"].height > 0
    assert cache.read("aa11") is None and not cache.has("aa11")
    cache.write("aa11", demo_frames)
    assert cache.has("aa11") and cache.files() == [cache.path("aa11")]
    _assert_same(cache.read("aa11"), demo_frames)
    streams = split(cache.path("aa11").read_bytes())
    for name in DOC_TABLES:  # the usual file takes the fast path (schema compared as bytes)
        assert bytes(streams[name]).startswith(declared_schema_message(name)), name


def test_empty_tables_and_nulls_survive(demo_frames, tmp_path):
    cache = DocCache(tmp_path, "k")
    frames = {name: frame.clear() for name, frame in demo_frames.items()}
    frames["documents"] = demo_frames["documents"].with_columns(pl.lit(None, pl.String).alias("error"))
    cache.write("bb22", frames)
    _assert_same(cache.read("bb22"), frames)


def test_many_documents_read_at_once_equal_each_read_alone_in_order(demo_frames, tmp_path):
    cache = DocCache(tmp_path, "k")
    ids = ["cc01", "dd02", "ee03"]
    for doc_id in ids:
        cache.write(doc_id, _other(demo_frames, doc_id))
    frames, absent = cache.read_many(["ee03", "missing", "cc01", "ee03", "dd02"])
    assert absent == ["missing"]
    order = ["ee03", "cc01", "ee03", "dd02"]
    for name in DOC_TABLES:
        expected = pl.concat([cache.read(doc_id)[name] for doc_id in order])
        assert frames[name].schema == expected.schema and frames[name].equals(expected), name
    nothing, absent = cache.read_many([])
    assert absent == [] and all(nothing[n].is_empty() and nothing[n].columns == frames[n].columns for n in DOC_TABLES)


def _bad_files(cache: DocCache, frames: dict[str, pl.DataFrame]) -> dict[str, str]:
    """doc_id → the warning each bad file must give."""
    good = encode(frames)
    streams = {name: bytes(s) for name, s in split(good).items()}
    bad = {}
    cache.write("f0cut", frames)
    cache.path("f0cut").write_bytes(good[: len(good) // 2])
    bad["f0cut"] = "unreadable"
    cache.write("f1flip", frames)
    flipped = bytearray(good)
    flipped[len(flipped) // 2] ^= 0x10
    cache.path("f1flip").write_bytes(bytes(flipped))
    bad["f1flip"] = "unreadable"
    cache.write("f2old", frames)
    cache.path("f2old").write_bytes(b"PK\x03\x04 an archive of the previous layout")
    bad["f2old"] = "unreadable"
    renamed = dict(frames, documents=frames["documents"].rename({"doc_id": "document"}))
    cache.write("f3schema", renamed)
    bad["f3schema"] = "another schema"
    retyped = dict(frames, line_items=frames["line_items"].with_columns(pl.col("row_index").cast(pl.Int32)))
    cache.write("f4type", retyped)
    bad["f4type"] = "another schema"
    fewer = {n: s for n, s in streams.items() if n != "evaluations"}
    cache.write("f5tables", frames)
    _rewrite(cache.path("f5tables"), fewer)
    bad["f5tables"] = "another schema"
    # a body damaged behind a valid checksum and the declared schema message: only parsing can tell
    damaged = dict(streams, tables=declared_schema_message("tables") + b"\xff\xff\xff\xff\x10\x00\x00\x00garbage!")
    cache.write("f6body", frames)
    _rewrite(cache.path("f6body"), damaged)
    bad["f6body"] = "unreadable"
    return bad


def test_every_bad_file_is_discarded_with_a_warning(demo_frames, tmp_path, caplog):
    cache = DocCache(tmp_path, "k")
    bad = _bad_files(cache, demo_frames)
    for doc_id, warning in bad.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="analysis"):
            assert cache.read(doc_id) is None, doc_id
        assert warning in caplog.text and "discarded" in caplog.text, (doc_id, caplog.text)
        assert not cache.path(doc_id).exists(), doc_id


def test_bad_files_among_many_are_discarded_and_the_good_ones_kept(demo_frames, tmp_path, caplog):
    cache = DocCache(tmp_path, "k")
    bad = _bad_files(cache, demo_frames)
    good = ["a1", "a2"]
    for doc_id in good:
        cache.write(doc_id, _other(demo_frames, doc_id))
    order = ["a1", *bad, "a2"]
    with caplog.at_level(logging.WARNING, logger="analysis"):
        frames, absent = cache.read_many(order)
    assert sorted(absent) == sorted(bad)
    assert caplog.text.count("discarded") == len(bad)
    assert frames["documents"]["doc_id"].to_list() == good
    for name in DOC_TABLES:
        expected = pl.concat([_other(demo_frames, doc_id)[name] for doc_id in good])
        assert frames[name].equals(expected), name
    assert [p.stem for p in cache.files()] == good
