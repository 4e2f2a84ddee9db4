"""What a document is: department, fiscal year, budget or final accounts, 部门 or 单位.

Read from the document itself (cover, headings, table titles); the file name is only the
last resort, since users rename files. Covers come in several forms, all taken at the first
heading that has one:

- one line: ``江苏省委办公厅2017年度部门预算``, ``江苏省人大常委会办公厅2019年度部门预算公开``;
- name, then year: ``江苏省人大常委会办公厅`` / ``2017年度部门预算``;
- a labelled line: ``预算主管部门：上海市普陀区商务委员会``, ``预算单位：上海市财政局``,
  ``部门:中共江苏省委办公厅`` (Jiangsu tables files print it above every table too).

Section headings (``第二部分省人大办公厅2017年度部门预算表``), table titles (``2019年政府采购预算表``)
and numbered contents lines (``1. 2025年预算单位财务收支预算总表``) are never covers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from analysis.model import Document
from analysis.recognise.tables import RecognisedTable
from analysis.text import clean_text

_CN_DIGITS = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_TITLE = re.compile(r"^(?P<dept>.{2,40}?)\s*(?P<year>20\d{2})\s*年度?\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)")
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>20\d{2})\s*年度?\s*(?P<dept>.{2,40}?)\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)"
)
_YEAR_LINE = re.compile(r"^(?P<year>20\d{2})\s*年度?\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)")
_TITLE_SPLIT = re.compile(
    r"^(?P<pre>[^\d，。：:；]{0,30}?)\s*(?P<year>20\d{2})\s*年度?\s*"
    r"(?P<post>[^\d，。：:；]{2,40}?)\s*(?P<unit>部门|单位)?(?P<kind>预算|决算)"
)
"""Web-page titles put a region before the year and the department after it:
``平潭2016年东庠乡预算说明``, ``2016年度平潭县人大常委会部门决算说明``."""
_LEVEL_WORD = re.compile(r"^(?:[省市区县乡镇]|本|全[省市区县])级?$|级$")
"""``上海市普陀区2025年区级部门预算``: a budget level after the year, not a department."""
_PAGE_LABEL = re.compile(r"^(?:标题|题目|文章标题|title)\s*[:：]\s*", re.I)
_BRACKETED = re.compile(r"^【[^】]{1,20}】\s*")
"""A column tag before a page title: ``【部门决算公开】2015年度…``."""
_LABELLED = re.compile(
    r"^(?:预算主管部门|主管部门|预算单位|部门名称|单位名称|部门|单位)\s*[:：]\s*(?P<dept>.+?)"
    r"\s*(?:(?:金额)?单位\s*[:：].*)?$"
)
_PART = re.compile(r"^第[一二三四五六七八九十]+部分\s*")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_GENERIC_DEPARTMENT = {"本级", "", "部门", "单位"}
_UNITS = {"万元", "元", "千元", "亿元"}


def _chinese_year(text: str) -> int | None:
    m = _CN_YEAR.search(text)
    return int("".join(_CN_DIGITS[c] for c in m.group(1))) if m else None


def _is_name(text: str) -> bool:
    """A plausible department name: mostly Chinese, no sentence punctuation, no ordinal."""
    text = text.strip()
    return (
        2 <= len(text) <= 40
        and text not in _GENERIC_DEPARTMENT
        and text not in _UNITS
        and not re.search(r"[，。：:；]", text)
        and not re.match(r"^[\d(（一二三四五六七八九十]", text)
        and len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2
    )


def _cover_at(heads: list[str], i: int) -> dict | None:
    """The department (and year, kind, level when printed) named by heading ``i``, if any."""
    text = heads[i]
    if text.endswith("表") or _PART.match(text):
        return None
    labelled = _LABELLED.match(text)
    if labelled:
        name = labelled.group("dept").strip()
        return {"department": name} if _is_name(name) else None
    m = _TITLE.match(text) or _TITLE_YEAR_FIRST.match(text)
    if m and _is_name(m.group("dept")):
        return {
            "department": m.group("dept").strip(),
            "year": int(m.group("year")),
            "kind": m.group("kind"),
            "level": m.group("unit"),
        }
    m = _TITLE_SPLIT.match(text)
    if m:
        name = (m.group("pre").strip() + m.group("post").strip()).strip()
        if _is_name(name) and not _LEVEL_WORD.search(m.group("post")):
            return {"department": name, "year": int(m.group("year")), "kind": m.group("kind"), "level": m.group("unit")}
    if i + 1 < len(heads):  # cover split over lines: name, then "2024 年度部门预算"
        m = _YEAR_LINE.match(heads[i + 1])
        if m and _is_name(text):
            return {"department": text, "year": int(m.group("year")), "kind": m.group("kind"), "level": m.group("unit")}
    return None


def document_info(document: Document, tables: list[RecognisedTable]) -> dict:
    """``department``, ``fiscal_year``, ``doc_type`` and ``level`` with their evidence."""
    heads = [_BRACKETED.sub("", _PAGE_LABEL.sub("", clean_text(b.text))) for b in document.text_blocks()[:40]]
    joined_head = " ".join(heads[:6])
    cover: dict = {}
    for i in range(len(heads)):
        cover = _cover_at(heads, i) or {}
        if cover:
            break
    department, year = cover.get("department"), cover.get("year")
    kind, level = cover.get("kind"), cover.get("level")
    title_years = Counter(t.title_year for t in tables if t.title_year)
    if year is None and title_years:
        year = title_years.most_common(1)[0][0]
    if year is None:
        year = _chinese_year(joined_head)
    if department is None:
        labels = Counter(t.department_label for t in tables if t.department_label and _is_name(t.department_label))
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
    return {
        "department": department,
        "fiscal_year": year,
        "doc_type": "final_account" if kind == "决算" else "budget",
        "level": "unit" if level == "单位" else "department",
    }


_NARRATIVE_WORDS = re.compile(r"预算|决算|收入|支出")


def is_narrative(document: Document, claims: list[dict]) -> bool:
    """A disclosure's 说明 without tables: prose about a budget or final account that states
    amounts (a web page, a text-only PDF, a 公开文件 whose tables came as attachments)."""
    if not claims:
        return False
    text = "".join(b.text for b in document.text_blocks())
    return len(_NARRATIVE_WORDS.findall(text)) >= 3
