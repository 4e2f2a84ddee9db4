"""Assemble classification, unit and project codes from the digit cells of a row.

Codes are printed whole ("2010301", "30108"), split over columns ("201 | 03 | 01",
"301 | 08"), or with the 类 column missing ("03 | 01", DOMAIN.md §0.5); unit codes (028,
028001) and long project codes (§0.5, 20–21 digits) share the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from analysis.classification import economic_name, function_entries, gov_economic_name


@dataclass(slots=True)
class RowCodes:
    func_code: str | None = None
    """Function code as printed: 3 (类), 5 (款) or 7 (项) digits."""
    func_partial: str | None = None
    """款+项 digits printed without their 类 (filled in later from context)."""
    econ_code: str | None = None
    gov_econ_code: str | None = None
    unit_code: str | None = None
    project_code: str | None = None


@cache
def _is_class(code: str) -> bool:
    """A 3-digit code that names a 类 of the function or economic classifications."""
    return bool(function_entries(code) or economic_name(code) or gov_economic_name(code))


def assemble_codes(tokens: list[str], unit_tokens: Sequence[str] = ()) -> RowCodes:
    """Read digit tokens in printed order; ``unit_tokens`` come from a 单位代码/单位编码 column,
    where a 3- or 6-digit number is a budget unit (unit 268 is not 类 268).

    >>> assemble_codes(["201", "03", "01"]).func_code
    '2010301'
    >>> assemble_codes(["03", "01"]).func_partial
    '0301'
    >>> c = assemble_codes(["301", "08", "501", "02"]); (c.econ_code, c.gov_econ_code)
    ('30108', '50102')
    >>> assemble_codes(["301", "2"]).econ_code  # a 款 printed without its leading zero
    '30102'
    >>> assemble_codes([], ["268"]).unit_code
    '268'
    >>> assemble_codes(["226"]).unit_code  # no classification has a 类 226
    '226'
    """
    codes = RowCodes()
    for token in unit_tokens:
        if len(token) >= 12:
            codes.project_code = token
        else:
            codes.unit_code = token
    current: str | None = None  # which code the following 2-digit parts extend
    pieces: dict[str, str] = {}
    for token in tokens:
        n, first = len(token), token[:1]
        if n >= 12:
            codes.project_code = token
            current = None
        elif n == 3 and not _is_class(token):
            codes.unit_code = token  # unit 226 or 344 is not a 类 of any classification
            current = None
        elif n in (3, 5, 7) and first == "2":
            pieces["func"], current = token, "func"
        elif n in (3, 5) and first in "3":
            pieces["econ"], current = token, "econ"
        elif n in (3, 5) and first == "5":
            pieces["gov"], current = token, "gov"
        elif n == 2 and current:
            pieces[current] += token
        elif n == 1 and current in {"econ", "gov"} and len(pieces[current]) == 3:
            pieces[current] += token.zfill(2)
        elif n == 2 and "partial" not in pieces:
            pieces["partial"], current = token, "partial"
        elif n == 2 and current is None:
            pieces["partial"] += token
        else:
            codes.unit_code = token
            current = None
    codes.func_code = pieces.get("func")
    codes.func_partial = pieces.get("partial") if "func" not in pieces else None
    codes.econ_code = pieces.get("econ")
    codes.gov_econ_code = pieces.get("gov")
    return codes
