"""Stage modules that can be called as their verb: ``analysis.check(frames)``.

The library face names its functions after the CLI verbs (issue 16), and four of those names
are also the stage packages (``analysis.extract``, ``analysis.check``, ``analysis.compare``,
``analysis.report``). Python binds ``analysis.check`` to the package as soon as anything
imports it, so a plain function of that name could never be reached; instead each stage
module is loaded with a class whose call forwards to the function of ``analysis.api``.
The modules keep working as modules for every import form.

The package face (``analysis/__init__.py``) installs the loader: the stages themselves know
nothing of the library face, so no import runs from a stage up to ``api`` (no import circle).
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from importlib.machinery import PathFinder, SourceFileLoader
from typing import Any

STAGES = ("extract", "check", "compare", "report")


class _StageModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        verb = self.__name__.rsplit(".", 1)[-1]
        return getattr(import_module("analysis.api"), verb)(*args, **kwargs)


class _StageLoader(SourceFileLoader):
    def exec_module(self, module: types.ModuleType) -> None:
        module.__class__ = _StageModule
        super().exec_module(module)


class _StageFinder:
    """Finds the four stage modules as the path finder does, loading them as ``_StageModule``."""

    names = frozenset(f"analysis.{stage}" for stage in STAGES)

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname not in self.names:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _StageLoader(spec.loader.name, spec.loader.path)
        return spec


def install() -> None:
    """Load the stage modules callable from now on (and make any already loaded callable)."""
    if not any(isinstance(finder, _StageFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _StageFinder())
    for name in _StageFinder.names:
        if name in sys.modules:
            sys.modules[name].__class__ = _StageModule
