"""Files written whole or not at all (``analysis.atomic_files``): the mode every output gets,
the previous file kept when a write fails, and no temporary name left behind."""

from __future__ import annotations

import os
import stat

import polars as pl
import pytest

from analysis.atomic_files import TEMP_PREFIX, atomic_path, temporary_name, write_bytes, write_parquet


@pytest.fixture
def umask():
    def set_umask(mask: int) -> None:
        os.umask(mask)

    saved = os.umask(0o022)
    os.umask(saved)
    yield set_umask
    os.umask(saved)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_an_output_gets_the_mode_the_umask_gives(tmp_path, umask, mask, mode):
    umask(mask)
    written = [
        write_parquet(pl.DataFrame({"a": [1]}), tmp_path / "t.parquet"),
        write_bytes(b"x", tmp_path / "t.bin"),
    ]
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [mode, mode]


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    target = write_bytes(b"previous", tmp_path / "t.bin")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("disk full halfway")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]


def test_temporary_names_are_distinct_and_marked_as_leftovers(tmp_path):
    names = {temporary_name(tmp_path / "t.parquet") for _ in range(1000)}
    assert len(names) == 1000
    assert all(n.name.startswith(TEMP_PREFIX) and n.suffix == ".parquet" and n.parent == tmp_path for n in names)
