"""What a document is: department, fiscal year, budget or final accounts, 部门 or 单位.

Read from the document itself (cover, headings, table titles); the file name is only the
last resort, since users rename files.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from analysis.model import Document
from analysis.normalise.cells import clean_text
from analysis.recognise.tables import RecognisedTable

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_TITLE = re.compile(r"^(?P<dept>.{2,40}?)\s*(?P<year>20\d{2})\s*年度?\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)")
_TITLE_YEAR_FIRST = re.compile(r"^(?P<year>20\d{2})\s*年度?\s*(?P<dept>.{2,40}?)\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_GENERIC_DEPARTMENT = {"本级", "", "部门", "单位"}


def _chinese_year(text: str) -> int | None:
    m = _CN_YEAR.search(text)
    return int("".join(_CN_DIGITS[c] for c in m.group(1))) if m else None


def document_info(document: Document, tables: list[RecognisedTable]) -> dict:
    """``department``, ``fiscal_year``, ``doc_type`` and ``level`` with their evidence."""
    heads = [clean_text(b.text) for b in document.text_blocks()[:40]]
    joined_head = " ".join(heads[:6])
    department = year = kind = level = None
    for text in heads:
        m = _TITLE.match(text) or _TITLE_YEAR_FIRST.match(text)
        if m and not re.search(r"[，。：:]", m.group("dept")) \
                and m.group("dept").strip() not in _GENERIC_DEPARTMENT:
            department, year, kind = m.group("dept").strip(), int(m.group("year")), m.group("kind")
            level = m.group("unit")
            break
    if department is None and len(heads) >= 2:  # cover split over lines: name, then "2024 年度部门预算"
        for first, second in zip(heads, heads[1:]):
            m = re.match(r"^(20\d{2})\s*年度?\s*(部门|单位)?(预算|决算)", second)
            if m and 2 <= len(first) <= 40:
                department, year, level, kind = first, int(m.group(1)), m.group(2), m.group(3)
                break
    title_years = Counter(t.title_year for t in tables if t.title_year)
    if year is None and title_years:
        year = title_years.most_common(1)[0][0]
    if year is None:
        year = _chinese_year(joined_head)
    if department is None:
        labels = Counter(t.department_label for t in tables if t.department_label
                         and t.department_label not in _GENERIC_DEPARTMENT)
        department = labels.most_common(1)[0][0] if labels else None
    name = Path(document.path).stem
    if year is None:
        m = re.search(r"(20\d{2})", name) or re.search(r"(\d{2})年", name)
        year = int(m.group(1)) if m and len(m.group(1)) == 4 else (2000 + int(m.group(1)) if m else None)
    if department is None:
        department = re.split(r"\s*20\d{2}|\d{2}年|部门预算|部门决算|预算|决算", name)[0].strip() or None
    if kind is None:
        finals = sum(1 for t in tables if (t.table_kind or "").startswith("final_"))
        kind = "决算" if finals > len(tables) / 2 or "决算" in joined_head or "决算" in name else "预算"
    if level is None:
        level = "单位" if re.search(r"单位预算|单位决算", joined_head + name) else "部门"
    return {"department": department, "fiscal_year": year,
            "doc_type": "final_account" if kind == "决算" else "budget",
            "level": "unit" if level == "单位" else "department"}
