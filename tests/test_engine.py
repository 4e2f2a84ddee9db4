"""The run engine (issue 14): per-document tasks on worker processes, the resumable per-document
cache, atomic outputs and the folder lock, and the faults they must survive (a hanging or dying
worker, a kill at any point, a full disk, two runs on one folder, a cache file of another schema)."""

from __future__ import annotations

import errno
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from analysis.atomic_files import TEMP_PREFIX
from analysis.check import run_checks
from analysis.commands.run import run_command
from analysis.engine import run_documents
from analysis.engine.atomic import LOCK_NAME, folder_lock
from analysis.engine.cache import DocCache
from analysis.extract import OUTPUT_TABLES, extract_paths
from analysis.pipeline import cache_key, run
from analysis.read import discover
from analysis.synth import generate
from engine_helpers import dying_task, hanging_task

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("engine") / "raw"
    generate(raw, departments=3, years=(2024, 2025), anomaly_rate=0.5, seed=11)
    return raw


@pytest.fixture(scope="module")
def reference(district, tmp_path_factory) -> Path:
    """A run of the district with one worker: what every other way of running must give."""
    out = tmp_path_factory.mktemp("reference")
    run([district], out / "processed", out / "reports", department_charts=False, jobs=1)
    return out


def _outputs(out: Path) -> dict[str, pl.DataFrame]:
    return {p.name: pl.read_parquet(p) for p in sorted((out / "processed").glob("*.parquet"))}


def assert_same_outputs(out: Path, expected: Path) -> None:
    got, want = _outputs(out), _outputs(expected)
    assert got.keys() == want.keys()
    ordered = {f"{n}.parquet" for n in (*OUTPUT_TABLES, "findings", "evaluations")}
    for name in want:  # the compare stage's own tables come in group order (not the engine's)
        assert_frame_equal(got[name], want[name], check_exact=False, check_row_order=name in ordered), name
    summary = [(out / "reports" / "summary.md").read_text().splitlines()[1:] for out in (out, expected)]
    assert summary[0] == summary[1]


def test_two_workers_give_the_outputs_of_one(district, reference, tmp_path):
    result = run([district], tmp_path / "processed", tmp_path / "reports", department_charts=False, jobs=2)
    assert result.extracted == 6 and result.cached == 0
    assert_same_outputs(tmp_path, reference)


def test_per_document_tasks_give_the_whole_batch_frames_and_findings(district, tmp_path):
    """Extraction and checks document by document in workers = the whole-batch functions."""
    paths = discover([district])
    batch = extract_paths(paths)
    findings, evaluations = run_checks(batch)
    done = run_documents(paths, tmp_path / "cache", "k", jobs=2)
    for name in OUTPUT_TABLES:
        assert_frame_equal(done.frames[name], batch[name]), name
    assert_frame_equal(done.findings, findings)
    assert_frame_equal(done.evaluations, evaluations)
    assert findings.filter(pl.col("severity") == "error").height > 0  # the planted errors are there


