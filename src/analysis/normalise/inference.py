"""Fill in 功能分类 类 codes a table left out ("03 01" → 2010301, DOMAIN.md §0.5).

The class comes, in order of preference, from another table of the same document that
prints the same 款项 and name with its class, from the 类 row above it in the same table, from
the catalogue when the 款项 and name identify a single class (or a single one of the classes
the document prints, the largest in its 收支总表 when several fit), and finally from the only
class the document uses at all.
"""

from __future__ import annotations

from analysis.classification import function_codes_named
from analysis.text import match_key


def infer_function_classes(items: list[dict], fiscal_year: int | None) -> None:
    """Set ``func_code`` (and ``func_code_inferred``) in place where only 款项 was printed."""
    partial_rows = []
    for item in items:
        item["func_code_inferred"] = False
        if item.get("func_partial") and not item.get("func_code"):
            partial_rows.append(item)
    if not partial_rows:
        return
    by_tail: dict[tuple[str, str | None], str] = {}
    classes_seen: set[str] = set()  # classes the document prints anywhere (收支总表 类 rows too)
    weight: dict[str, float] = {}
    for item in items:
        code = item.get("func_code")
        if code:
            classes_seen.add(code[:3])
            if len(code) in (5, 7):
                by_tail.setdefault((code[3:], match_key(item["row_label"] or "")), code[:3])
            if len(code) == 7:
                by_tail.setdefault((code[3:], None), code[:3])
        key = item.get("row_key") or ""
        if key.startswith("class:") and item["amount"] is not None:
            weight[key[6:]] = max(weight.get(key[6:], 0.0), item["amount"])
    above = _class_above(items)
    for item in partial_rows:
        partial, label = item["func_partial"], match_key(item["row_label"] or "")
        klass = by_tail.get((partial, label)) or by_tail.get((partial, None)) or above.get(id(item))
        if klass is None:
            length = 3 + len(partial)  # 款项 → 7 digits, 款 alone → 5
            candidates = {
                c[:3]
                for c in function_codes_named(item["row_label"] or "", fiscal_year)
                if len(c) == length and c[3:] == partial
            }
            if len(candidates) > 1 and classes_seen:
                candidates &= classes_seen  # a name shared by several classes: the document's own
            if len(candidates) > 1 and weight:
                # 行政运行 exists under many 款: the department's main class (largest in 收支总表)
                ranked = sorted(candidates, key=lambda c: weight.get(c, 0.0), reverse=True)
                candidates = {ranked[0]} if weight.get(ranked[0], 0.0) > weight.get(ranked[1], 0.0) else candidates
            klass = candidates.pop() if len(candidates) == 1 else None
        if klass is None and len(classes_seen) == 1:
            klass = next(iter(classes_seen))
        if klass:
            item["func_code"], item["func_code_inferred"] = klass + partial, True


def _class_above(items: list[dict]) -> dict[int, str]:
    """For each item, the 类 of the nearest row above it in the same table that prints one
    (a 类 row, or a 款/项 row with its class), keyed by ``id(item)``."""
    current: dict[int, str] = {}
    found: dict[int, str] = {}
    for item in items:
        code = item.get("func_code")
        if code and len(code) in (3, 5, 7):
            current[item["table_index"]] = code[:3]
        elif item.get("row_role") == "total":
            current.pop(item["table_index"], None)
        klass = current.get(item["table_index"])
        if klass:
            found[id(item)] = klass
    return found
