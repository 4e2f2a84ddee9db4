"""Text utilities every stage shares, below all of them (issue 16): cleaning a piece of printed
text, the key labels are matched on, full-width digits, units, and the Chinese list ordinals.

Readers, recognisers, normalisers and checks import these from here, so no stage reaches into
another stage for a string helper (``normalise/cells.py`` keeps its names for old imports).
"""

from __future__ import annotations

import re
from functools import lru_cache

_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])\s+(?=[\(\)（）])|(?<=[\(\)（）])\s+(?=[{_CJK}])")
_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*|__")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "％": "%", "．": "."})
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")

NARROW_DIGITS = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".", "％": "%"})
"""Full-width digits, point and percent sign as ASCII, one character for one, so offsets into a
translated sentence still index the original (narrative parsers read "１９２４．０９万元")."""

HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
"""One Chinese character (CJK unified ideographs)."""

UNIT_TO_WAN = {"万元": 1.0, "元": 1e-4, "千元": 0.1, "百万元": 100.0, "亿元": 1e4}
"""Factor turning an amount printed in each unit into 万元, the unit every output uses."""

CN_ORDINAL = "一二三四五六七八九十"
"""The Chinese numerals of list ordinals ("三、", "（二）", "第一部分")."""

SECTION_ORDINAL = re.compile(rf"[{CN_ORDINAL}]+、|[（(][{CN_ORDINAL}]+[)）]")
"""A narrative section's ordinal: "一、" or "（一）" (anchor it with ``.match`` at a line start)."""

LEADING_NUMBER = re.compile(rf"^(附件|附表)?[\d{CN_ORDINAL}]+[、.．:：]|^表\s*\d+[-—]?\d*|^公开\d+表")
"""A title's list number or table label ("三、", "表3", "公开01表"), stripped before matching."""


@lru_cache(maxsize=200_000)
def clean_text(text: str) -> str:
    """Collapse whitespace and join CJK fragments that wrapping or spacing split apart."""
    text = _MARKDOWN.sub("", text.replace("\u00a0", " ").replace("\u3000", " "))
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_CJK_ASCII.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=200_000)
def match_key(text: str) -> str:
    """A normalised key for matching labels: no spaces or quotes, half-width punctuation."""
    text = clean_text(text).translate(_FULLWIDTH)
    return _QUOTES.sub("", re.sub(r"\s+", "", text))
