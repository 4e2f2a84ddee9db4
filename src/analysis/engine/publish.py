"""Publishing a run's outputs as a whole: every output file of a run, or none, is what a reader
sees, in ``processed/`` and in ``reports/`` alike.

Renaming files into place one by one (what :func:`~analysis.atomic_files.atomic_path` does for
one file) leaves a mix of old and new files when a run is killed between two renames. So a
run writes its outputs into a *generation* folder, ``<folder>/.generations/<id>/``, and the
names users know stay put as relative symbolic links through one switch::

    processed/findings.parquet -> .current/findings.parquet
    processed/.current         -> .generations/<id>
    reports/report.html        -> .current/report.html   (reports/ has its own switch)
    reports/pages/a.html       -> ../.current/pages/a.html (folders stay real folders, so
                                                           ``rglob`` and file managers see them)

Publishing replaces ``.current`` by one ``rename`` (atomic on POSIX file systems): every link of
the folder turns to the new generation at once, so within a folder the files always belong to
one run, with or without a rerun. A name the new run writes for the first time gets its link
before the switch (it then reads as absent until the switch), a name it no longer writes loses
its link after it; a reader checking ``exists()`` sees exactly the current generation's files.

Two folders (``processed`` and ``reports``) need two switches. Before the first, a journal
(``.publish.json`` in each folder, itself written whole) names the generations of both; the
next run's :func:`recover` of either folder finishes a publish a journal records, so after a kill between the two
switches a rerun, even one that then fails, starts from one run's outputs in both folders.
Generations that are not current (a run killed while writing, or the previous outputs) are
removed once nothing can point at them; a file a reader already opened stays readable (POSIX).

A folder written by earlier code (plain files) is adopted on the first publish: its files move
into a generation of their own, each replaced by its link with the same content, so even that
one-time change never shows a mix. On a file system without symbolic links (some network shares) the files are renamed into place
one by one, as before, with a warning. Copying an output folder works (``cp -r`` copies the links
and their relative targets, ``zip`` and ``shutil.copytree`` copy the files).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.atomic_files import TEMP_PREFIX, write_bytes

logger = logging.getLogger(__name__)
CURRENT = ".current"
GENERATIONS = ".generations"
JOURNAL = ".publish.json"
_ADOPTED = "adopted"


def _link_target(relative: str) -> str:
    """Target of the link at ``relative`` (a posix path inside the folder), through the switch."""
    return "../" * relative.count("/") + f"{CURRENT}/{relative}"


def _is_our_link(path: Path, relative: str) -> bool:
    return path.is_symlink() and os.readlink(path) == _link_target(relative)


def _files(generation: Path) -> list[str]:
    """Relative posix paths of a generation's files."""
    return sorted(p.relative_to(generation).as_posix() for p in generation.rglob("*") if not p.is_dir())


def _replace_by_symlink(path: Path, target: str) -> None:
    """``path`` becomes a link to ``target`` in one rename (never absent in between)."""
    temp = path.with_name(f"{TEMP_PREFIX}{path.name}-{os.getpid()}-{time.monotonic_ns()}")
    os.symlink(target, temp)
    os.replace(temp, path)


def current_generation(folder: Path) -> str | None:
    """Name of the folder's current generation (None: no publish yet, or written by older code)."""
    switch = Path(folder) / CURRENT
    return Path(os.readlink(switch)).name if switch.is_symlink() else None


@contextmanager
def publication(*folders: Path) -> Iterator[list[Path]]:
    """One empty generation folder per output folder, to write the run's outputs into; when the
    block ends without error, all of them are published together (:func:`publish`), otherwise
    they are removed and the previous outputs stay as they were."""
    finals = list(dict.fromkeys(Path(f).resolve() for f in folders))
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    stages = {}
    for final in finals:
        stage = final / GENERATIONS / name
        stage.mkdir(parents=True)
        stages[final] = stage
    committed = False
    try:
        yield [stages[Path(f).resolve()] for f in folders]
        committed = True
        publish([(final, name) for final in finals])
    finally:
        if not committed:
            for stage in stages.values():
                shutil.rmtree(stage, ignore_errors=True)


