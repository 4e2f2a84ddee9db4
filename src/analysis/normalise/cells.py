"""Cell text cleaning and amount/code parsing shared by every table shape.

Hazards handled here (DOMAIN.md §0.6): text wrapped inside a cell ("工作人员工 装费"), headers
written one character at a time ("国 有 资 本"), stray markdown, full/half-width brackets and
quote variants; amounts printed with thousands separators, dashes for zero, or as "XX"
placeholders that cannot be parsed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])\s+(?=[\(\)（）])|(?<=[\(\)（）])\s+(?=[{_CJK}])")
_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*|__")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "％": "%", "．": "."})
# amounts as some publishers type them: full-width digits and point, full-width, small or
# ideographic commas between thousands ("１，７９９．３５", "1、799.35"), thin spaces
_AMOUNT_FORMS = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                               "，": ",", "﹐": ",", "、": ",", "．": ".", "－": "-", "（": "(", "）": ")",
                               "\u2009": "", "\u202f": "", "\u00a0": "", "\u3000": ""})
NARROW_DIGITS = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".", "％": "%"})
"""Full-width digits, point and percent sign as ASCII, one character for one, so offsets into a
translated sentence still index the original (narrative parsers read "１９２４．０９万元")."""
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")

HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
"""One Chinese character (CJK unified ideographs)."""

UNIT_TO_WAN = {"万元": 1.0, "元": 1e-4, "千元": 0.1, "百万元": 100.0, "亿元": 1e4}
"""Factor turning an amount printed in each unit into 万元, the unit every output uses."""

_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")  # signs are taken off before
_ZERO_MARKS = {"-", "—", "－", "--", "——", "/", "0", "0.0", "0.00", "0.000", "0.0000"}
_INTEGER_CODE = re.compile(r"^\d+$")


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


class ParsedAmount(NamedTuple):
    """The result of reading one cell as an amount (a named tuple: made for every distinct
    cell of every document, and cheaper to make than a frozen dataclass)."""

    status: str
    """``value`` (a number), ``blank`` (empty cell) or ``unparsed`` (text that is not a number)."""
    value: float | None
    decimals: int = 0


@lru_cache(maxsize=200_000)
def parse_amount(text: str) -> ParsedAmount:
    """Read a printed amount; dashes and ``0.00`` are zero, empty is blank.

    >>> parse_amount("1,234.50")
    ParsedAmount(status='value', value=1234.5, decimals=2)
    >>> parse_amount("—").value
    0.0
    >>> parse_amount("XX").status
    'unparsed'
    >>> parse_amount("１，７９９．３５").value
    1799.35
    """
    raw = text.strip().replace(" ", "").translate(_FULLWIDTH)
    if not raw:
        return ParsedAmount("blank", None)
    if not raw.isascii():
        raw = raw.translate(_AMOUNT_FORMS)
    if raw in _ZERO_MARKS:
        return ParsedAmount("value", 0.0, 2 if "." in raw else 0)
    head, dot, tail = raw.partition(".")
    if head.isdecimal() and (not dot or tail.isdecimal()):  # the usual "1234.56": no regex
        return ParsedAmount("value", float(raw), len(tail))
    negative = raw.startswith(("-", "－"))
    body = raw.lstrip("+-－")
    if body.startswith("(") and body.endswith(")"):  # accounting negatives
        negative, body = True, body[1:-1]
    if not _AMOUNT.match(body):
        return ParsedAmount("unparsed", None)
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    value = float(body.replace(",", ""))
    return ParsedAmount("value", -value if negative else value, decimals)


@lru_cache(maxsize=100_000)
def is_amount(text: str) -> bool:
    """True when the cell holds a number that reads as an amount (not a code)."""
    raw = text.strip().replace(" ", "")
    if not raw or (_INTEGER_CODE.match(raw) and raw.startswith("0") and len(raw) > 1):
        return False
    return parse_amount(raw).status == "value" and raw not in {"-", "—", "－", "/"}


@lru_cache(maxsize=100_000)
def is_code(text: str) -> bool:
    """True for an all-digit classification, unit or project code cell (no decimal point)."""
    raw = text.strip().replace(" ", "")
    return bool(_INTEGER_CODE.match(raw))


@lru_cache(maxsize=100_000)
def split_codes(text: str) -> tuple[str, ...]:
    """Digit groups printed inside one cell, e.g. ``"201 03 01"`` → ``("201", "03", "01")``.

    >>> split_codes("4107022200000 0006841")
    ('41070222000000006841',)
    """
    if not re.fullmatch(r"[\d\s]+", text.strip()):
        return ()
    groups = re.findall(r"\d+", text)
    if len(groups[0]) >= 10:  # a long project code wrapped over two lines of its cell
        return ("".join(groups),)
    return tuple(groups)
