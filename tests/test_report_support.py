"""Shared by the report and pipeline tests: one small synthetic district run per session.

Not a test module of its own (it holds no tests); the report, browser and pipeline tests
import ``small_run`` so the district is generated and screened once.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from analysis.pipeline import RunResult, run
from analysis.synth import generate

DEPARTMENTS = 6
YEARS = (2024, 2025)


@cache
def small_run() -> tuple[Path, RunResult]:
    """(folder, result) of a run over a 6-department, 2-year district with planted anomalies."""
    root = Path(tempfile.mkdtemp(prefix="report-tests-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    generate(root / "raw", departments=DEPARTMENTS, years=YEARS, anomaly_rate=0.5, seed=3)
    return root, run([root / "raw"], root / "processed", root / "reports")
