"""Completeness (DOMAIN.md §4 F1–F3) and the table of contents against the body (§4 E8).

The mandated table set of each template, the statements that an empty table needs and the
narrative sections a disclosure explains are data in metadata/checks/.
"""

from __future__ import annotations

import itertools
import re
from functools import cache, lru_cache

from analysis.check.context import DocContext, finding
from analysis.check.narrative import at
from analysis.check.prefilter import any_matches, join, joined, rows_with
from analysis.check.registry import rule
from analysis.metadata import empty_table_statements, load_toml
from analysis.text import LEADING_NUMBER, clean_text, match_key

_YEAR = re.compile(r"\(?(20\d{2})年度?\)?")


@cache
def _mandated() -> dict:
    return load_toml("checks/mandated_tables.toml")


@lru_cache(maxsize=1 << 14)
def _normalised_title(title: str | None, department: str | None = None) -> str:
    """A title without year, numbering, department name, spaces, quotes or a bracketed
    qualifier at the end ("（功能科目）")."""
    key = LEADING_NUMBER.sub("", match_key(title or ""))
    key = _YEAR.sub("", key)
    if department:
        key = key.replace(match_key(department), "")
    return re.sub(r"\([^()]*\)$", "", key)


def _same_title(a: str, b: str) -> bool:
    """Equal, or one only adds a qualifier to the other ("（一般公共预算）“三公”经费…表")."""
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a in b or b in a))


def template_of(ctx: DocContext) -> dict | None:
    """The template whose detecting title pattern the document's tables match."""
    doc_type = ctx.document["doc_type"] or "budget"
    titles = [_normalised_title(t["title"]) for t in ctx.table_rows if t["title"] is not None]
    for template in _mandated()["template"]:
        if template["doc_type"] != doc_type:
            continue
        if "detect" not in template or any(re.search(template["detect"], t) for t in titles):
            return template
    return None


def _required(template: dict, year: int | None) -> list[tuple[str, bool]]:
    """(table id, is core) for the tables the template mandates in ``year``."""
    out = []
    for group, core in (("core", True), ("local", False)):
        for entry in template[group]:
            table_id, since = (entry, None) if isinstance(entry, str) else (entry["id"], entry.get("since"))
            if since is None or year is None or year >= since:
                out.append((table_id, core))
    return out


def _present(ctx: DocContext, table_id: str) -> bool:
    """A table of that DOMAIN id was recognised, a title matches its pattern, or (决算) a
    "公开0N表" label is printed outside the 目录."""
    if any(t["domain_id"] == table_id for t in ctx.table_rows):
        return True
    pattern = _mandated()["titles"].get(table_id)
    titles = [t["title"] for t in ctx.table_rows if t["title"] is not None]
    if pattern and any(re.search(pattern, _normalised_title(t)) for t in titles):
        return True
    if not table_id.startswith("F"):
        return False
    anchor = re.compile(rf"公开0?{int(table_id[1:])}表")  # 决算 tables carry 公开0N表 labels
    toc = {e["text"] for e in toc_lines(ctx)}
    texts = [t for t, clean in _texts(ctx) if clean not in toc]
    return any(anchor.search(match_key(t)) for t in titles + texts)


