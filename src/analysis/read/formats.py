"""The document format a text file is read as, from its name: below the readers and the
package face alike, so the text reader need not import the face that dispatches to it."""

from __future__ import annotations

from pathlib import Path

_TEXT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def text_format(path: Path) -> str:
    """``html``, ``markdown`` or ``text``: the document format of a file the text reader reads."""
    return _TEXT_FORMATS.get(path.suffix.lower(), "text")
