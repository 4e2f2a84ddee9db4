"""Comparison tolerances of DOMAIN.md §0.4, configurable, never float equality."""

from __future__ import annotations

from dataclasses import dataclass


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

    def narrative(self, decimals: int) -> float:
        """Half a unit of the precision a narrative figure is printed with."""
        return 0.5 * 10 ** (-decimals) + 1e-9

    def percent(self, decimals: int) -> float:
        return max(self.percent_points, 0.5 * 10 ** (-decimals)) + 1e-9
