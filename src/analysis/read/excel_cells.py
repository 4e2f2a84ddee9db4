"""Cell values as printed: exact decimal numbers by the cell's number format, ISO dates,
and whether a cell's borders make it part of a ruled grid. Used by the Excel reader."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast


def cell_text(value: object, number_format: str = "General") -> str:
    """Render a cell value as printed: exact numbers, ISO dates, stripped text.

    >>> cell_text(0.1 + 0.2), cell_text(12345.6, "#,##0.00"), cell_text(0.125, "0.0%")
    ('0.3', '12345.60', '12.5%')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def format_number(value: int | float, number_format: str = "General") -> str:
    """Write a number without float noise, padded to the decimals its format shows.

    Excel keeps 15 significant digits, so rounding to 15 removes binary artefacts such as
    0.30000000000000004. Digits beyond the format's decimals are kept rather than rounded
    away, so the text is always the exact stored value.

    >>> format_number(205.0), format_number(1e-7), format_number(-0.0, "0.00")
    ('205', '0.0000001', '0.00')
    """
    exact = Decimal(value) if isinstance(value, int) else Decimal(f"{value:.15g}")
    decimals, is_percent = _format_decimals(number_format)
    if is_percent:
        exact = exact.scaleb(2)
    exact = exact.normalize()
    places = max(-cast(int, exact.as_tuple().exponent), 0, decimals)  # finite: NaN/Inf are not cell numbers
    text = f"{exact:.{places}f}"
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return f"{text}%" if is_percent else text


def _format_decimals(number_format: str) -> tuple[int, bool]:
    """Decimals shown by the positive section of a number format, and whether it is a %."""
    section = (number_format or "General").split(";")[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if re.search(r"[eE][+-]", section):
        return 0, False
    match = re.search(r"\.([0#?]+)", section)
    return (len(match.group(1)) if match else 0), "%" in section


def is_ruled(left, right, top, bottom) -> bool:
    """A vertical rule or a full box marks a grid cell; a lone underline does not (the rule
    under a caption row is the top line of the table below it)."""
    return bool(left or right or (top and bottom))