@rule("mandated-table-missing", severity="error", category="completeness", title="缺少应公开的表格", domain_ids="F1")
def mandated_table_missing(ctx: DocContext) -> list[dict] | None:
    """Every table the document's template mandates for its year is published: the MOF core
    B01–B08 (B09 from 2019 where the template has it; the Henan and Jiangsu templates have none)
    or F01–F09 (F01–F08 before 2019). A missing core table is an error, a missing local table
    a warning; a file holding under 60% of the core is taken for part of a split publication
    and gets warnings only (DOMAIN F1).

    Certain because: the table is mandated by the template the document's own titles identify,
    or by every template of its type for its year, and no title, recognised table or 公开0N表
    label of it is printed. Depends on: doc type (budget / final account), fiscal year, and the
    template detected from the titles."""
    template = template_of(ctx)
    if template is None or not ctx.table_rows:
        return None
    required = _required(template, ctx.document["fiscal_year"])
    present = {table_id: _present(ctx, table_id) for table_id, _ in required}
    core = [t for t, is_core in required if is_core]
    share = sum(present[t] for t in core) / len(core) if core else 1.0
    partial = share < _mandated()["complete_share"]
    names = _mandated()["names"]
    note = (
        f"（本文件仅含 {sum(present[t] for t in core)}/{len(core)} 张核心表，可能只是公开材料的一部分）"
        if partial
        else ""
    )
    return [
        {
            **finding(
                f"按{template['name']}，应公开{table_id}（{names.get(table_id, table_id)}），本文件中未找到{note}",
                location=f"{table_id} {names.get(table_id, '')}",
            ),
            "severity": "error"
            if is_core and not partial and _certainly_mandated(template, table_id, ctx)
            else "warning",
        }
        for table_id, is_core in required
        if not present[table_id]
    ]


def _certainly_mandated(template: dict, table_id: str, ctx: DocContext) -> bool:
    """A missing table is an error only when the document's template is known (its titles
    matched the template's wording) or every template of this document type mandates the
    table in this year: a document in unfamiliar wording may follow a local template that
    lacks it (the Henan template has no 国有资本经营预算支出表)."""
    if "detect" in template:
        return True
    year = ctx.document["fiscal_year"]
    return all(
        any(t == table_id for t, core in _required(other, year) if core)
        for other in _mandated()["template"]
        if other["doc_type"] == template["doc_type"]
    )


def _texts(ctx: DocContext) -> list[tuple[str, str]]:
    """(text, its clean_text) of every non-null text line in order, cleaned once per document."""
    if "clean_texts" not in ctx.memo:
        ctx.memo["clean_texts"] = [
            (t["text"], clean) for t, clean in zip(ctx.text_rows, ctx.clean_texts, strict=True) if t["text"] is not None
        ]
    return ctx.memo["clean_texts"]


@cache
def _none_pattern(subject: str, row_gate: bool = False) -> re.Pattern:
    """A statement that there is no ``subject``; with ``row_gate``, the same within one row of
    joined text (the gaps never span a line break: :func:`analysis.check.prefilter.rows_with`)."""
    negation, gap = empty_table_statements()[0], "\n" if row_gate else ""
    return re.compile(rf"({negation})[^。；;，,{gap}]{{0,24}}{subject}|{subject}[^。；;{gap}]{{0,16}}({negation})")


@cache
def _zero_pattern(subject: str) -> re.Pattern:
    return re.compile(rf"{subject}[^。；;]{{0,24}}?(为\s*0|为零|(?<![\d.])0(\.0+)?\s*万?元)")


def _states_none(text: str, subject: str) -> bool:
    return bool(_none_pattern(subject).search(text))


def _states_zero(text: str, subject: str) -> bool:
    return bool(_zero_pattern(subject).search(text))


