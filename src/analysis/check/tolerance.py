"""Comparison tolerances of DOMAIN.md §0.4, configurable, never float equality."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analysis.text import UNIT_TO_WAN

EXACT = 1e-9
"""A gap no larger is a match whatever the precision (every allowed gap here is above it): a
rule compares a gap with :meth:`Tolerance.printed` only beyond it, as the cells' precision is the
costly part and most printed sums agree exactly."""


@dataclass(frozen=True, slots=True)
class Tolerance:
    per_term: float = 0.005
    """Rounding of one printed two-decimal 万元 figure."""
    minimum: float = 0.01
    percent_points: float = 0.01
    """Recomputed percentage vs stated, both from table figures."""
    percent_narrative: float = 0.05
    """When a percentage's inputs are narrative-rounded."""

    def sum(self, n_terms: int, unit_scale: float = 1.0) -> float:
        """Allowed gap between a printed total and the sum of its ``n_terms`` printed parts.

        ``unit_scale`` converts a table printed in 元 (1e-4) so the tolerance is the rounding
        of that table's own figures, not of 万元 figures.
        """
        return max(self.minimum, self.per_term * n_terms) * min(unit_scale, 1.0) + 1e-9

    def printed(self, cells: list[dict]) -> float:
        """Allowed gap for a sum over printed cells (line items with ``raw_value`` and
        ``source_unit``): each cell may be off by half a unit of its own last printed digit in
        its own unit, and the gap may be one unit of the coarsest cell; so 0.005 per term and
        0.01 at least for two-decimal 万元 (§0.4), 0.5 元 per term for a table printed in whole
        元, and 0.62 万元 against 6,248.00 元 or a whole-元 total against parts in 元 and 分
        agree when they print alike."""
        halves = [_half_unit(c.get("raw_value") or "", c.get("source_unit") or "万元") for c in cells] or [0.5 * 10**-2]
        return max(2 * max(halves), sum(halves)) + 1e-9

    def same_print(self, difference: float, unit_scale: float = 1.0) -> bool:
        """Whether a difference prints as 0.00 in the unit it is shown in (``unit_scale``: that
        unit in 万元); such a difference is never an error."""
        return abs(difference) < 0.005 * unit_scale

    def narrative(self, decimals: int) -> float:
        """Half a unit of the precision a narrative figure is printed with."""
        return 0.5 * 10 ** (-decimals) + 1e-9

    def percent(self, decimals: int) -> float:
        return max(self.percent_points, 0.5 * 10 ** (-decimals)) + 1e-9


def half_unit(cell: dict) -> float:
    """Half a unit of a printed cell's last digit, in 万元 (its ``raw_value`` and ``source_unit``)."""
    return _half_unit(cell.get("raw_value") or "", cell.get("source_unit") or "万元")


@lru_cache(maxsize=1 << 16)
def _half_unit(raw: str, unit: str) -> float:
    decimals = len(raw.split(".")[1]) if "." in raw else (0 if raw else 2)
    return 0.5 * 10 ** (-decimals) * UNIT_TO_WAN.get(unit, 1.0)
