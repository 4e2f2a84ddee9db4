"""The 说明 cut into sentences, each with the block it starts in and its section heading.

Extraction's claims, the ``texts`` frame's ``sentences`` column and the text-only rules all
cut the narrative here, so a sentence is the same string wherever it is read.
"""

from __future__ import annotations

import re

from analysis.model import Block
from analysis.text import SECTION_ORDINAL, clean_text

_SENTENCE_ENDS = ("。", "；", ";", "！", "!")
_SENTENCE = re.compile(r"[^。！!]*[。！!]|[^。！!]+$")
# "1，799.35万元": a full-width comma between thousands is part of the number (a clause comma
# is never followed by exactly three digits and a point or a unit)
NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:[,，﹐]\d{3})+(?:\.\d+)?(?![\d,，])|\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|亿元|千元|元|%|％|个百分点|个|辆|项|人|台|套|家)"
)
"""A number with its unit: an amount, share, change or count as the narrative prints it."""
_SECTION = re.compile(rf"^(?:{SECTION_ORDINAL.pattern})")
_PAGE_FIELD = re.compile(
    r"^(?:标题|发布时间|发布日期|发布机构|发文机关|生成日期|成文日期|文号|索引号|栏目|"
    r"来源|信息来源|原文链接|本地目录|页面链接|浏览次数|点击数|作者)\s*[:：]|^[=＝\-—_*]{4,}"
)


def sentences(blocks: list[Block]) -> list[tuple[str, Block, str | None]]:
    """Narrative sentences with the block they start in and their section heading.

    Paragraphs that break mid-sentence (a converter's line break) are joined first.
    """
    out: list[tuple[str, Block, str | None]] = []
    section: str | None = None
    pending: tuple[str, Block] | None = None
    for block in blocks:
        text = clean_text(block.text)
        if not text:
            continue
        if block.kind == "heading" or (_SECTION.match(text) and len(text) < 40 and not NUMBER.search(text)):
            if pending:
                out.extend((s, pending[1], section) for s in _split(pending[0]))
                pending = None
            section = text
            if NUMBER.search(text):  # "（一）人员经费4,704.35万元" printed as a heading
                out.append((text, block, section))
            continue
        if _PAGE_FIELD.match(text):  # a web page's 发布机构/索引号… line is no part of a sentence
            if pending:
                out.extend((s, pending[1], section) for s in _split(pending[0]))
                pending = None
            continue
        if pending:
            pending = (pending[0] + text, pending[1])
        else:
            pending = (text, block)
        if text.endswith(_SENTENCE_ENDS) or len(pending[0]) > 2000:
            out.extend((s, pending[1], section) for s in _split(pending[0]))
            pending = None
    if pending:
        out.extend((s, pending[1], section) for s in _split(pending[0]))
    return out


def _split(paragraph: str) -> list[str]:
    """Sentences, each with its end mark (as splitting after every mark would give)."""
    return [s for s in _SENTENCE.findall(paragraph) if s.strip()]