def test_a_hanging_document_is_stopped_at_the_time_limit(district, tmp_path):
    paths = discover([district])
    (tmp_path / "hang.txt").write_text(paths[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    started = time.monotonic()
    done = run_documents(
        [*paths, tmp_path / "hang.txt"], tmp_path / "cache", "k", jobs=2, time_limit=4, task=hanging_task
    )
    assert time.monotonic() - started < 120
    documents = done.frames["documents"]
    hung = documents.filter(pl.col("path") == str(tmp_path / "hang.txt")).row(0, named=True)
    assert hung["status"] == "failed" and "time limit" in hung["error"]
    assert documents.filter(pl.col("path") != str(tmp_path / "hang.txt"))["status"].to_list().count("failed") == 0
    assert not DocCache(tmp_path / "cache", "k").has(hung["doc_id"])  # tried again next run


def test_a_dying_worker_fails_its_document_and_the_batch_goes_on(district, tmp_path):
    paths = discover([district])
    (tmp_path / "die.txt").write_text(paths[1].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    done = run_documents([tmp_path / "die.txt", *paths], tmp_path / "cache", "k", jobs=1, task=dying_task)
    documents = done.frames["documents"]
    assert documents.height == len(paths) + 1
    assert documents.row(0, named=True)["status"] == "failed"
    assert "exit code" in documents.row(0, named=True)["error"]
    assert documents["status"].to_list()[1:].count("failed") == 0


def _cli(raw: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", str(raw), "--out", str(out), "-q", "--jobs", "2", *extra],
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _cache_files_whole(out: Path) -> int:
    cache = DocCache(out / "processed" / "cache", cache_key())
    files = cache.files()
    for path in files:
        assert cache.read(path.stem) is not None, path
    return len(files)


def test_killed_at_random_points_a_rerun_finishes_with_identical_outputs(district, reference, tmp_path):
    out = tmp_path / "out"
    first = _cli(district, out)
    assert first.wait(600) == 0, first.stderr.read().decode()
    complete = {p.name: p.read_bytes() for p in (out / "processed").glob("*.parquet")}
    shutil.rmtree(out)
    rng = random.Random(14)
    for attempt in range(3):
        process = _cli(district, out, "--fresh" if attempt == 0 else "--quiet")
        time.sleep(rng.uniform(0.5, 6.0))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _cache_files_whole(out)  # whatever is in the cache is whole: no half-written file
        for name, _data in complete.items():  # an output is either absent or whole
            target = out / "processed" / name
            if target.exists():
                pl.read_parquet(target)
    last = _cli(district, out)
    assert last.wait(600) == 0, last.stderr.read().decode()
    assert _cache_files_whole(out) == 6
    assert not list((out / "processed").glob(f"{TEMP_PREFIX}*"))
    assert_same_outputs(out, reference)


def test_a_second_run_on_the_same_folder_stops_at_once_with_exit_2(district, tmp_path):
    out = tmp_path / "out"
    with folder_lock(out / "processed"):
        started = time.monotonic()
        result = CliRunner().invoke(run_command, [str(district), "--out", str(out), "-q"])
        assert result.exit_code == 2
        assert "in use by another run" in result.output and time.monotonic() - started < 10
    assert not (out / "reports" / "report.html").exists()
    assert CliRunner().invoke(run_command, [str(district), "--out", str(out), "-q", "--jobs", "2"]).exit_code == 0
    assert (out / "processed" / LOCK_NAME).exists()  # the lock dies with its holder; the file stays


def test_two_concurrent_runs_one_works_one_is_refused(district, reference, tmp_path):
    out = tmp_path / "out"
    first = _cli(district, out)
    time.sleep(1.0)
    second = _cli(district, out)
    codes = sorted([first.wait(600), second.wait(600)])
    assert codes == [0, 2]
    assert_same_outputs(out, reference)


def test_a_full_disk_gives_one_line_and_keeps_the_previous_outputs(district, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert CliRunner().invoke(run_command, [str(district), "--out", str(out), "-q", "--jobs", "2"]).exit_code == 0
    before = {
        p: p.read_bytes()
        for p in [*(out / "processed").glob("*.parquet"), *(out / "reports").glob("*.*")]
        if p.name != "run.log" and p.is_file()
    }
    real_write = pl.DataFrame.write_parquet
    calls = []

    def full_disk(self, file, *args, **kwargs):
        calls.append(file)
        if len(calls) == 3:  # a few files written, then the disk is full halfway through one
            Path(file).write_bytes(b"PAR1 truncated")
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_write(self, file, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_disk)
    result = CliRunner().invoke(run_command, [str(district), "--out", str(out), "-q", "--jobs", "2"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "no space left on the device" in result.output and "previous outputs are unchanged" in result.output
    assert len(calls) >= 3
    report_files = {p: d for p, d in before.items() if p.parent.name == "reports"}
    assert all(p.read_bytes() == d for p, d in report_files.items())  # reports not rewritten
    for path in (out / "processed").glob("*.parquet"):
        pl.read_parquet(path)  # every parquet file whole (old or new), none truncated
    assert not list((out / "processed").glob(f"{TEMP_PREFIX}*"))


def test_a_cache_file_of_another_schema_is_discarded_with_a_warning(district, reference, tmp_path, caplog):
    out = tmp_path
    run([district], out / "processed", out / "reports", department_charts=False, jobs=2)
    cache = DocCache(out / "processed" / "cache", cache_key())
    first, second = cache.files()[:2]
    frames = cache.read(first.stem)
    assert frames is not None
    frames["documents"] = frames["documents"].rename({"doc_id": "document"})  # written by other code
    cache.write(first.stem, frames)
    second.write_bytes(second.read_bytes()[:100])  # and one cut short by something else
    with caplog.at_level(logging.WARNING, logger="analysis"):
        result = run([district], out / "processed", out / "reports", department_charts=False, jobs=2)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "another schema" in messages and "unreadable" in messages
    assert result.documents["status"].to_list().count("failed") == 0
    assert_same_outputs(out, reference)


def test_every_rule_reading_another_document_is_evaluated_after_the_tasks():
    import inspect

    from analysis.check import RULES
    from analysis.engine.assemble import CROSS_DOCUMENT_RULES

    reading = {rule_id for rule_id, rule in RULES.items() if "ctx.previous" in inspect.getsource(rule.check)}
    assert reading and reading <= set(CROSS_DOCUMENT_RULES)
    # the recheck passes a rule only the tables it declares: every table its source reads is one
    table_of = {
        "items": "line_items", "item_rows": "line_items", "rows": "line_items", "table": "line_items",
        "value": "line_items", "keyed_rows": "line_items", "items_by_kind": "line_items",
        "tables": "tables", "table_info": "tables", "scale": "tables", "kinds": "tables",
        "table_rows": "tables", "claims": "claims", "claim_rows": "claims", "claim_dicts": "claims", "ordered_claims": "claims", "claims_by_sentence": "claims",
        "claims_by_section": "claims", "targets": "targets", "target_rows": "targets",
        "texts": "texts", "text_rows": "texts",
    }  # fmt: skip
    for rule_id, declared in CROSS_DOCUMENT_RULES.items():
        used = set(re.findall(r"ctx\.(\w+)", inspect.getsource(RULES[rule_id].check)))
        assert used <= set(table_of) | {"document", "previous", "tolerance", "where", "memo"}, used
        assert {table_of[name] for name in used if name in table_of} <= set(declared)


def test_a_dask_local_cluster_gives_the_outputs_of_a_local_run(district, reference, tmp_path):
    distributed = pytest.importorskip("distributed", reason="Dask distributed is installed by make test ([dask] extra)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run(
            [district],
            tmp_path / "processed",
            tmp_path / "reports",
            department_charts=False,
            scheduler=cluster.scheduler_address,
        )
    assert result.extracted == 6
    assert_same_outputs(tmp_path, reference)


def test_an_unreachable_scheduler_is_a_clear_error(district, tmp_path):
    pytest.importorskip("distributed")
    result = CliRunner().invoke(
        run_command, [str(district), "--out", str(tmp_path), "-q", "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output


def test_a_hanging_document_on_a_dask_cluster_is_stopped_at_the_time_limit(district, tmp_path):
    """The time limit holds on ``--scheduler`` too: the stuck document fails, the others finish
    on the same workers, and the hung child does not hold the run."""
    distributed = pytest.importorskip("distributed", reason="Dask distributed is installed by make test ([dask] extra)")
    paths = discover([district])
    hang = tmp_path / "hang.txt"
    hang.write_text(paths[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        started = time.monotonic()
        done = run_documents(
            [hang, *paths],
            tmp_path / "cache",
            "k",
            time_limit=10,  # well above a document's seconds on a loaded machine
            scheduler=cluster.scheduler_address,
            task=hanging_task,
        )
        elapsed = time.monotonic() - started
    assert elapsed < 120
    documents = done.frames["documents"]
    hung = documents.filter(pl.col("path") == str(hang)).row(0, named=True)
    assert hung["status"] == "failed" and "time limit" in hung["error"]
    assert documents.filter(pl.col("path") != str(hang))["status"].to_list().count("failed") == 0
    assert documents.height == len(paths) + 1
    assert not DocCache(tmp_path / "cache", "k").has(hung["doc_id"])


def test_a_dying_document_on_a_dask_cluster_fails_alone(district, tmp_path):
    distributed = pytest.importorskip("distributed", reason="Dask distributed is installed by make test ([dask] extra)")
    paths = discover([district])
    die = tmp_path / "die.txt"
    die.write_text(paths[1].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        done = run_documents(
            [die, *paths], tmp_path / "cache", "k", scheduler=cluster.scheduler_address, task=dying_task
        )
    documents = done.frames["documents"]
    assert documents.row(0, named=True)["status"] == "failed" and "exit code" in documents.row(0, named=True)["error"]
    assert documents["status"].to_list()[1:].count("failed") == 0
