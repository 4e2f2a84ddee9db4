"""Within-table arithmetic (DOMAIN.md §2.1, §4 A): row identities, totals, code hierarchies."""

from __future__ import annotations

from collections import defaultdict

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule
from analysis.check.tolerance import EXACT
from analysis.metadata import balance_identities, identities_for, two_sided_kinds


def _rows(items: list[dict]) -> dict[tuple, dict[str, dict]]:
    """(table_index, section, row_index) → column → item."""
    out: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for item in items:
        if item["amount"] is not None:
            out[(item["table_index"], item["section"], item["row_index"])][item["column"]] = item
    return out


@rule(
    "row-identity",
    severity="error",
    category="arithmetic",
    title="表内行恒等式不成立（合计 ≠ 各分项之和）",
    domain_ids="I07 I09 I10 I11 I14 I18 I22 I23 I26 I28 I32 I35 A1",
)
def row_identity(ctx: DocContext) -> list[dict] | None:
    """Every row of a table satisfies the identities declared for its kind in identities.toml
    (e.g. 合计 = 基本支出 + 项目支出, 基本支出 = 人员经费 + 公用经费); an identity is evaluated
    when its total and at least two parts are printed in the table.

    Certain because: total and parts are printed in one row of one table (same scope, same unit,
    same budget or final column) and differ beyond half a unit of every printed cell at its own
    precision. Depends on: the column map placing each printed cell under its header."""
    out, evaluated = [], False
    for kind in ctx.kinds:
        rules = identities_for(kind)
        if not rules:
            continue
        kind_items = ctx.items_by_kind.get(kind, [])
        # columns the table prints, blank ones included (a blank 上年结转 column is 0, not absent)
        present_columns = {i["column"] for i in kind_items} | set(
            ((ctx.table_info(kind) or {}).get("measures") or "").split(",")
        )
        # an identity is judged where the table prints at least two of its parts
        judged = [(i, n) for i in rules if (n := sum(p in present_columns for p in i.parts)) >= 2]
        for (_, _, _), cells in _rows(kind_items).items():
            for ident, n_printed in judged:
                if ident.total not in cells:
                    continue
                parts = [p for p in ident.parts if p in cells]
                evaluated = True
                total = cells[ident.total]
                expected = round(sum(cells[p]["amount"] for p in parts), 6)
                if (gap := abs(total["amount"] - expected)) > EXACT and gap > ctx.tolerance.printed(
                    [total, *(cells[p] for p in parts)] + [total] * (n_printed - len(parts))
                ):
                    terms = " + ".join(f"{cells[p]['raw_value']}" for p in parts) or "0"
                    out.append(
                        finding(
                            f"{ctx.where(total)}：{ident.title}不成立，{total['raw_value']} ≠ {terms}"
                            f"（差 {total['amount'] - expected:+.2f} 万元）",
                            row=total,
                            column=ident.total,
                            expected=expected,
                            actual=total["amount"],
                        )
                    )
    return out if evaluated else None


_Groups = tuple[dict[tuple[int, str], dict[str, dict]], dict[tuple[int, str], dict], set[tuple[int, str]]]


def _code_groups(ctx: DocContext) -> tuple[_Groups, _Groups]:
    """For the function and the economic code, in one pass over the items with an amount:
    (table, column) → code → its first item; (table, column) → the first total row without
    that code; the (table, column)s with an item row whose code is unknown."""
    func: _Groups = (defaultdict(dict), {}, set())
    econ: _Groups = (defaultdict(dict), {}, set())
    by_column = (("func_code", func), ("econ_code", econ))
    for item in ctx.item_rows:
        if item["amount"] is None:
            continue
        key, role, labelled = (item["table_index"], item["column"]), item["row_role"], item["column"] != "unlabelled"
        for column, (groups, totals, uncoded) in by_column:
            if code := item[column]:
                if labelled:
                    groups[key].setdefault(code, item)
            elif role == "item":
                uncoded.add(key)
            elif role == "total" and labelled:
                totals.setdefault(key, item)
    return func, econ


def _parent(code: str) -> str | None:
    n = len(code)
    return code[:5] if n == 7 else code[:3] if n == 5 else None


