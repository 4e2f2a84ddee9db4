"""Publishing a run's outputs as a whole (engine/publish.py): a process killed at every single
file-system step of a publish leaves, in each folder, the files of one run only (old or new,
complete, never mixed), and the next run's recovery makes both folders agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.atomic_files import TEMP_PREFIX, write_bytes
from analysis.engine.publish import CURRENT, GENERATIONS, JOURNAL, current_generation, publication, remove_leftovers

# what each run writes: names vary between runs, a sub-folder of pages included
PROCESSED_NAMES = {"old": ["a.parquet", "b.parquet"], "new": ["a.parquet", "b.parquet", "c.parquet"]}
PROCESSED_NAMES["third"] = ["a.parquet", "c.parquet"]
REPORT_NAMES = {run: ["report.html", "summary.md", "pages/x.html"] for run in PROCESSED_NAMES}
_STEPS = ("replace", "symlink", "link", "unlink", "rename", "rmdir", "mkdir")


def _write_run(processed: Path, reports: Path, run: str) -> None:
    for name in PROCESSED_NAMES[run]:
        write_bytes(f"{run}:{name}".encode(), processed / name)
    for name in REPORT_NAMES[run]:
        (reports / name).parent.mkdir(parents=True, exist_ok=True)
        write_bytes(f"{run}:{name}".encode(), reports / name)


def _write_old_layout(processed: Path, reports: Path) -> None:
    """Plain files, as the code before generations wrote them (and a log that is no output)."""
    _write_run(processed, reports, "old")
    (reports / "run.log").write_text("log of the old run")


def _publish_killed_at(step: int, processed: Path, reports: Path, run: str) -> int:
    """Publish ``run`` in a child process that dies (no clean-up, like SIGKILL) at its
    ``step``-th file-system call; the child's exit code (0: it finished)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            count = 0

            def counted(function):
                def call(*args, **kwargs):
                    nonlocal count
                    count += 1
                    if count == step:
                        os._exit(9)
                    return function(*args, **kwargs)

                return call

            for name in _STEPS:
                setattr(os, name, counted(getattr(os, name)))
            with publication(processed, reports) as (new_processed, new_reports):
                _write_run(new_processed, new_reports, run)
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _runs_seen(folder: Path, names: dict[str, list[str]]) -> set[str]:
    """The runs the folder's visible output files come from; asserts the set is one run's
    names exactly (none missing, none left over from another run)."""
    visible = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if relative.parts[0] in (CURRENT, GENERATIONS, JOURNAL, "run.log") or relative.name.startswith(TEMP_PREFIX):
            continue
        if path.is_file():
            visible[relative.as_posix()] = path.read_text().split(":")[0]
    runs = set(visible.values())
    assert len(runs) == 1, f"{folder.name} mixes runs: {visible}"
    (run,) = runs
    assert sorted(visible) == sorted(names[run]), f"{folder.name}: {sorted(visible)} are not run {run}'s files"
    return runs


@pytest.mark.parametrize("start", ["old layout", "previous generation"])
def test_a_publish_killed_at_any_step_shows_one_run_per_folder_and_recovers_to_one(tmp_path, start):
    steps, finished = 0, False
    while not finished:
        steps += 1
        assert steps < 500, "the publish never finished"
        processed, reports = tmp_path / f"{steps}" / "processed", tmp_path / f"{steps}" / "reports"
        processed.mkdir(parents=True)
        reports.mkdir(parents=True)
        _write_old_layout(processed, reports)
        before = "old"
        if start == "previous generation":
            with publication(processed, reports) as (p, r):
                _write_run(p, r, "new")
            before = "new"
        run = "new" if before == "old" else "third"
        code = _publish_killed_at(steps, processed, reports, run)
        finished = code == 0
        assert code in (0, 9), code
        # without a rerun: each folder is one run's files, complete
        seen = _runs_seen(processed, PROCESSED_NAMES) | _runs_seen(reports, REPORT_NAMES)
        assert seen <= {before, run}
        decided = (processed / JOURNAL).exists() or (reports / JOURNAL).exists()
        # the next run's start (under the lock) finishes or undoes the publish
        remove_leftovers(processed)
        remove_leftovers(reports)
        after = _runs_seen(processed, PROCESSED_NAMES) | _runs_seen(reports, REPORT_NAMES)
        assert len(after) == 1, f"step {steps}: the folders disagree after recovery: {after}"
        if decided or finished:
            assert after == {run}
        for folder in (processed, reports):
            assert not list(folder.glob(f"{TEMP_PREFIX}*")) and not (folder / JOURNAL).exists()
            generations = (
                sorted(p.name for p in (folder / GENERATIONS).iterdir()) if (folder / GENERATIONS).exists() else []
            )
            assert generations == ([current_generation(folder)] if current_generation(folder) else [])
        assert (reports / "run.log").read_text() == "log of the old run"  # not an output: untouched
    assert steps > 10  # the publish was interrupted at every one of its steps before it finished


def test_a_failed_run_publishes_nothing(tmp_path):
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    processed.mkdir()
    reports.mkdir()
    with publication(processed, reports) as (p, r):
        _write_run(p, r, "old")
    with pytest.raises(OSError), publication(processed, reports) as (p, r):
        _write_run(p, r, "new")
        raise OSError(28, "No space left on device")
    assert _runs_seen(processed, PROCESSED_NAMES) == {"old"} == _runs_seen(reports, REPORT_NAMES)
    assert len(list((processed / GENERATIONS).iterdir())) == 1


def test_one_folder_for_both_outputs(tmp_path):
    both = tmp_path / "out"
    both.mkdir()
    with publication(both, both) as (p, r):
        assert p == r
        write_bytes(b"x", p / "a.parquet")
        write_bytes(b"y", r / "report.html")
    assert (both / "a.parquet").read_bytes() == b"x" and (both / "report.html").read_bytes() == b"y"


def test_without_symbolic_links_the_files_are_renamed_into_place(tmp_path, monkeypatch, caplog):
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    processed.mkdir()
    reports.mkdir()
    _write_old_layout(processed, reports)

    def refused(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", refused)
    with publication(processed, reports) as (p, r):
        _write_run(p, r, "new")
    assert _runs_seen(processed, PROCESSED_NAMES) == {"new"} == _runs_seen(reports, REPORT_NAMES)
    assert not any(path.is_symlink() for path in [*processed.rglob("*"), *reports.rglob("*")])
    assert not list(processed.glob(f"{TEMP_PREFIX}*")) and "no symbolic links" in caplog.text
