"""Projects (DOMAIN.md §4 I, K5, L1): identity of project codes and names, and how project
money is classified economically — inferred from B11 − B06 (X10) by matching project amounts
to the per-code differences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache

from analysis import classification as cat
from analysis.check.context import DocContext, finding
from analysis.check.document_views import basic_lines, full_lines, params
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import load_csv
from analysis.text import match_key


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    amount: float
    row: dict


def projects(ctx: DocContext) -> list[Project]:
    """Projects of B10 (its 一般公共预算 本年拨款 when printed, else 合计), else of B13; worked
    out once per document (several rules ask)."""
    if "projects" not in ctx.memo:
        ctx.memo["projects"] = _projects(ctx)
    return ctx.memo["projects"]


def _projects(ctx: DocContext) -> list[Project]:
    for kind, columns in (
        (Kind.PROJECT_EXPENDITURE, ("general_budget", "total")),
        (Kind.PROJECT_PERFORMANCE_TARGETS, ("gov_budget_funds", "total")),
    ):
        rows = [
            r
            for r in ctx.rows(kind)
            if r["row_role"] == "item" and r["amount"] is not None and (r["project_name"] or "").strip()
        ]
        printed = {r["column"] for r in rows}
        column = next((c for c in columns if c in printed), None)
        if column:
            return [Project(r["project_name"], r["amount"], r) for r in rows if r["column"] == column]
    return []


# --- K5: which economic code carries each project -------------------------------------------


def project_money_by_code(ctx: DocContext) -> dict[str, float] | None:
    """B11(c) − B06(c) for every 部门 code c: the project money coded to c (DOMAIN X10)."""
    basic, full = basic_lines(ctx), full_lines(ctx)
    if basic is None or full is None:
        return None
    return {c: round(full.get(c) - basic.get(c), 6) for c in set(full.amounts) | set(basic.amounts)}


def _subset_sums(amounts: list[float]) -> list[float]:
    sums = [0.0] * (1 << len(amounts))
    for mask in range(1, 1 << len(amounts)):
        low = mask & -mask
        sums[mask] = sums[mask ^ low] + amounts[low.bit_length() - 1]
    return sums


def _candidates(
    targets: dict[str, float], sums: list[float], allowed: list[float], banned: int
) -> dict[str, list[int]]:
    """For each code, the subsets (bit masks, ascending) whose sum is its target within the gap
    allowed for that many projects. The subsets are sorted by sum once and each code looks only
    at those near its target, not at all 2^n of them."""
    by_sum = sorted(range(1, len(sums)), key=sums.__getitem__)
    keys = [sums[m] for m in by_sum]
    widest = max(allowed)
    out = {}
    for code, value in targets.items():
        pad = widest + 1e-9 * (1.0 + abs(value))  # wider than any gap, rounding of the bounds included
        near = by_sum[bisect_left(keys, value - pad) : bisect_right(keys, value + pad)]
        out[code] = sorted(m for m in near if not m & banned and abs(sums[m] - value) <= allowed[m.bit_count()])
    return out


def _cover(
    targets: dict[str, float], amounts: list[float], tol, limits: dict, split: int | None = None
) -> list[dict[int, object]]:
    """Assignments of projects to codes whose sums equal the per-code targets, found
    exhaustively over the 2^n subsets (so only for small n). With ``split``, that one project
    may instead be spread over the codes left uncovered (its amount = their sum), as when an IT
    project is coded partly to 30213 and partly to 31007."""
    n = len(amounts)
    sums = _subset_sums(amounts)
    banned = 0 if split is None else 1 << split
    allowed = [tol(k) for k in range(n + 1)]  # by the number of projects in the subset
    candidates = _candidates(targets, sums, allowed, banned)
    order = sorted(targets, key=lambda c: len(candidates[c]))
    goal = ((1 << n) - 1) ^ banned
    solutions: list[dict[int, object]] = []
    budget = [limits["max_nodes"]]

    def search(i: int, used: int, chosen: dict[str, int], left: list[str]) -> None:
        budget[0] -= 1
        if len(solutions) >= limits["max_solutions"] or budget[0] < 0:
            return
        if i == len(order):
            rest = sum(targets[c] for c in left)
            if used == goal and (
                (split is None and not left)
                or (split is not None and left and abs(rest - amounts[split]) <= tol(len(left) + 1))
            ):
                found: dict[int, object] = {j: code for code, m in chosen.items() for j in range(n) if m >> j & 1}
                if split is not None:
                    found[split] = tuple(sorted(left))
                solutions.append(found)
            return
        code = order[i]
        for mask in candidates[code]:
            if not mask & used:
                search(i + 1, used | mask, {**chosen, code: mask}, left)
        if split is not None and sum(targets[c] for c in left) + targets[code] <= amounts[split] + tol(len(left) + 2):
            search(i + 1, used, chosen, [*left, code])

    search(0, 0, {}, [])
    return solutions


def infer_project_codes(ctx: DocContext) -> tuple[dict[str, float], list[Project], dict[int, object]] | None:
    """(project money per code, projects, project index → code — or a tuple of codes for one
    project spread over several — for the projects every consistent assignment agrees on), or
    None when the inference is not possible. Exact assignments are preferred; only when none
    exists may one project be spread over several codes. When the project money per code does
    not add up to the projects' total, only unambiguous one-to-one matches are kept."""
    money, found = project_money_by_code(ctx), projects(ctx)
    limits = params()["inference"]
    if money is None or not found or len(found) > limits["max_projects"]:
        return None
    targets = {c: v for c, v in money.items() if v > ctx.tolerance.minimum}
    total = sum(p.amount for p in found)
    if not targets:
        return None
    if abs(sum(targets.values()) - total) > ctx.tolerance.sum(len(found) + len(targets)):
        return _one_to_one(ctx, targets, found)  # the tables do not balance (another defect)
    amounts = [p.amount for p in found]
    tol = lambda k: ctx.tolerance.sum(k + 1)  # noqa: E731
    solutions = _cover(targets, amounts, tol, limits)
    if not solutions:
        solutions = [s for j in range(len(found)) for s in _cover(targets, amounts, tol, limits, split=j)]
    if not solutions:
        return _one_to_one(ctx, targets, found)
    agreed = {j: code for j, code in solutions[0].items() if all(s.get(j) == code for s in solutions)}
    return targets, found, agreed


