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

from analysis.text import HAN_CHAR, NARROW_DIGITS, UNIT_TO_WAN, clean_text, match_key  # noqa: F401 (old imports)

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "％": "%", "．": "."})
# amounts as some publishers type them: full-width digits and point, full-width, small or
# ideographic commas between thousands ("１，７９９．３５", "1、799.35"), thin spaces
_AMOUNT_FORMS = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "，": ",",
        "﹐": ",",
        "、": ",",
        "．": ".",
        "－": "-",
        "（": "(",
        "）": ")",
        "\u2009": "",
        "\u202f": "",
        "\u00a0": "",
        "\u3000": "",
    }
)

_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")  # signs are taken off before
_ZERO_MARKS = {"-", "—", "－", "--", "——", "/", "0", "0.0", "0.00", "0.000", "0.0000"}
_INTEGER_CODE = re.compile(r"^\d+$")


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
