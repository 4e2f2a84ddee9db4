"""Screen Chinese government budget and final-account disclosures for errors and anomalies.

The library face mirrors the CLI (functions in :mod:`analysis.api`)::

    import analysis
    frames = analysis.check(analysis.extract("data/raw"))
    frames.findings.filter(frames.findings["severity"] == "error")
    analysis.report(analysis.compare(frames), "reports")

``extract``, ``check``, ``compare`` and ``report`` are the stage modules, callable as their
verb (:mod:`analysis.stage_call`); ``run`` and ``Frames`` come from :mod:`analysis.api` and
:mod:`analysis.frames`; ``panel`` (budget execution by department and year) from
:mod:`analysis.execution_panel`. Everything is imported on first use, so ``import analysis`` is cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib import metadata as _distribution  # not "metadata": that is analysis.metadata
from typing import Any

try:
    __version__ = _distribution.version("analysis")
except _distribution.PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"

from analysis.stage_call import STAGES as _STAGES
from analysis.stage_call import install as _install_stage_calls

_install_stage_calls()  # analysis.check(...) calls analysis.api.check; the stages need not know
_EXPORTS = {"run": "analysis.api", "Frames": "analysis.frames", "panel": "analysis.execution_panel"}


def __getattr__(name: str) -> Any:
    if name in _STAGES:
        return import_module(f"analysis.{name}")
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


__all__ = ["Frames", "__version__", "check", "compare", "extract", "panel", "report", "run"]