@rule(
    "code-hierarchy-sum",
    severity="error",
    category="arithmetic",
    title="科目层级合计不等于下级之和（类 = Σ款，款 = Σ项）",
    domain_ids="I12 I17 I20 A1",
)
def code_hierarchy(ctx: DocContext) -> list[dict] | None:
    """Where a table prints both a 类 (or 款) row and its children, the parent equals the sum
    of the children, matched by code prefix, column by column; and the 合计 row equals the sum
    of the highest printed row of each branch (a 类 row, or the 款 rows of a 类 printed without
    its own row), so a level is only ever compared with the sum of the level below it.

    Certain because: parent and children are printed in the same table and column (same scope,
    same unit) and differ beyond the rounding of every printed cell at its own precision.
    Depends on: the codes printed (or inferred from the rows above) and the code hierarchy
    类 3 / 款 5 / 项 7 digits (部门经济分类 3 / 5)."""
    out, evaluated = [], False
    for groups, totals, uncoded in _code_groups(ctx):  # function codes, then economic codes
        top_codes: dict[frozenset[str], set[str]] = {}  # codes → those no other code is a prefix of
        for (_, column), values in groups.items():
            by_parent: dict[str, list[dict]] = defaultdict(list)
            for c, v in values.items():
                parent = _parent(c)
                if parent is not None:
                    by_parent[parent].append(v)
            for code, item in values.items():
                children = by_parent.get(code)
                if not children:
                    continue
                evaluated = True
                expected = round(sum(c["amount"] for c in children), 6)
                if (gap := abs(item["amount"] - expected)) > EXACT and gap > ctx.tolerance.printed([item, *children]):
                    out.append(
                        finding(
                            f"{ctx.where(item)}：科目 {code} 的 {column} 为 {item['raw_value']}，"
                            f"下级科目合计 {expected:.2f}（{len(children)} 项）",
                            row=item,
                            column=column,
                            expected=expected,
                            actual=item["amount"],
                        )
                    )
        for key, total in totals.items():
            coded = groups.get(key)
            if not coded or key in uncoded:  # rows whose code is unknown: cannot add up by code
                continue
            column = key[1]
            # the highest level printed of each branch: a 款 row whose 类 row is not printed is
            # a top row; one whose 类 row is printed is already inside it (never both counted)
            codes = frozenset(coded)
            if codes not in top_codes:  # the columns of a table print the same codes
                lengths = {len(c) for c in codes}  # a prefix that is a code has a code's length
                top_codes[codes] = {c for c in codes if not any(c[:n] in codes for n in lengths if 0 < n < len(c))}
            tops = [v for c, v in coded.items() if c in top_codes[codes]]
            top_len = min(len(c) for c in coded)
            expected = round(sum(v["amount"] for v in tops), 6)
            evaluated = True
            if (gap := abs(total["amount"] - expected)) > EXACT and gap > ctx.tolerance.printed([total, *tops]):
                out.append(
                    finding(
                        f"{ctx.where(total)}：合计行 {column} 为 {total['raw_value']}，"
                        f"而 {len(tops)} 个{'类' if top_len == 3 else '科目'}行合计 {expected:.2f}",
                        row=total,
                        column=column,
                        expected=expected,
                        actual=total["amount"],
                    )
                )
    return out if evaluated else None


@rule(
    "two-sided-balance",
    severity="error",
    category="arithmetic",
    title="收支总表收支不平衡或合计与分项不符",
    domain_ids="I01 I02 I03 I04 I05 I13 I15 FI01 FI04 A2",
)
def two_sided_balance(ctx: DocContext) -> list[dict] | None:
    """In 收支总表 and 财政拨款收支总表 (budget and final accounts): income totals equal their
    sources, grand totals equal current totals plus carry-over, the 类 rows add up to 本年支出合计,
    and 收入总计 equals 支出总计.

    Certain because: both sides are printed in the same summary table and differ beyond the
    rounding of every printed cell; carry-over rows (上年结转, 年初结转和结余, with or without an ordinal)
    are counted. Depends on: the row labels of the table, budget vs final layout (I02 vs FI01)."""
    out, evaluated = [], False
    for kind in two_sided_kinds() & ctx.kinds:
        by_key: dict[tuple[str, str], dict] = {}
        for item in ctx.rows(kind):
            if item["column"] in ("amount", "total") and item["row_key"] is not None:
                by_key.setdefault((item["section"], item["row_key"]), item)
        for balance in balance_identities():
            section, title = balance.section, f"{balance.id} {balance.title}"
            total = by_key.get((section, balance.total))
            found = [by_key[(section, p)] for p in balance.parts if (section, p) in by_key]
            if total is None or not found:
                continue
            evaluated = True
            expected = round(sum(f["amount"] for f in found), 6)
            if (gap := abs(total["amount"] - expected)) > EXACT and gap > ctx.tolerance.printed([total, *found]):
                out.append(
                    finding(
                        f"{ctx.where(total)}：{title}不成立，{total['raw_value']} ≠ {expected:.2f}",
                        row=total,
                        expected=expected,
                        actual=total["amount"],
                    )
                )
        classes = [i for (sec, key), i in by_key.items() if sec == "expenditure" and key.startswith("class:")]
        current = by_key.get(("expenditure", "current_expenditure_total"))
        if current and classes:
            evaluated = True
            expected = round(sum(c["amount"] for c in classes), 6)
            if (gap := abs(current["amount"] - expected)) > EXACT and gap > ctx.tolerance.printed([current, *classes]):
                out.append(
                    finding(
                        f"{ctx.where(current)}：本年支出合计 {current['raw_value']} ≠ 各功能类支出之和 {expected:.2f}",
                        row=current,
                        expected=expected,
                        actual=current["amount"],
                    )
                )
        grand_in = by_key.get(("income", "revenue_grand_total")) or by_key.get(("income", "current_revenue_total"))
        grand_out = by_key.get(("expenditure", "expenditure_grand_total")) or by_key.get(
            ("expenditure", "current_expenditure_total")
        )
        if grand_in and grand_out:
            evaluated = True
            if (gap := abs(grand_in["amount"] - grand_out["amount"])) > EXACT and gap > ctx.tolerance.printed(
                [grand_in, grand_out]
            ):
                out.append(
                    finding(
                        f"{ctx.where(grand_in)}：收入方 {grand_in['raw_value']} 与支出方 {grand_out['raw_value']} 不平衡",
                        row=grand_out,
                        expected=grand_in["amount"],
                        actual=grand_out["amount"],
                    )
                )
    return out if evaluated else None
