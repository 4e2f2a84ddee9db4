"""Sums stated in the narrative: "合计 X 万元，其中：A a万元、B b万元…", "X 万元，包括…",
"A、B、C 分别为 a、b、c 万元" (DOMAIN.md §2.3, A3 in text).

A stated sum is a total and the parts listed after it in the same clause group (up to ；。).
Changes ("比上年增加 …"), previous-year values, percentages and amounts in brackets are no
parts. A nested "其中" inside the list ends it (its parts belong to the last part). Whether
the list is complete is recorded: "分别为" lists and lists of function classes name every
part only when the text says so, so completeness is a separate flag (``exhaustive``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate

from analysis.sentences.rates import Figure
from analysis.text import SECTION_ORDINAL

_AMOUNT = re.compile(r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|亿元|千元|元)(?![/／])")
_OF_WHICH = re.compile(r"其中\s*[：:]?|包括\s*[：:]?")
_RESPECTIVELY = re.compile(r"分别(?:为|是)\s*[：:]?")
_NOT_PART = re.compile(
    r"(?:增加|减少|增长|下降|上升|降低|节约|上年|去年|同期|比|较|与|年初预算|到|至|占|"
    r"平均|人均|每)[^，,、；;]{0,12}$"
)
_STOP = re.compile(r"[；;。]")
_OPEN, _CLOSE = "（(", "）)"
_SECTION = SECTION_ORDINAL
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_LABEL_END, _LABEL_LEAD = re.compile(r"[，,、；;：:。]"), re.compile(r"^(?:其中|包括|分别为|以及|和|及)")
_NAMES_END, _TOTAL_WORD = re.compile(r"[，,；;。：:]"), re.compile(r"合计|总计|共计|共|总额|总")


@dataclass(slots=True)
class StatedSum:
    sentence: str
    total: Figure
    total_label: str
    parts: list[tuple[str, Figure]] = field(default_factory=list)
    respectively: bool = False
    start: int = 0
    end: int = 0

    @property
    def text(self) -> str:
        return self.sentence[self.start : self.end]


def _depths(text: str) -> list[int]:
    """The bracket depth before each position of ``text`` (and at its end): one pass, where a
    count up to each amount of a sentence costs one pass per amount."""
    return [0, *accumulate((ch in _OPEN) - (ch in _CLOSE) for ch in text)]


def _label(before: str) -> str:
    label = _LABEL_END.split(before)[-1]
    return _LABEL_LEAD.sub("", label).strip()


def sentence_sums(sentence: str) -> list[StatedSum]:
    """The stated sums of one sentence that list two or more parts (or one larger part)."""
    amounts = list(_AMOUNT.finditer(sentence))
    out: list[StatedSum] = []
    depth: list[int] = []  # counted at the first total that lists parts
    for n, m in enumerate(amounts):
        after = sentence[m.end() : m.end() + 6]
        of_which = _OF_WHICH.match(after.lstrip("，,；; "))
        if not of_which:
            continue
        before = sentence[: m.start()]
        depth = depth or _depths(sentence)
        if _NOT_PART.search(before[-14:]) or depth[m.start()] > 0:
            continue
        total = _figure(m)
        stated = StatedSum(sentence, total, _label(before), start=before.rfind("，") + 1, end=m.end())
        base_depth = depth[m.end()]
        list_start = sentence.find(of_which.group(0), m.end()) + len(of_which.group(0))
        for k in amounts[n + 1 :]:
            between = sentence[max(stated.end, list_start) : k.start()]
            if depth[k.start()] > base_depth:
                continue  # "（其中…）", "（上年…）": no part of this list
            if _STOP.search(between) or _OF_WHICH.search(_BRACKETED.sub("", between)):
                break  # the clause group ended, or a nested 其中 lists the parts of a part
            pre = sentence[max(0, k.start() - 16) : k.start()]
            if _NOT_PART.search(pre) or _SECTION.search(between):
                break  # the list ended: what follows is a change, a comparison or a new section
            label = _label(sentence[: k.start()])
            if _OF_WHICH.match(sentence[k.end() : k.end() + 6].lstrip("，,；; ")) or _other_side(
                stated.total_label, label
            ):
                break  # "…，相应安排支出预算 X 万元，其中…": a new total, not a part
            stated.parts.append((label, _figure(k)))
            stated.end = k.end()
        if stated.parts:
            out.append(stated)
    for m in _RESPECTIVELY.finditer(sentence):
        names = _NAMES_END.split(sentence[: m.start()])[-1]
        items = [x for x in names.split("、") if x.strip()]
        figures = []
        for k in amounts:
            if k.start() < m.end():
                continue
            if _STOP.search(sentence[m.end() : k.start()]):
                break
            figures.append(_figure(k))
        listed = {tuple(p.value for _, p in x.parts) for x in out}
        if len(items) == len(figures) >= 2 and tuple(f.value for f in figures) not in listed:
            preceding = _preceding_total(sentence, m.start(), amounts)
            if preceding is not None:
                out.append(
                    StatedSum(
                        sentence,
                        preceding[1],
                        preceding[0],
                        list(zip(items, figures)),
                        respectively=True,
                        start=preceding[2],
                        end=m.end(),
                    )
                )
    return out


def _preceding_total(sentence: str, at: int, amounts) -> tuple[str, Figure, int] | None:
    """ "支出合计 300 万元，其中 A、B 分别为 …": the total stated just before the list."""
    before = [k for k in amounts if k.end() <= at and not _STOP.search(sentence[k.end() : at])]
    if not before:
        return None
    k = before[-1]
    if not _TOTAL_WORD.search(sentence[max(0, k.start() - 12) : k.start()]):
        return None
    return _label(sentence[: k.start()]), _figure(k), sentence.rfind("，", 0, k.start()) + 1


def _figure(m: re.Match) -> Figure:
    num = m.group("num")
    return Figure(float(num.replace(",", "")), len(num.split(".")[1]) if "." in num else 0, m.group("unit"), m.group(0))


def _other_side(total: str, part: str) -> bool:
    """A 收入 total is not made of 支出 parts, nor the reverse."""
    return ("收入" in total and "支出" in part) or ("支出" in total and "收入" in part)
