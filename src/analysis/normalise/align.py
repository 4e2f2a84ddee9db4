"""Choose which printed number belongs to which measure, confirmed by identities.

Extraction can leave more (or fewer) numbers in a row than the header has leaves (DOMAIN.md
§0.6 hazard 4). Rather than trusting header positions, each candidate alignment (the header's
own, and the template layouts of metadata/layouts.toml placed flush left and flush right over
the columns that hold numbers) is scored by how many row identities (identities.toml) hold
minus how many fail. The header's alignment wins ties.
"""

from __future__ import annotations

from analysis.metadata import Identity, identities_for, layouts_for
from analysis.normalise.cells import parse_amount

Mapping = dict[int, str]


def tolerance(n_terms: int) -> float:
    """Rounding tolerance for a sum of ``n_terms`` printed two-decimal figures (§0.4)."""
    return max(0.01, 0.005 * n_terms)


def _value(row: list[str], col: int) -> float | None:
    cell = row[col] if col < len(row) else ""
    parsed = parse_amount(cell)
    if parsed.status == "blank":
        return 0.0
    return parsed.value


def score(mapping: Mapping, rows: list[list[str]], rules: tuple[Identity, ...]) -> int:
    by_measure = {m: c for c, m in mapping.items()}
    total = 0
    for row in rows:
        for rule in rules:
            if rule.total not in by_measure:
                continue
            parts = [p for p in rule.parts if p in by_measure]
            if len(parts) < 2:
                continue
            lhs = _value(row, by_measure[rule.total])
            rhs = [_value(row, by_measure[p]) for p in parts]
            if lhs is None or any(v is None for v in rhs):
                continue
            if lhs == 0 and not any(rhs):
                continue
            total += 1 if abs(lhs - sum(rhs)) <= tolerance(len(parts) + 1) else -1
    return total


def numeric_span(rows: list[list[str]], indices: list[int]) -> tuple[int, int] | None:
    """First and last column (within ``indices``) that hold a number in some data row."""
    wanted = set(indices)
    with_numbers = {j for r in rows for j, cell in enumerate(r)
                    if j in wanted and cell and ("." in cell and parse_amount(cell).status == "value"
                                                 or cell.strip() in {"0", "-", "—"})}
    return (min(with_numbers), max(with_numbers)) if with_numbers else None


def candidates(header_mapping: Mapping, rows: list[list[str]], indices: list[int],
               kind: str) -> list[Mapping]:
    """The header mapping first, then layouts placed flush left and right over the numbers."""
    result = [header_mapping]
    span = numeric_span(rows, indices)
    if span is None:
        return result
    header_measures = set(header_mapping.values())
    cols = [j for j in indices if span[0] <= j <= span[1]]
    for layout in layouts_for(kind):
        if len(header_measures & set(layout)) < min(3, len(layout)):
            continue
        width = min(len(cols), len(layout))
        result.append(dict(zip(cols[:width], layout[:width])))
        result.append(dict(zip(cols[-width:], layout[-width:])))
    return result


def choose_alignment(header_mapping: Mapping, rows: list[list[str]], indices: list[int],
                     kind: str) -> tuple[Mapping, str]:
    """The best-scoring mapping and how it was chosen (``header`` or ``identities``)."""
    rules = identities_for(kind)
    options = candidates(header_mapping, rows, indices, kind)
    if not rules or len(options) == 1:
        return header_mapping, "header"
    scores = [score(m, rows, rules) for m in options]
    best = max(range(len(options)), key=lambda i: (scores[i], i == 0))
    return options[best], "header" if best == 0 or options[best] == header_mapping else "identities"
