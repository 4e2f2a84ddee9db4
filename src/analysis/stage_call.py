"""Stage modules that can be called as their verb: ``analysis.check(frames)``.

The library face names its functions after the CLI verbs (issue 16), and four of those names
are also the stage packages (``analysis.extract``, ``analysis.check``, ``analysis.compare``,
``analysis.report``). Python binds ``analysis.check`` to the package as soon as anything
imports it, so a plain function of that name could never be reached; instead each stage
module's class is swapped for one whose call forwards to the function of ``analysis.api``.
The modules keep working as modules for every import form.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any


class _StageModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        verb = self.__name__.rsplit(".", 1)[-1]
        return getattr(import_module("analysis.api"), verb)(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Let the module ``analysis.<verb>`` be called as ``analysis.api.<verb>``."""
    sys.modules[module_name].__class__ = _StageModule
