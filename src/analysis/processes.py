"""Helpers for the child processes the engine and the report start."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """A child started by ``spawn`` or ``forkserver`` imports the parent's ``__main__`` again,
    which reruns a caller's script that lacks a ``__main__`` guard. Our children need nothing
    from it, so it is hidden while one starts."""
    main = sys.modules.get("__main__")
    saved = {name: getattr(main, name) for name in ("__spec__", "__file__") if hasattr(main, name)}
    try:
        if main is not None:
            main.__spec__ = None
            if "__file__" in saved:
                del main.__file__
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)
