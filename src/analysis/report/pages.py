"""Where each department's detail lives, so the overview stays small at any scale.

Every department gets a self-contained page ``departments/<file>.html`` next to report.html
(its documents, indicator profile and every one of its findings). The overview keeps the
departments' sections inline as well only while the batch is small: at most
``INLINE_DEPARTMENTS`` departments and ``INLINE_FINDINGS`` findings (a district, the demo).
Beyond that it keeps counts, charts, the ``TOP_FINDINGS`` most material findings and an index
of departments linking to their pages, so its size grows with the number of departments only
by one index row each, and not with the findings at all.

File names: Chinese department names are kept readable, but only their letters, digits and CJK
characters (no path separators, dots, spaces or characters Windows refuses), cut to
``_STEM_CHARS`` characters, and followed by 10 hex digits of the SHA-256 of the full name, so two
names that clean to the same text still get different files. Findings whose department was not
read go to one page of their own (``UNKNOWN``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

PAGES_DIR = "departments"
UNKNOWN = "（未识别部门）"
INLINE_DEPARTMENTS = 60  # a district; the demo has 40
INLINE_FINDINGS = 2000
TOP_FINDINGS = 500  # the overview's findings table beyond the inline scale
TOP_ROWS = 200  # any other list in the overview (failed files, outliers) beyond the inline scale
_STEM_CHARS = 40  # 120 bytes of UTF-8 at most: far from the 255-byte limit of file names
_DIGITS = 10
_UNSAFE = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _digest(name: str, digits: int) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:digits]


def _stem(name: str) -> str:
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFKC", name)).strip("_")
    return cleaned[:_STEM_CHARS] or "department"


def page_files(names: Iterable[str]) -> dict[str, str]:
    """Department name → its page's file name (unique, also on case-insensitive file systems)."""
    unique = sorted(set(names))
    files = {name: f"{_stem(name)}-{_digest(name, _DIGITS)}.html" for name in unique}
    taken: dict[str, str] = {}
    for name in unique:  # a clash of 40-bit digests is unlikely, not impossible: then use all 64
        key = files[name].casefold()
        if key in taken:
            files[name] = f"{_stem(name)}-{_digest(name, 64)}.html"
            key = files[name].casefold()
        if key in taken:
            raise ValueError(f"department pages of {taken[key]!r} and {name!r} would share a file name")
        taken[key] = name
    return files


@dataclass(frozen=True, slots=True)
class Layout:
    """Which departments have sections and pages, how the overview links to them.

    Attributes:
        names: departments in page order (name order, ``UNKNOWN`` last when present).
        anchors: name → id of its section (``dept-N``), the same in the overview and its page.
        codes: name → chart code (D01 …) for the departments of the documents.
        files: name → file name of its page under ``PAGES_DIR``.
        inline: the overview holds every department's section (small batches).
    """

    names: list[str]
    anchors: dict[str, str]
    codes: dict[str, str]
    files: dict[str, str]
    inline: bool

    def href(self, name: str | None) -> str | None:
        """Where the overview links a department: its section when inline, else its page."""
        name = UNKNOWN if name is None else name
        if name not in self.files:
            return None
        if self.inline:
            return f"#{self.anchors[name]}"
        return f"{PAGES_DIR}/{quote(self.files[name])}"

    def page_href(self, name: str | None, finding_id: str | None = None) -> str | None:
        """A department's page (and a finding's row in it) as linked from the overview."""
        name = UNKNOWN if name is None else name
        if name not in self.files:
            return None
        return f"{PAGES_DIR}/{quote(self.files[name])}" + (f"#f-{finding_id}" if finding_id else "")


def make_layout(document_departments: list[str], finding_departments: list[str | None], n_findings: int) -> Layout:
    """The layout of a run: every department of a document or a finding gets a page; findings
    with no department share the ``UNKNOWN`` page."""
    from analysis.report.charts import department_codes

    named = sorted(set(document_departments) | {d for d in finding_departments if d is not None})
    names = named + ([UNKNOWN] if any(d is None for d in finding_departments) else [])
    inline = len(names) <= INLINE_DEPARTMENTS and n_findings <= INLINE_FINDINGS
    return Layout(
        names=names,
        anchors={name: f"dept-{n}" for n, name in enumerate(names, start=1)},
        codes=department_codes(document_departments),
        files=page_files(names),
        inline=inline,
    )
