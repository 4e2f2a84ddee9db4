"""Performance targets against the budget (DOMAIN.md §2.1 I34, §4 H)."""

from __future__ import annotations

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.text import match_key


def _is_cost_indicator(indicator: str, project: str) -> bool:
    key, name = match_key(indicator), match_key(project)
    return (
        key in {"项目总成本", "总成本", "项目成本", "成本"}
        or key.startswith(name[:4])
        or name.startswith(key)
        or key in name
        or name in key
    )


@rule(
    "performance-cost-cap",
    severity="error",
    category="performance",
    title="绩效目标成本指标与项目金额不符",
    domain_ids="I34 H1",
)
def performance_cost_cap(ctx: DocContext) -> list[dict] | None:
    """A project's total-cost indicator ("项目总成本 ≤X万元" or "<项目名> ≤X万元") equals its
    资金总额. A cap below the amount cannot be met (error); a cap above it is a warning.

    Certain because: the cost indicator names the project's total cost and caps it below the
    project's own printed 资金总额 (DOMAIN I34/H1). Depends on: the indicator naming the project or
    项目总成本."""
    costs = [
        t
        for t in ctx.target_rows
        if t["table_kind"] == Kind.PROJECT_PERFORMANCE_TARGETS
        and t["unit"] == "万元"
        and t["value"] is not None
        and t["project_name"] is not None
    ]
    amounts = [
        r
        for r in ctx.rows(Kind.PROJECT_PERFORMANCE_TARGETS)
        if r["column"] == "total" and r["project_name"] is not None and r["row_role"] == "item"
    ]
    if not costs or not amounts:
        return None
    by_name = {match_key(r["project_name"]): r for r in amounts}
    out = []
    for target in costs:
        project = by_name.get(match_key(target["project_name"]))
        if project is None or not _is_cost_indicator(target["indicator"], target["project_name"]):
            continue
        cap, amount = target["value"], project["amount"]
        if abs(cap - amount) <= ctx.tolerance.narrative(3):
            continue
        below = cap < amount
        out.append(
            {
                **finding(
                    f"第{target['line'] or target['page']}{'行' if target['line'] else '页'}：项目“{target['project_name']}”"
                    f"成本指标“{target['indicator']} {target['raw_value']}”{'低于' if below else '高于'}项目资金总额 "
                    f"{amount:.2f} 万元" + ("，目标无法实现" if below else ""),
                    table_kind=Kind.PROJECT_PERFORMANCE_TARGETS,
                    row=project,
                    column="cost_cap",
                    expected=amount,
                    actual=cap,
                    excerpt=f"{target['indicator']} {target['raw_value']}",
                    line=target["line"],
                    page=target["page"],
                ),
                "severity": "error" if below else "warning",
            }
        )
    return out