def publish(switches: list[tuple[Path, str]]) -> None:
    """Turn each folder to its generation: journals, switches, journals removed, then tidy."""
    record = json.dumps([[str(folder), name] for folder, name in switches]).encode()
    for folder, _name in switches:
        write_bytes(record, folder / JOURNAL)
    _finish(switches)


def _finish(switches: list[tuple[Path, str]]) -> None:
    for folder, name in switches:
        _switch(folder, name)
    for folder, _name in switches:
        (folder / JOURNAL).unlink(missing_ok=True)
    for folder, _name in switches:
        tidy(folder)


def _symlinks_work(folder: Path) -> bool:
    probe = folder / f"{TEMP_PREFIX}probe-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.symlink(CURRENT, probe)
    except OSError:
        return False
    probe.unlink()
    return True


def _rename_one_by_one(folder: Path, generation: Path) -> None:
    """Without symbolic links (some network shares): each file renamed over its name, as
    before generations; each file stays whole, the set of files may mix for a moment."""
    logger.warning("%s: no symbolic links on this file system; outputs are renamed one by one", folder)
    for relative in _files(generation):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        if (folder / relative).is_symlink():
            (folder / relative).unlink()
        os.replace(generation / relative, folder / relative)
    (folder / CURRENT).unlink(missing_ok=True)
    shutil.rmtree(generation, ignore_errors=True)


def _switch(folder: Path, name: str) -> None:
    if not _symlinks_work(folder):
        _rename_one_by_one(folder, folder / GENERATIONS / name)
        return
    files = _files(folder / GENERATIONS / name)
    _adopt(folder, files)
    for relative in files:  # links of new names first: absent until the switch, then present
        link = folder / relative
        if not _is_our_link(link, relative):
            link.parent.mkdir(parents=True, exist_ok=True)
            _replace_by_symlink(link, _link_target(relative))
    _replace_by_symlink(folder / CURRENT, f"{GENERATIONS}/{name}")


def _adopt(folder: Path, files: list[str]) -> None:
    """Plain files where a generation will put links (outputs of older code) move into a
    generation of their own, each replaced by a link with the same content."""
    plain = [r for r in files if (folder / r).is_file() and not (folder / r).is_symlink()]
    if not plain:
        return
    if current_generation(folder) is None:
        (folder / GENERATIONS / _ADOPTED).mkdir(parents=True, exist_ok=True)
        _replace_by_symlink(folder / CURRENT, f"{GENERATIONS}/{_ADOPTED}")
    current = (folder / CURRENT).resolve()
    for relative in plain:
        kept = current / relative
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.unlink(missing_ok=True)
        os.link(folder / relative, kept)  # same content, no copy
        _replace_by_symlink(folder / relative, _link_target(relative))


def tidy(folder: Path) -> None:
    """Generations that are not current, with the links to names only they had."""
    folder = Path(folder)
    current = current_generation(folder)
    generations = folder / GENERATIONS
    if not generations.is_dir():
        return
    for generation in generations.iterdir():
        if generation.name == current:
            continue
        for relative in _files(generation):
            link = folder / relative
            if _is_our_link(link, relative) and not link.exists():
                link.unlink()
                _remove_empty_parents(link.parent, folder)
        shutil.rmtree(generation, ignore_errors=True)


def _remove_empty_parents(directory: Path, folder: Path) -> None:
    while directory != folder and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def recover(folder: Path) -> None:
    """At the start of a run (under the folder lock): finish a publish that a killed run had
    decided (its journal is in ``folder``), and remove what a killed run left unpublished."""
    folder = Path(folder)
    journal = folder / JOURNAL
    if journal.is_file():
        try:
            switches = [(Path(f), name) for f, name in json.loads(journal.read_text())]
        except (OSError, ValueError):
            switches = []
        if switches and all((f / GENERATIONS / name).is_dir() for f, name in switches):
            _finish(switches)
        else:
            journal.unlink(missing_ok=True)
    tidy(folder)


def remove_leftovers(folder: Path) -> None:
    """Temporary files of a run that was killed before it could rename them, and its outputs'
    publish finished or undone (:func:`recover`)."""
    if folder.is_dir():
        for entry in folder.glob(f"{TEMP_PREFIX}*"):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        recover(folder)
