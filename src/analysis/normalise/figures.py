"""Document figures (收入总计, 支出总计, 基本, 项目, 人员, 公用, 三公) from the line items,
following the source preferences declared in metadata/figures.toml.

Works on the item dicts before they become a frame: a handful of lookups per document, where
Polars' per-call overhead would dominate.
"""

from __future__ import annotations

from analysis.metadata import load_toml

FIGURES = tuple(f["name"] for f in load_toml("figures.toml")["figure"])


def _select(items: list[dict], source: dict) -> list[dict]:
    rows = [i for i in items if i["table_kind"] == source["kind"] and i["amount"] is not None]
    if "row_key" in source:
        rows = [i for i in rows if i["row_key"] == source["row_key"]]
    elif "row_keys" in source:
        rows = [i for i in rows if i["row_key"] in source["row_keys"]]
    elif source.get("row_role") in {"total", "any"}:
        if source["row_role"] == "total":
            rows = [i for i in rows if i["row_role"] == "total"]
        first = min((i["row_index"] for i in rows), default=None)
        rows = [i for i in rows if i["row_index"] == first]
    return [i for i in rows if i["column"] in source["columns"]]


def document_figures(items: list[dict], tables: list[dict]) -> tuple[dict, dict]:
    """Figure values in 万元 and, for each, where it was read (``table_kind 第N行``)."""
    values: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    status = {}
    for table in tables:
        status.setdefault(table["table_kind"], table["status"])
    for figure in load_toml("figures.toml")["figure"]:
        name = figure["name"]
        values[name] = None
        for source in figure["sources"]:
            if source["kind"] not in status:
                continue
            rows = _select(items, source)
            if rows:
                values[name] = round(sum(i["amount"] for i in rows), 6)
                where = rows[0]
                loc = f"第{where['page']}页" if where["page"] is not None else f"第{where['line']}行"
                sources[name] = f"{source['kind']} {where['row_label'] or ''} {loc}".strip()
                break
            if status[source["kind"]] == "not_applicable":
                values[name] = 0.0
                sources[name] = f"{source['kind']} 空表并注明不适用"
                break
    return values, sources
