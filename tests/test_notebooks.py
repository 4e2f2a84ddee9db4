"""The research notebooks run from top to bottom on the demo district, and are stored clean.

Each notebook generates the synthetic district into a temporary folder when data/raw/demo is
absent, so this needs nothing but the installed package and a Jupyter kernel (ipykernel).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
BUDGET_SECONDS = 180  # each runs in well under a minute on a quiet machine; this catches a hang


def test_there_are_four_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb",
        "02_peer_comparison.ipynb",
        "03_anomaly_screening.ipynb",
        "04_budget_execution.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_only_analysis_polars_matplotlib(path):
    book = nbformat.read(path, as_version=4)
    allowed = {"analysis", "polars", "matplotlib", "pathlib", "tempfile"}
    for cell in (c for c in book.cells if c.cell_type == "code"):
        for line in cell.source.splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]):
                assert words[1].split(".")[0] in allowed, line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    # the kernel inherits TMPDIR: the notebook's temporary district goes under pytest's folder
    # (which pytest prunes) instead of piling up in /tmp on every run
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    book = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    # allow_errors: the client records a failing cell's error instead of raising, so the
    # assertion below is what fails, with the cell's exception in the message.
    NotebookClient(
        book,
        timeout=BUDGET_SECONDS,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - started
    errors = [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in book.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    assert elapsed < BUDGET_SECONDS, f"{path.name} took {elapsed:.0f} s"
    images = [o for c in book.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    if path.stem != "01_quickstart":
        assert images, "the plotting cells displayed no figure"
