"""Choose which printed number belongs to which measure, confirmed by identities.

Extraction can leave more (or fewer) numbers in a row than the header has leaves (DOMAIN.md
§0.6 hazard 4), and a column left empty throughout can vanish in a text conversion. When the
header's own mapping is structurally incomplete (a number sits in a column without a
measure, or the header lacks a measure of the template layout it resembles), each
candidate alignment — the template layouts of metadata/layouts.toml, whole or missing one
measure, laid over the columns that hold numbers — is scored by how many row identities
(identities.toml) hold minus how many fail. The header's alignment wins ties.
"""

from __future__ import annotations

from functools import lru_cache

from analysis.metadata import Identity, identities_for, layouts_for
from analysis.normalise.body import filled_cells
from analysis.normalise.cells import parse_amount

Mapping = dict[int, str]


def tolerance(n_terms: int) -> float:
    """Rounding tolerance for a sum of ``n_terms`` printed two-decimal figures (§0.4)."""
    return max(0.01, 0.005 * n_terms)


def _columns(filled: list[list[tuple[int, str]]], width: int) -> list[list[float | None]]:
    """Every cell as a number once (blank or missing → 0, text → None), column by column,
    shared by all candidates; ``filled`` holds each row's non-empty (column, text) cells."""
    out: list[list[float | None]] = [[0.0] * len(filled) for _ in range(width)]
    for r, row in enumerate(filled):
        for j, cell in row:
            out[j][r] = parse_amount(cell).value  # None for text
    return out


Check = tuple[int, tuple[int, ...]]
"""An identity laid over columns: the total's column and the columns of its printed parts."""


def _checks(mapping: Mapping, rules: tuple[Identity, ...]) -> tuple[Check, ...]:
    """The identities a mapping can check: total and at least two parts mapped."""
    by_measure = {m: c for c, m in mapping.items()}
    found = []
    for rule in rules:
        if rule.total not in by_measure:
            continue
        parts = tuple(by_measure[p] for p in rule.parts if p in by_measure)
        if len(parts) >= 2:
            found.append((by_measure[rule.total], parts))
    return tuple(found)


def score(
    mapping: Mapping, columns: list[list[float | None]], rules: tuple[Identity, ...], memo: dict | None = None
) -> tuple[int, int]:
    """(identities that hold, identities that fail) over all rows for one candidate mapping."""
    return _score(_checks(mapping, rules), columns, memo)


def _score(checks: tuple[Check, ...], columns, memo: dict | None) -> tuple[int, int]:
    # candidates overlap: most lay the same total over the same part columns, so ``memo``
    # (shared by the candidates of one table) keeps each check's result
    passes = fails = 0
    for check in checks:
        result = memo.get(check) if memo is not None else None
        if result is None:
            result = _identity_count(columns, *check)
            if memo is not None:
                memo[check] = result
        passes += result[0]
        fails += result[1]
    return passes, fails


def _identity_count(columns: list[list[float | None]], total_col: int, part_cols: tuple[int, ...]) -> tuple[int, int]:
    """Rows where one column equals the sum of others, and rows where it does not (rows with
    text in a term, or nothing at all, are not counted)."""
    tol = tolerance(len(part_cols) + 1)
    n_rows = len(columns[0]) if columns else 0
    absent = [0.0] * n_rows  # a column no row reaches reads as zero
    passes = fails = 0
    for lhs, *rhs in zip(*(columns[c] if c < len(columns) else absent for c in (total_col, *part_cols))):
        if lhs is None or None in rhs or (lhs == 0 and not any(rhs)):
            continue
        if abs(lhs - sum(rhs)) <= tol:
            passes += 1
        else:
            fails += 1
    return passes, fails


def numeric_span(filled: list[list[tuple[int, str]]], indices: list[int]) -> tuple[int, int] | None:
    """First and last column (within ``indices``) that hold a number in some data row;
    ``filled`` holds each row's non-empty (column, text) cells."""
    wanted = set(indices)
    with_numbers = {
        j
        for row in filled
        for j, cell in row
        if j in wanted and (("." in cell and parse_amount(cell).status == "value") or cell in {"0", "-", "—"})
    }
    return (min(with_numbers), max(with_numbers)) if with_numbers else None


