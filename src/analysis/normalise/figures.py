"""Document figures (收入总计, 支出总计, 基本, 项目, 人员, 公用, 三公) from the line items,
following the source preferences declared in metadata/figures.toml, and from the narrative
claims when no table carries them (a Jiangsu 公开文件 prints no table at all).

Works on the item dicts before they become a frame: a handful of lookups per document, where
Polars' per-call overhead would dominate.
"""

from __future__ import annotations

import re
from functools import cache

from analysis.metadata import load_toml

FIGURES = tuple(f["name"] for f in load_toml("figures.toml")["figure"])


def _by_econ_class(rows: list[dict], classes: list[str]) -> list[dict]:
    """Rows of the listed 部门经济分类 classes: the class rows (301, 303) when printed, else
    their 款 rows (30101 …), so that nothing is counted twice (DOMAIN I19)."""
    class_rows = [i for i in rows if i["econ_code"] in classes]
    if class_rows:
        return class_rows
    return [i for i in rows if i["econ_code"] and len(i["econ_code"]) == 5 and i["econ_code"][:3] in classes]


def _select(by_kind: dict[str, list[dict]], source: dict) -> list[dict]:
    rows = [i for i in by_kind.get(source["kind"], ()) if i["amount"] is not None]
    if "row_key" in source:
        rows = [i for i in rows if i["row_key"] == source["row_key"]]
    elif "row_keys" in source:
        rows = [i for i in rows if i["row_key"] in source["row_keys"]]
    elif "econ_classes" in source:
        rows = _by_econ_class(rows, source["econ_classes"])
    elif source.get("row_role") in {"total", "any"}:
        if source["row_role"] == "total":
            rows = [i for i in rows if i["row_role"] == "total"]
        first = min((i["row_index"] for i in rows), default=None)
        rows = [i for i in rows if i["row_index"] == first]
    return [i for i in rows if i["column"] in source["columns"]]


def document_figures(items: list[dict], tables: list[dict], claims: list[dict] | None = None) -> tuple[dict, dict]:
    """Figure values in 万元 and, for each, where it was read (``table_kind 第N行``).

    A figure no table yields is taken from ``claims`` (the narrative) when they are given.
    """
    values: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    status: dict[str, str] = {}
    for table in tables:
        status.setdefault(table["table_kind"], table["status"])
    by_kind: dict[str, list[dict]] = {}
    for item in items:
        by_kind.setdefault(item["table_kind"], []).append(item)
    for figure in load_toml("figures.toml")["figure"]:
        name = figure["name"]
        values[name] = None
        for source in figure["sources"]:
            if source["kind"] not in status:
                continue
            rows = _select(by_kind, source)
            if rows:
                values[name] = round(sum(i["amount"] for i in rows), 6)
                first = rows[0]
                loc = f"第{first['page']}页" if first["page"] is not None else f"第{first['line']}行"
                sources[name] = f"{source['kind']} {first['row_label'] or ''} {loc}".strip()
                break
            if status[source["kind"]] == "not_applicable":
                values[name] = 0.0
                sources[name] = f"{source['kind']} 空表并注明不适用"
                break
    for name, (value, where) in narrative_figures(claims or []).items():
        if values.get(name) is None:
            values[name], sources[name] = value, where
    return values, sources


@cache
def _narrative_rules() -> tuple[tuple[str, str | None, re.Pattern[str] | None], ...]:
    return tuple(
        (r["name"], r.get("subject"), re.compile(r["clause"]) if "clause" in r else None)
        for r in load_toml("figures.toml")["narrative_figure"]
    )


def narrative_figures(claims: list[dict]) -> dict[str, tuple[float, str]]:
    """Figures stated in the narrative: for each rule of figures.toml ``narrative_figure``, the
    first amount claim (in reading order) with the rule's subject and/or clause wording.

    Returns ``{figure: (万元, where)}`` for the figures found.
    """
    found: dict[str, tuple[float, str]] = {}
    amounts = [c for c in claims if c["claim_type"] == "amount" and c["value_wan"] is not None]
    for name, subject, clause in _narrative_rules():
        for claim in amounts:
            if subject and claim["subject"] != subject:
                continue
            if clause and not clause.search(claim["clause"]):
                continue
            loc = f"第{claim['page']}页" if claim["page"] is not None else f"第{claim['line']}行"
            found[name] = (round(claim["value_wan"], 6), f"情况说明 “{claim['clause']}” {loc}")
            break
    return found