@rule(
    "empty-table-statement",
    severity="warning",
    category="completeness",
    title="空表未作说明，或说明“无”却填有数字",
    domain_ids="F2 X09",
)
def empty_table_statement(ctx: DocContext) -> list[dict] | None:
    """A published 三公 / 政府性基金 / 国有资本经营 table that is empty carries a statement
    (a note under it, or a narrative sentence saying there is none or that it is 0); a
    statement that there is none does not come with a table holding nonzero amounts
    (DOMAIN F2, X09). A file without narrative (the tables file of a split publication) is
    only checked for the second."""
    tables = [t for t in ctx.table_rows if t["domain_id"] is not None]
    narrative = [clean for _, clean in _texts(ctx)]
    text = joined(ctx, "narrative_lines", narrative)
    has_narrative = bool(ctx.claim_dicts)  # a tables-only file may have its statement elsewhere
    out, evaluated = [], False
    for spec in empty_table_statements()[1]:
        for table in (t for t in tables if t["domain_id"] in spec.ids):
            evaluated = True
            nonzero = [
                i
                for i in ctx.items_by_table.get(table["table_index"], [])
                if i["amount"] is not None and abs(i["amount"]) > 0
            ]
            notes = clean_text(table["notes"] or "")
            title = f"{at(table)}《{table['title']}》"
            stating = [narrative[i] for i in rows_with(_none_pattern(spec.subject, row_gate=True), narrative, text)]
            said_none = [t for t in [notes, *stating] if _states_none(t, spec.subject)]
            if nonzero and said_none:
                out.append(
                    finding(
                        f"{title}填有 {len(nonzero)} 个非零金额（如 {nonzero[0]['raw_value']}），"
                        f"但文中说明“{said_none[0][:60]}”",
                        table_kind=table["table_kind"],
                        row=nonzero[0],
                        excerpt=said_none[0],
                    )
                )
            elif (
                not nonzero
                and not said_none
                and not notes
                and has_narrative
                and not any_matches(_zero_pattern(spec.subject), narrative, text)
            ):
                out.append(
                    finding(
                        f"{title}为空表（无数字），表下和说明中都没有“无{spec.subject}”之类的说明",
                        table_kind=table["table_kind"],
                        excerpt=table["title"],
                        line=table["line"],
                        page=table["page"],
                    )
                )
    return out if evaluated else None


_compiled = cache(re.compile)
"""Patterns from metadata, compiled once (``re``'s own cache is small and costs a lookup)."""


@cache
def _sections() -> dict:
    return load_toml("checks/narrative_sections.toml")


@rule(
    "narrative-section-missing",
    severity="warning",
    category="completeness",
    title="情况说明缺少应有的部分",
    domain_ids="F3",
    needs=("claims",),
)
def narrative_section_missing(ctx: DocContext) -> list[dict] | None:
    """The narrative explains 收支总体, 收入, 支出, 财政拨款, 一般公共预算, 基本支出, 三公,
    政府性基金, 国有资本经营, 机关运行经费, 政府采购, 国有资产 and 绩效 (DOMAIN F3). Not
    evaluated on a file without narrative figures (a tables-only file of a split publication)."""
    if not ctx.claim_dicts:
        return None
    toc = {match_key(e["text"]) for e in toc_lines(ctx)}
    titles = {match_key(t["title"]) for t in ctx.table_rows if t["title"] is not None}
    definition = _compiled(_sections()["skip"]["definition"])
    lines = [clean for _, clean in _texts(ctx)]
    skip = toc | titles
    lines = [t for t in lines if match_key(t) not in skip and not definition.search(t)]
    text = join(lines)
    doc_type = ctx.document["doc_type"] or "budget"
    out = []
    for section in _sections()["section"]:
        if doc_type not in section.get("doc_types", [doc_type]):
            continue
        if not any_matches(_compiled(section["pattern"]), lines, text):
            out.append(finding(f"情况说明中没有找到“{section['label']}”的内容", location=section["label"]))
    return out


def toc_lines(ctx: DocContext) -> list[dict]:
    """The 目录 entries extraction found (``texts.toc_entry``, ``normalise/contents.py``): text,
    line, page and the table kind and year the entry's title names. With a paired narrative
    file's text appended, the first file that has a 目录 gives it."""
    if "toc_entry" not in ctx.columns("texts"):
        return []
    rows = [r for r in ctx.text_rows if r["toc_entry"] is not None]
    first = rows[0]["doc_id"] if rows else None
    return [
        {
            "text": r["toc_entry"],
            "line": r["line"],
            "page": r["page"],
            "table_kind": r["toc_table_kind"],
            "year": r["toc_year"],
        }
        for r in rows
        if r["doc_id"] == first
    ]