def _one_to_one(ctx: DocContext, targets: dict[str, float], found: list[Project]):
    """Only the projects whose amount is exactly one code's project money, and no other
    project's amount: what can be said when no full assignment exists."""
    close = lambda a, b: abs(a - b) <= ctx.tolerance.sum(2)  # noqa: E731
    agreed = {}
    for j, project in enumerate(found):
        codes = [c for c, v in targets.items() if close(v, project.amount)]
        if len(codes) == 1 and sum(close(p.amount, project.amount) for p in found) == 1:
            agreed[j] = codes[0]
    return (targets, found, agreed) if agreed else None


@cache
def _keyword_codes() -> tuple[dict, ...]:
    return tuple(
        {
            "keywords": r["keywords"].split("|"),
            "expected": r["expected"].split("|"),
            "contradicting": r["contradicting"].split("|"),
            "reason": r["reason"],
        }
        for r in load_csv("checks/b_keyword_codes.csv")
    )


def _matches(code: str, prefixes: list[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def _mapping_text(targets: dict[str, float], found: list[Project], agreed: dict[int, object]) -> str:
    parts = []
    for code, value in sorted(targets.items()):
        members = [found[j] for j, c in agreed.items() if c == code]
        spread = [found[j] for j, c in agreed.items() if isinstance(c, tuple) and code in c]
        listed = " + ".join([f"{p.name} {p.amount:.2f}" for p in members] + [f"{p.name}的一部分" for p in spread])
        parts.append(f"{code} {cat.economic_name(code) or ''} {value:.2f} = {listed or '未能唯一确定'}")
    return "；".join(parts)


@rule(
    "project-economic-coding",
    severity="warning",
    category="classification",
    title="项目资金所列经济科目与项目名称不符",
    domain_ids="K5 X10 §5",
)
def project_economic_coding(ctx: DocContext) -> list[dict] | None:
    """Project money is coded to economic lines that fit the project's name. The code of each
    project is inferred from B11 − B06 per 部门 code (project money per code, X10) by matching
    the project amounts to those differences (exhaustive subset sums); a project whose inferred
    code contradicts the keyword table checks/b_keyword_codes.csv (误餐 → 30106 not 30226,
    工装 → 30224/30218 not 30201, 专线/线路 → 30207 not 30201, 设备购置 → 310 not 302) is reported
    with the inferred mapping."""
    inferred = infer_project_codes(ctx)
    if inferred is None:
        return None
    targets, found, agreed = inferred
    out = []
    for j, code in sorted(agreed.items()):
        project = found[j]
        if not isinstance(code, str):
            continue  # a tuple: spread over several lines, no single code to judge
        for entry in _keyword_codes():
            hit = next((k for k in entry["keywords"] if k in project.name), None)
            if hit and _matches(code, entry["contradicting"]) and not _matches(code, entry["expected"]):
                mapping = _mapping_text(targets, found, agreed)
                out.append(
                    finding(
                        f"{ctx.where(project.row)}：项目“{project.name}”（{project.amount:.2f} 万元）按支出经济分类汇总表"
                        f"减基本支出表推断编入 {code} {cat.economic_name(code) or ''}；{entry['reason']}。推断依据：{mapping}",
                        row=project.row,
                        column="econ_code",
                        actual=project.amount,
                        excerpt=f"{project.name} → {code}",
                    )
                )
                break
    return out


@cache
def _personnel_keywords() -> tuple[str, ...]:
    return tuple(r["keyword"] for r in load_csv("checks/b_personnel_keywords.csv"))


@rule(
    "hidden-personnel-share",
    severity="info",
    category="plausibility",
    title="项目支出中含人员类支出（隐性人员经费）",
    domain_ids="L1 §6.1",
)
def hidden_personnel_share(ctx: DocContext) -> list[dict] | None:
    """Measures project money that pays people: project money on 301/303/30106/30226/30229
    (B11 − B06, X10) when both tables are printed, and projects whose names carry personnel
    words (补助, 补贴, 误餐, 伙食, 工资, 劳务, 值班, 加班 …), as a share of 项目支出."""
    found = projects(ctx)
    money = project_money_by_code(ctx)
    if not found and money is None:
        return None
    codes = params()["hidden_personnel_codes"]
    project_total = sum(p.amount for p in found) or sum(v for v in (money or {}).values() if v > 0)
    if project_total <= 0:
        return None
    coded = {c: v for c, v in (money or {}).items() if v > ctx.tolerance.minimum and _matches(c, codes)}
    named = [p for p in found if any(k in p.name for k in _personnel_keywords())]
    hidden = sum(coded.values()) if money is not None else sum(p.amount for p in named)
    if hidden <= ctx.tolerance.minimum:
        return []
    parts = []
    if coded:
        parts.append(
            "编在人员类或劳务类经济科目的项目资金："
            + "、".join(f"{c} {cat.economic_name(c) or ''} {v:.2f}" for c, v in sorted(coded.items()))
        )
    if named:
        parts.append("名称含人员类字样的项目：" + "、".join(f"{p.name} {p.amount:.2f}" for p in named))
    row = named[0].row if named else None
    return [
        finding(
            f"项目支出 {project_total:.2f} 万元中约 {hidden:.2f} 万元（{hidden / project_total:.2%}）用于人员"
            f"（{'；'.join(parts)}）；以项目名义发放的人员支出应在基本支出中反映",
            row=row,
            table_kind=None if row else Kind.ECONOMIC_CLASSIFICATION_SUMMARY,
            column="hidden_personnel",
            expected=round(project_total, 6),
            actual=round(hidden, 6),
        )
    ]


# --- I1–I4: project identity ------------------------------------------------------------------


def _coded_projects(ctx: DocContext) -> list[dict]:
    """The rows that print a project code (their first amount each)."""
    first_of_row: dict[tuple, dict] = {}
    for item in ctx.item_rows:
        if item["project_code"] is not None and item["row_role"] == "item":
            first_of_row.setdefault((item["table_index"], item["row_index"]), item)
    return list(first_of_row.values())


def _shape(code: str) -> str:
    return f"{len(code)} 位" + ("（含字母）" if re.search(r"[A-Za-z]", code) else "")


def _listing(rows: list[dict]) -> str:
    return "、".join(f"{r['project_code']}（{r['project_name']}）" for r in rows)


@rule(
    "project-code-format",
    severity="warning",
    category="plausibility",
    title="项目编码长度或格式不一致",
    domain_ids="I1",
)
def project_code_format(ctx: DocContext) -> list[dict] | None:
    """The project codes of one document share one length and pattern (一体化 codes: 6-digit
    区划 + 2-digit year + zero-padded serial). Groups of codes whose (length, letters) shape
    differs from the most common one are reported."""
    rows = {r["project_code"]: r for r in _coded_projects(ctx)}
    if len(rows) < 2:
        return None
    groups: dict[str, list[dict]] = {}
    for code, r in rows.items():
        groups.setdefault(_shape(code), []).append(r)
    if len(groups) == 1:
        return []
    ordered = sorted(groups.items(), key=lambda g: -len(g[1]))
    summary = "；".join(f"{shape} {len(rs)} 个：{_listing(rs)}" for shape, rs in ordered)
    first = ordered[1][1][0]
    return [
        finding(
            f"{ctx.where(first)}：同一文件中的项目编码格式不一致 —— {summary}",
            row=first,
            column="project_code",
            excerpt=", ".join(rows),
        )
    ]


@rule(
    "project-code-region-year",
    severity="warning",
    category="plausibility",
    title="项目编码的区划代码或年度段异常",
    domain_ids="I2",
)
def project_code_region_year(ctx: DocContext) -> list[dict] | None:
    """In numeric 一体化 project codes (14+ digits), the 6-digit 行政区划 prefix is the same for
    every project and the 2-digit creation-year segment (digits 7–8) is not later than the
    budget year."""
    year = ctx.document.get("fiscal_year")
    rows = [r for r in _coded_projects(ctx) if re.fullmatch(r"\d{14,}", r["project_code"])]
    if not rows:
        return None
    out = []
    regions = Counter(r["project_code"][:6] for r in rows)
    majority = regions.most_common(1)[0][0]
    if len(regions) > 1:
        odd = [r for r in rows if r["project_code"][:6] != majority]
        out.append(
            finding(
                f"{ctx.where(odd[0])}：项目编码的区划代码应一致（多数为 {majority}），而 {_listing(odd)} 不同",
                row=odd[0],
                column="project_code",
            )
        )
    if year:
        late = [r for r in rows if int(r["project_code"][6:8]) > year % 100]
        if late:
            out.append(
                finding(
                    f"{ctx.where(late[0])}：项目编码第 7–8 位（立项年度）晚于预算年度 {year}：{_listing(late)}",
                    row=late[0],
                    column="project_code",
                )
            )
    return out


@rule(
    "project-code-duplicate",
    severity="error",
    category="cross_table",
    title="项目编码重复或同一项目编码不一致",
    domain_ids="I3",
)
def project_code_duplicate(ctx: DocContext) -> list[dict] | None:
    """A project code identifies one project: the same code is not printed for two different
    project names, and one project name does not carry two different codes.

    Certain because: one printed project code carries two different projects in the same
    document. Depends on: the codes as printed."""
    rows = _coded_projects(ctx)
    if not rows:
        return None
    by_code: dict[str, dict[str, dict]] = {}
    by_name: dict[str, dict[str, dict]] = {}
    for r in rows:
        if r["project_name"]:
            by_code.setdefault(r["project_code"], {}).setdefault(match_key(r["project_name"]), r)
            by_name.setdefault(match_key(r["project_name"]), {}).setdefault(r["project_code"], r)
    out = []
    for code, names in by_code.items():
        if len(names) > 1:
            first = next(iter(names.values()))
            listed = "、".join(f"“{r['project_name']}”" for r in names.values())
            out.append(
                finding(f"{ctx.where(first)}：项目编码 {code} 同时用于 {listed}", row=first, column="project_code")
            )
    for codes in by_name.values():
        if len(codes) > 1:
            first = next(iter(codes.values()))
            out.append(
                finding(
                    f"{ctx.where(first)}：项目“{first['project_name']}”在不同位置的编码不同：" + "、".join(codes),
                    row=first,
                    column="project_code",
                )
            )
    return out


@cache
def _vague_names() -> frozenset[str]:
    return frozenset(match_key(r["name"]) for r in load_csv("checks/b_vague_project_names.csv"))


@rule(
    "project-name-vague",
    severity="info",
    category="plausibility",
    title="项目名称笼统（如“工作经费”）",
    domain_ids="I4",
)
def project_name_vague(ctx: DocContext) -> list[dict] | None:
    """A project is named for what it buys; a bare "工作经费", "专项经费" or "业务经费" often funds
    routine operation that belongs in basic spending (项目支出基本支出化)."""
    found = projects(ctx)
    if not found:
        return None
    return [
        finding(
            f"{ctx.where(p.row)}：项目名称“{p.name}”（{p.amount:.2f} 万元）过于笼统，看不出具体用途，"
            f"可能是日常运转支出列为项目",
            row=p.row,
            column="project_name",
            actual=p.amount,
        )
        for p in found
        if match_key(p.name) in _vague_names()
    ]
