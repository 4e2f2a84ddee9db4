"""Escape-by-default HTML building.

Every value that reaches the page goes through :func:`esc` unless it is a :class:`Safe`
fragment built by these helpers. Department names, cell text, messages and file names come
from documents and may contain markup; they must show as text and never run. There is no
other way to put a string into the page, so there is no raw interpolation to forget.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from functools import cache


class Safe(str):
    """A fragment of HTML built here from escaped parts; passed through unchanged."""

    __slots__ = ()


def esc(value: object) -> Safe:
    """Escape any value for element content or a quoted attribute (``None`` → empty)."""
    if isinstance(value, Safe):
        return value
    if value is None:
        return Safe("")
    return Safe(html.escape(str(value), quote=True))


def join(parts: Iterable[object]) -> Safe:
    return Safe(_joined(parts))


def _joined(parts: Iterable[object]) -> str:
    # Safe parts pass without a call, and a list joins faster than a generator: a large report
    # joins millions of fragments
    return "".join([p if isinstance(p, Safe) else esc(p) for p in parts])


@cache
def _attribute(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def _attributes(attrs: dict[str, object]) -> str:
    return "".join([f' {_attribute(key)}="{esc(value)}"' for key, value in attrs.items() if value is not None])


def tag(element: str, /, *content: object, **attrs: object) -> Safe:
    """``<element attrs>content</element>``; attribute names may end in ``_`` (``class_``)."""
    rendered = _attributes(attrs) if attrs else ""
    return Safe(f"<{element}{rendered}>{_joined(content)}</{element}>")


def void(element: str, /, **attrs: object) -> Safe:
    """A void element such as ``<img>`` or ``<meta>``."""
    return Safe(f"<{element}{_attributes(attrs)}>")


def td(value: object, class_: str | None = None) -> Safe:
    """A cell, as ``tag("td", value, class_=class_)`` writes it (the most frequent element)."""
    body = value if isinstance(value, Safe) else esc(value)
    if class_ is None:
        return Safe(f"<td>{body}</td>")
    return Safe(f'<td class="{esc(class_)}">{body}</td>')


def table(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    class_: str | None = None,
    row_classes: Sequence[str | None] | None = None,
) -> Safe:
    """A table; a row item that is already a ``<td>`` fragment is used as it is. ``row_classes``
    gives rows a class (None: none)."""
    head = tag("thead", tag("tr", *(tag("th", h) for h in headers)))
    body_rows = []
    for n, row in enumerate(rows):
        cells = [c if isinstance(c, Safe) and c.startswith("<td") else td(c) for c in row]
        body_rows.append(tag("tr", *cells, class_=row_classes[n] if row_classes else None))
    return tag("table", head, tag("tbody", *body_rows), class_=class_)


def amount(value: float | None) -> str:
    """万元 amounts with two decimals and thousands separators; empty for missing."""
    return "" if value is None else f"{value:,.2f}"


def share(value: float | None, unit: str | None = "ratio") -> str:
    """Ratios as percentages (one decimal), other units as plain numbers."""
    if value is None:
        return ""
    if unit != "ratio":
        return f"{value:,.2f}"
    return f"{value * 100:.2f}%" if abs(value) < 0.01 else f"{value * 100:.1f}%"  # small shares keep a digit
