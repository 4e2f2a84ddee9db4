"""Classification checks (DOMAIN.md §3, §4 K): code/name pairs against the catalogue, the
部门→政府 crosswalk, where personnel items sit functionally, class membership of basic-spending
lines, heavy use of "其他" codes and 事业单位-only pay items in a 机关.

The per-document views these rules read (economic lines, function codes, units, the printed
name) are in ``document_views``.
"""

from __future__ import annotations

from functools import cache, lru_cache

from analysis import classification as cat
from analysis.check.context import DocContext, finding
from analysis.check.document_views import (
    BASIC_KINDS,
    basic_lines,
    department_name,
    full_lines,
    function_codes,
    looks_like_institution,
    params,
    strip_ordinal,
    unit_count,
    where_of,
)
from analysis.check.registry import rule
from analysis.kinds import Kind

_FIRM = {"checked", "known"}


# --- K1 -------------------------------------------------------------------------------------


@cache
def _economic_entries(year: int | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in cat.load_economic_codes().iter_rows(named=True):
        if (row["valid_from"] is None or year is None or row["valid_from"] <= year) and (
            row["valid_to"] is None or year is None or year <= row["valid_to"]
        ):
            out.setdefault(row["code"], []).append(row)
    return out


@cache
def _gov_entries() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in cat.load_gov_economic_codes().iter_rows(named=True):
        out.setdefault(row["code"], []).append(row)
    return out


@cache
def _confidences(book: str, year: int | None) -> dict[str, set[str]]:
    entries = _economic_entries(year) if book == "econ" else _gov_entries()
    return {c: {e["confidence"] for e in es} for c, es in entries.items()}


def _names(entries: list[dict]) -> list[str]:
    return [n for e in entries for n in [e["name"], *(e["aliases"] or "").split("|")] if n]


@lru_cache(maxsize=1 << 16)
def _names_match(name: str, names: tuple[str, ...]) -> bool:
    """:func:`cat.names_match`, remembered: documents print the same labels against the same
    catalogue names, and normalising both sides is most of a lookup's cost."""
    return cat.names_match(name, names)


@lru_cache(maxsize=1 << 14)
def _economic_pair(book: str, year: int | None, code: str, name: str) -> tuple[list[dict], bool]:
    """The catalogue entries of an economic code (部门 ``econ`` or 政府 ``gov``) and whether
    ``name`` is theirs (or the code is unknown); remembered, as documents print the same pairs."""
    entries = (_economic_entries(year) if book == "econ" else _gov_entries()).get(code, [])
    return entries, not entries or _names_match(name, tuple(_names(entries)))


@lru_cache(maxsize=1 << 12)
def _named_codes(book: str, year: int | None, name: str) -> frozenset[str]:
    entries_by_code = _economic_entries(year) if book == "econ" else _gov_entries()
    return frozenset(c for c, entries in entries_by_code.items() if cat.names_match(name, _names(entries)))


@lru_cache(maxsize=1 << 14)
def _function_pair(code: str, name: str, year: int | None) -> tuple[list[dict], bool, set[str], dict[str, set[str]]]:
    """The catalogue entries of a function code, whether ``name`` is theirs (or a retired name),
    and else the codes the name belongs to with their confidences; remembered, as documents
    print the same pairs."""
    entries = [
        {"name": e.name, "aliases": "|".join(e.aliases), "confidence": e.confidence}
        for e in cat.function_entries(code, year)
    ]
    if not entries or cat.names_match(name, _names(entries)) or cat.find_obsolete_name(name, year or 0):
        return entries, True, set(), {}
    others = cat.function_codes_named(name, year) - {code}
    return entries, False, others, {o: {e.confidence for e in cat.function_entries(o, year)} for o in others}


def _pair_problem(
    code: str, name: str, entries: list[dict], others: set[str], confidences: dict[str, set[str]]
) -> tuple[str, str]:
    """(severity, explanation) of a code printed with a name the catalogue gives elsewhere."""
    expected = "、".join(dict.fromkeys(e["name"] for e in entries))
    if not others:
        return "warning", f"目录中 {code} 为“{expected}”，所印名称不在目录中（可能是简称或地方口径）"
    listed = "、".join(sorted(others)[:4]) + ("等" if len(others) > 4 else "")
    if all(o.startswith(code) for o in others):
        return "warning", f"“{name}”是下级科目 {listed} 的名称，编码可能印得不完整（目录中 {code} 为“{expected}”）"
    firm = {e["confidence"] for e in entries} <= _FIRM and any(confidences.get(o, set()) <= _FIRM for o in others)
    return ("error" if firm else "warning"), f"目录中 {code} 为“{expected}”，而“{name}”是 {listed} 的名称"


@rule(
    "classification-code-name",
    severity="error",
    category="classification",
    title="科目编码与科目名称不匹配",
    domain_ids="K1 §3.8",
)
def classification_code_name(ctx: DocContext) -> list[dict] | None:
    """Every printed (code, name) pair of the function, 部门 economic and 政府 economic
    classifications matches the catalogue of the document's year after normalising brackets,
    ordinals and whitespace. A name that belongs to another code is an error when both codes
    are marked checked/known in the catalogue, a warning when either is uncertain or when the
    name belongs only to a child of the printed code (a code printed incompletely); a name
    unknown to the catalogue is a warning. Retired names are left to the obsolete-name rule.

    Certain because: the printed code and name disagree with the 功能/经济分类 catalogue of the
    document's year. Depends on: the fiscal year (catalogue edition)."""
    year = ctx.document.get("fiscal_year")
    rows = ctx.labelled_rows  # one item per printed row
    problems: dict[tuple, list[dict]] = {}
    evaluated = False
    department = department_name(ctx)
    for item in rows:
        if not (item["func_code"] or item["econ_code"] or item["gov_econ_code"]):
            continue  # no code printed: nothing to pair with the name
        name = strip_ordinal(item["row_label"])
        if not name or item["row_role"] == "unit" or name.endswith("本级") or (department and department in name):
            continue  # a budget-unit row whose unit code was read as a function code
        for family, code in (
            ("功能分类", item["func_code"]),
            ("部门经济分类", item["econ_code"]),
            ("政府经济分类", item["gov_econ_code"] if item["econ_code"] is None else None),
        ):
            if not code:
                continue
            if family == "功能分类":
                entries, fits, others, confidences = _function_pair(code, name, year)
                if fits:
                    evaluated = evaluated or bool(entries)
                    continue
            else:
                book = "econ" if family == "部门经济分类" else "gov"
                entries, fits = _economic_pair(book, year, code, name)
                if fits:
                    evaluated = evaluated or bool(entries)
                    continue
                others, confidences = set(_named_codes(book, year, name) - {code}), _confidences(book, year)
            evaluated = True
            severity, why = _pair_problem(code, name, entries, others, confidences)
            problems.setdefault((family, code, cat.normalize_name(name), severity, why), []).append(item)
    out = []
    for (family, code, _, severity, why), items in problems.items():
        tables = "、".join(dict.fromkeys(f"《{i['table_title']}》" for i in items if i["table_title"]))
        out.append(
            {
                **finding(
                    f"{where_of(ctx, items[0])}：{family}科目 {code} 印为“{strip_ordinal(items[0]['row_label'])}”，"
                    f"{why}（见 {tables}）",
                    row=items[0],
                    column="code",
                    excerpt=f"{code} {items[0]['row_label']}",
                ),
                "severity": severity,
            }
        )
    return out if evaluated else None


# --- K2 / I21 and §3.7 ------------------------------------------------------------------------


def _mapped_pairs(ctx: DocContext) -> dict[tuple[str, str], dict]:
    if "mapped_pairs" not in ctx.memo:
        pairs: dict[tuple[str, str], dict] = {}
        for item in ctx.item_rows:
            econ, gov = item["econ_code"], item["gov_econ_code"]
            if econ is not None and gov is not None and len(econ) == 5 and len(gov) == 5:
                pairs.setdefault((econ, gov), item)
        ctx.memo["mapped_pairs"] = pairs
    return ctx.memo["mapped_pairs"]


@rule(
    "classification-crosswalk",
    severity="warning",
    category="classification",
    title="部门经济分类与政府经济分类的对应关系不符合对照表",
    domain_ids="K2 I21 §3.6",
)
def classification_crosswalk(ctx: DocContext) -> list[dict] | None:
    """Each 部门 economic code (3xx) is mapped to a 政府 economic code (5xx) that the MOF
    crosswalk allows for it, for either unit type (DOMAIN §3.6). Pairs whose 部门 code the
    crosswalk does not list are not judged."""
    pairs = _mapped_pairs(ctx)
    out, evaluated = [], False
    for (econ, gov), item in sorted(pairs.items()):
        allowed = cat.allowed_gov_targets(econ)
        if not allowed:
            continue
        evaluated = True
        if gov not in allowed:
            out.append(
                finding(
                    f"{where_of(ctx, item)}：部门经济分类 {econ} {cat.economic_name(econ) or ''} 对应政府经济分类 {gov} "
                    f"{cat.gov_economic_name(gov) or ''}，对照表只允许 {'、'.join(sorted(allowed))}",
                    row=item,
                    column="gov_econ_code",
                    excerpt=f"{econ} → {gov}",
                )
            )
    return out if evaluated else None


@rule(
    "wage-mapping-mixed",
    severity="warning",
    category="classification",
    title="同一单位的工资福利支出同时对应机关（501）和事业单位（505）政府经济分类",
    domain_ids="K2 §3.7",
)
def wage_mapping_mixed(ctx: DocContext) -> list[dict] | None:
    """Within one budget unit, all 301 工资福利 lines map to one family: 501 for a 机关, 505 for
    a 事业单位. A mix means a mis-typed unit or mis-coded lines; the disclosure should state the
    staffing composition (DOMAIN §3.7). Documents covering several units are not judged."""
    if (unit_count(ctx) or 1) > 1:
        return None
    families: dict[str, list[tuple[str, dict]]] = {}
    for (econ, gov), item in _mapped_pairs(ctx).items():
        if econ.startswith("301") and gov[:3] in ("501", "505"):
            families.setdefault(gov[:3], []).append((econ, item))
    if not families:
        return None
    if len(families) < 2:
        return []

    def listed(family: str) -> str:
        return "、".join(f"{econ} {item['row_label']}" for econ, item in sorted(families[family]))

    first = sorted(families["505"])[0][1]
    return [
        finding(
            f"{where_of(ctx, first)}：工资福利支出中 {listed('501')} 对应 501 机关工资福利支出，"
            f"而 {listed('505')} 对应 505 对事业单位经常性补助；一个单位应只用其中一类，请说明人员构成"
            f"（行政编制或事业编制）",
            row=first,
            column="gov_econ_code",
        )
    ]


# --- K3 ---------------------------------------------------------------------------------------


@cache
def _expected_personnel_functions(code: str, year: int | None) -> frozenset[str]:
    return frozenset(cat.expected_personnel_functions(code, None, year))


@rule(
    "personnel-items-function",
    severity="warning",
    category="classification",
    title="社会保险、住房公积金等人员支出未列入对应的功能分类科目",
    domain_ids="K3 §3.3",
)
def personnel_items_function(ctx: DocContext) -> list[dict] | None:
    """Basic-spending personnel items that have their own function 项 (30108 → 2080505, 30110 →
    2101101/02, 30113 → 2210201, 30302 → 2080501/02 …, DOMAIN §3.3) appear under that 项 (or
    its 款/类) in the function tables, not inside 行政运行/事业运行."""
    lines, functions = basic_lines(ctx), function_codes(ctx)
    if lines is None or not functions:
        return None
    year = ctx.document.get("fiscal_year")
    missing = []
    for code in params()["personnel_function_items"]:
        amount = lines.get(code)
        expected = _expected_personnel_functions(code, year)
        if amount <= ctx.tolerance.minimum or not expected:
            continue
        if not any(e == f or e.startswith(f) for e in expected for f in functions):
            missing.append((code, amount, expected))
    if not missing:
        return []
    running = {c: r for c, r in functions.items() if len(c) == 7 and c[5:] in ("01", "50")}
    where = "、".join(f"{c} {r['row_label']}" for c, r in sorted(running.items())) or "行政运行/事业运行"
    items = "；".join(
        f"{c} {cat.economic_name(c, year) or ''} {a:.2f} 万元 应列 {'/'.join(sorted(e))}" for c, a, e in missing
    )
    row = lines.rows[missing[0][0]]
    return [
        finding(
            f"{where_of(ctx, row)}：基本支出中有 {items}，但功能分类表中没有这些科目"
            f"（{'/'.join(params()['personnel_function_classes'])} 类下无对应支出），基本支出似乎全部列在 {where}",
            row=row,
            column="func_code",
            actual=round(sum(a for _, a, _ in missing), 6),
        )
    ]


# --- K4 / I19 ---------------------------------------------------------------------------------


@rule(
    "basic-class-membership",
    severity="error",
    category="classification",
    title="基本支出经济科目列错人员经费/公用经费栏",
    domain_ids="K4 I19",
)
def basic_class_membership(ctx: DocContext) -> list[dict] | None:
    """In a basic-spending table with 人员经费 and 公用经费 columns, a 301/303 line has no money
    under 公用经费 and a 302/307/309/310/399 line has none under 人员经费 (DOMAIN I19).

    Certain because: the economic class of the line fixes whether it is 人员经费 (301/303) or 公用经费
    (302/307/309/310/399). Depends on: the printed economic codes."""
    kinds = [*BASIC_KINDS, Kind.ECONOMIC_CLASSIFICATION_SUMMARY]
    rows = [
        i
        for i in ctx.item_rows
        if i["table_kind"] in kinds
        and i["econ_code"] is not None
        and i["column"] in ("personnel", "public")
        and i["amount"] is not None
    ]
    if not rows:
        return None
    wrong_column = {"personnel": "public", "public": "personnel"}
    labels = {"personnel": "人员经费", "public": "公用经费"}
    out = []
    for item in rows:
        kind = cat.economic_kind(item["econ_code"])
        if (
            kind in wrong_column
            and item["column"] == wrong_column[kind]
            and abs(item["amount"]) > ctx.tolerance.sum(1, ctx.scale(item["table_kind"]))
        ):
            out.append(
                finding(
                    f"{where_of(ctx, item)}：{item['econ_code']} 属于{labels[kind]}类科目，却在“{labels[item['column']]}”栏列有 "
                    f"{item['raw_value']}",
                    row=item,
                    column=item["column"],
                    expected=0.0,
                    actual=item["amount"],
                )
            )
    return out


# --- K7 ---------------------------------------------------------------------------------------


@rule(
    "performance-pay-in-organ",
    severity="warning",
    category="classification",
    title="行政单位列支事业单位绩效工资（30107）",
    domain_ids="K7 §3.7",
)
def performance_pay_in_organ(ctx: DocContext) -> list[dict] | None:
    """30107 绩效工资 is the performance pay of 事业单位 staff (DOMAIN §3.4, §3.7). A document
    of a single 行政单位 — its name reads like an organ (no 中心/院/站/所/馆/事业 …), no function
    row is 事业运行, and it is one budget unit or its other 301 lines map to 501 — that budgets
    30107 should explain it. Documents whose unit structure cannot be told are not judged."""
    lines = basic_lines(ctx) or full_lines(ctx)
    if lines is None:
        return None
    amount = lines.get("30107")
    if amount <= ctx.tolerance.minimum:
        return []
    name = department_name(ctx)
    institution_rows = [c for c in function_codes(ctx) if len(c) == 7 and c.endswith("50")]
    other_families = {gov[:3] for (econ, gov) in _mapped_pairs(ctx) if econ.startswith("301") and econ != "30107"}
    units = unit_count(ctx)
    if looks_like_institution(name) or institution_rows or "505" in other_families or (units or 1) > 1:
        return []
    if units is None and other_families != {"501"}:
        return None  # a 部门 may consolidate 事业单位 that print no 事业运行 row: unit type unknown
    evidence = "其余工资福利科目均对应 501 机关工资福利支出，" if other_families == {"501"} else ""
    row = lines.rows["30107"]
    return [
        finding(
            f"{where_of(ctx, row)}：“{name}”按名称和功能科目（无事业运行）看是行政单位，{evidence}"
            f"却列支 30107 绩效工资 {amount:.2f} 万元；绩效工资是事业单位人员的工资项目，请说明是否有事业编制人员，"
            f"或应改列 30102 津贴补贴 / 30103 奖金",
            row=row,
            column="econ_code",
            actual=amount,
        )
    ]
