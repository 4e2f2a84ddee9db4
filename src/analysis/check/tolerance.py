"""Comparison tolerances of DOMAIN.md §0.4, configurable, never float equality."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.normalise.cells import UNIT_TO_WAN


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
        ``source_unit``): half a unit of the last printed digit per term, at least one unit;
        so 0.005 per term and 0.01 at least for two-decimal 万元 (§0.4), 0.5 元 per term for a
        table printed in whole 元."""
        decimals = max((len(c["raw_value"].split(".")[1]) if "." in (c.get("raw_value") or "") else 0
                        for c in cells), default=2)
        unit = next((c.get("source_unit") for c in cells if c.get("source_unit")), "万元")
        scale = UNIT_TO_WAN.get(unit, 1.0)
        per_term = 0.5 * 10 ** (-decimals)
        return max(2 * per_term, per_term * len(cells)) * scale + 1e-9

    def narrative(self, decimals: int) -> float:
        """Half a unit of the precision a narrative figure is printed with."""
        return 0.5 * 10 ** (-decimals) + 1e-9

    def percent(self, decimals: int) -> float:
        return max(self.percent_points, 0.5 * 10 ** (-decimals)) + 1e-9