def _pair_toc_with_tables(ctx: DocContext, entries: list[dict]) -> tuple[list, list[dict]]:
    """(entry, table or None) in 目录 order, and the body tables no entry names. An entry takes
    the body table with the same normalised title, else the first unclaimed one of its kind."""
    department = ctx.document.get("department")
    tables = [t for t in ctx.table_rows if t["title"]]
    free = list(tables)
    pairs = []
    for entry in entries:
        key, kind = _normalised_title(entry["text"], department), entry["table_kind"]
        table = next((t for t in free if _normalised_title(t["title"], department) == key), None) or next(
            (t for t in free if t["table_kind"] == kind), None
        )
        if table is not None:
            free.remove(table)
        pairs.append((entry, table))
    return pairs, free


def _by_title(tables: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for table in tables:
        out.setdefault(table["title"], []).append(table)
    return out


@rule(
    "toc-vs-body",
    severity="warning",
    category="completeness",
    title="目录与正文表格不一致（缺表、漏列、表名或年份不同、顺序不同）",
    domain_ids="E8",
)
def toc_vs_body(ctx: DocContext) -> list[dict] | None:
    """Every table the 目录 lists is in the body under the same title and year, in the same
    order, and every table of the body is listed, by its title or by a 目录 section that names
    it (DOMAIN E8). Titles are compared without numbering, spaces, quote marks, the department
    name and a trailing bracketed qualifier; a title that only adds a qualifier counts as the
    same."""
    lines = toc_lines(ctx)
    entries = [e for e in lines if e["table_kind"] is not None]
    if not entries or not ctx.table_rows:
        return None
    department = ctx.document.get("department")
    pairs, unlisted = _pair_toc_with_tables(ctx, entries)
    # a table the 目录 covers by a section line ("八、绩效目标" for 项目支出绩效目标填报表) is listed
    sections = [k for e in lines if len(k := _normalised_title(e["text"])) >= 4]
    unlisted = [t for t in unlisted if not any(k in _normalised_title(t["title"]) for k in sections)]
    out = []
    for entry, table in pairs:
        listed = f"{at(entry)}目录列出“{entry['text']}”"
        if table is None:
            out.append(
                finding(
                    f"{listed}，正文中没有这张表",
                    table_kind=entry["table_kind"],
                    excerpt=entry["text"],
                    line=entry["line"],
                    page=entry["page"],
                )
            )
            continue
        problems = []
        toc_year, body_year = entry["year"], table["title_year"]
        if toc_year and body_year and toc_year != body_year:
            problems.append(f"年份不同（{toc_year} / {body_year}）")
        if not _same_title(_normalised_title(entry["text"], department), _normalised_title(table["title"], department)):
            problems.append("表名不同")
        if problems:
            out.append(
                finding(
                    f"{listed}，正文{at(table)}表名为“{table['title']}”：{'，'.join(problems)}",
                    table_kind=table["table_kind"],
                    excerpt=f"{entry['text']} / {table['title']}",
                    line=entry["line"],
                    page=entry["page"],
                )
            )
    for title, tables in _by_title(unlisted).items():
        table = tables[0]
        count = f"（共 {len(tables)} 张）" if len(tables) > 1 else ""
        out.append(
            finding(
                f"正文{at(table)}的《{title}》{count}未列入目录",
                table_kind=table["table_kind"],
                excerpt=title,
                line=table["line"],
                page=table["page"],
            )
        )
    order = [t["table_index"] for _, t in pairs if t is not None]
    swapped = [(a, b) for a, b in itertools.pairwise(order) if b < a]
    if swapped:
        names = {t["table_index"]: t["title"] for t in ctx.table_rows}
        out.append(
            finding(
                "目录中表格的顺序与正文不同："
                + "；".join(f"目录中《{names[a]}》在《{names[b]}》之前，正文相反" for a, b in swapped)
            )
        )
    return out