def _placements(layout: tuple[str, ...], cols: list[int]) -> list[Mapping]:
    """A layout laid over the numeric columns starting at each column (trailing measures cut
    when they run past the last column), and ending at each column (leading ones cut)."""
    found: list[Mapping] = []
    for k in range(len(cols)):
        for mapping in (dict(zip(cols[k:], layout)), dict(zip(reversed(cols[: len(cols) - k]), reversed(layout)))):
            if len(mapping) >= 3 and mapping not in found:
                found.append(mapping)
    return found


@lru_cache(maxsize=2048)
def _candidates(
    header_measures: frozenset[str], cols: tuple[int, ...], kind: str, stage: int
) -> tuple[tuple[Mapping, int, tuple[Check, ...]], ...]:
    """(mapping, rank, checks) candidates laid over ``cols``, the columns between the first
    and last that hold numbers (:func:`numeric_span`): stage 1 lays each template layout whole
    (rank 1); stage 2 lays it with one measure missing (rank 2: a column left entirely empty
    disappears in some conversions). Cached, since they depend on the template only (its
    measures and numeric columns), not on the amounts; callers must not change the mappings."""
    result: list[tuple[Mapping, int]] = []
    for layout in layouts_for(kind):
        if len(header_measures & set(layout)) < min(3, len(layout)):
            continue
        if stage == 1:
            result += [(m, 1) for m in _placements(layout, list(cols))]
        elif len(layout) > 3:
            for k in range(len(layout)):
                result += [(m, 2) for m in _placements(layout[:k] + layout[k + 1 :], list(cols))]
    rules = identities_for(kind)
    return tuple((m, rank, _checks(m, rules)) for m, rank in result)


def _consistent(header_mapping: Mapping, span, indices, kind) -> bool:
    """The header's mapping needs no search when it is structurally complete: every number
    sits under a measure and the header has every measure of the layouts it resembles. A
    failing identity alone is no reason to move numbers: it may be the document's own error,
    which the checks must see, not explain away."""
    if span and any(j not in header_mapping for j in indices if span[0] <= j <= span[1]):
        return False
    measures = set(header_mapping.values())
    return all(
        set(layout) <= measures for layout in layouts_for(kind) if len(measures & set(layout)) >= min(3, len(layout))
    )


def choose_alignment(
    header_mapping: Mapping,
    rows: list[list[str]],
    indices: list[int],
    kind: str,
    filled: list[list[tuple[int, str]]] | None = None,
) -> tuple[Mapping, str]:
    """The best-scoring mapping and how it was chosen (``header`` or ``identities``).

    ``rows`` are the stripped body rows; ``filled``, their non-empty (column, text) cells, is
    computed from them unless given. Ties go to the header's own mapping, then to complete
    layouts."""
    rules = identities_for(kind)
    if not rules:
        return header_mapping, "header"
    if filled is None:
        filled = [filled_cells(row) for row in rows]
    span = numeric_span(filled, indices)
    if _consistent(header_mapping, span, indices, kind):
        return header_mapping, "header"
    columns = _columns(filled, max((len(r) for r in rows), default=0))
    memo: dict = {}
    header_score = score(header_mapping, columns, rules, memo)
    best_key, best, best_rank = (header_score[0] - header_score[1], 0), header_mapping, 0
    best_fails = header_score[1]
    for stage in (1, 2):  # whole layouts first; layouts missing a measure only if still needed
        if span is None:
            break
        cols = tuple(j for j in indices if span[0] <= j <= span[1])
        for mapping, rank, checks in _candidates(frozenset(header_mapping.values()), cols, kind, stage):
            if (len(checks) * len(rows), -rank) <= best_key:
                continue  # cannot win even if every identity it checks held in every row
            passes, fails = _score(checks, columns, memo)
            key = (passes - fails, -rank)
            if key > best_key:
                best_key, best, best_rank, best_fails = key, mapping, rank, fails
        if not best_fails:
            break
    return best, "header" if best_rank == 0 else "identities"
