"""The report's child process (report/child.py): it writes the workbook the parent writes and
shares the department pages (the same files as the parent alone writes), a failure in the child
is one ``ChildFailed`` with errno and file name, a child that dies is named with its exit code,
and a failed report leaves the previous files whole and no temporary file behind."""

from __future__ import annotations

import errno
import zipfile

import pytest

import analysis.report as report
from analysis.report import write_reports
from analysis.report.child import CHILD_FROM_ROWS, ChildFailed, ReportChild, wanted
from analysis.report.department_pages import CHUNK, claims
from analysis.report.workbook import write_workbook
from test_report_scale import _batch


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        # the creation time is the only thing two writes of one workbook may differ in
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def test_the_child_writes_the_workbook_the_parent_writes(tmp_path):
    data = _batch(5, 40, unknown=2)
    here = write_workbook(data, tmp_path / "here.xlsx")
    there = ReportChild(data, tmp_path / "there.xlsx").wait()
    assert _members(there) == _members(here)


@pytest.mark.parametrize("departments", [70, 5])  # pages shared with the child; an inline overview
def test_write_reports_gives_the_same_files_with_and_without_the_child(tmp_path, departments):
    data = _batch(departments, 300)
    first = write_reports(data, tmp_path / "a", child_process=True)
    second = write_reports(data, tmp_path / "b", child_process=False)
    assert _members(first["workbook"]) == _members(second["workbook"])
    for key in ("html", "summary"):
        assert first[key].read_bytes() == second[key].read_bytes()
    pages = {p.name: p.read_bytes() for p in first["departments"].iterdir()}
    assert pages == {p.name: p.read_bytes() for p in second["departments"].iterdir()}
    assert len(pages) == departments
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]  # no temporary left


def test_two_claimers_share_the_pages_without_overlap():
    import multiprocessing

    names = [f"d{n}" for n in range(3 * CHUNK + 7)]
    counter = multiprocessing.get_context("spawn").Value("q", 0)
    first, second = claims(names, counter), claims(names, counter)
    taken: list[str] = []
    while chunk := (first() if len(taken) % 2 == 0 else second()):
        taken += chunk
    assert taken == names
    assert first() == second() == []


def test_only_large_batches_start_a_child():
    assert not wanted(_batch(3, 9))
    assert wanted(_batch(3, CHILD_FROM_ROWS))


def test_an_os_error_in_the_child_keeps_its_errno_and_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ChildFailed) as caught:
        ReportChild(_batch(2, 4), blocker / "w.xlsx").wait()
    assert caught.value.errno in (errno.EEXIST, errno.ENOTDIR)
    assert "a-file" in str(caught.value.filename)
    assert "\n" not in str(caught.value)


def test_a_child_that_dies_is_named_with_its_exit_code(tmp_path):
    child = ReportChild(_batch(2, 4), tmp_path / "w.xlsx")
    child._process.kill()  # long before it has imported Polars
    with pytest.raises(ChildFailed, match="exit code -9"):
        child.wait()


def test_a_failed_child_leaves_the_previous_reports_whole(tmp_path, monkeypatch):
    data = _batch(70, 300)
    out = tmp_path / "reports"
    write_reports(data, out, child_process=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    original = report.temporary_name
    # the child's temporary name is unwritable: the child fails after the parent wrote its files
    monkeypatch.setattr(
        report, "temporary_name", lambda path: blocker / path.name if path.suffix == ".xlsx" else original(path)
    )
    with pytest.raises(ChildFailed):
        write_reports(data, out, child_process=True)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_child_that_cannot_start_leaves_the_work_to_the_parent(tmp_path, monkeypatch):
    import analysis.report.child as child

    def refuse(*args, **kwargs):
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(child, "ReportChild", refuse)
    data = _batch(70, 300)
    paths = write_reports(data, tmp_path / "a", child_process=True)
    assert _members(paths["workbook"]) == _members(write_workbook(data, tmp_path / "w.xlsx"))
    assert len(list(paths["departments"].iterdir())) == 70


def test_analysis_report_prints_a_failed_child_as_one_line_and_exits_1(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import analysis.api as api
    from analysis.commands.report import report_command

    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "documents.parquet").write_bytes(b"")  # the command only looks for it

    def failing_report(*args, **kwargs):
        raise ChildFailed(errno.ENOSPC, "report child process: No space left on device", "workbook.xlsx")

    monkeypatch.setattr(api, "report", failing_report)
    result = CliRunner().invoke(report_command, [str(processed), "--out", str(tmp_path / "reports")])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "no space left on the device (workbook.xlsx)" in result.output
    assert "previous outputs are unchanged" in result.output
