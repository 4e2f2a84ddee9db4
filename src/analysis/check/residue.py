"""Template residue and copy-paste artefacts in the narrative (DOMAIN.md §4 E3–E7).

The patterns (level words, doubled punctuation, template instructions) are data in
metadata/checks/; the rules here only find them and say where they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from analysis.check.context import DocContext, finding
from analysis.check.narrative import at, short
from analysis.check.prefilter import joined, may_match
from analysis.check.registry import rule
from analysis.classification import find_obsolete_name, load_obsolete_names, normalize_name
from analysis.departments import government_levels, name_level
from analysis.metadata import claim_subjects, load_toml
from analysis.text import clean_text, match_key

_MONEY = {"万元", "亿元", "千元", "元"}
_REASON = re.compile(r"主要原因|原因[是为:：]")
_USAGE = re.compile(r"主要(?:是)?用于")
_NEXT_REASON = re.compile(r"^\s*(主要原因|原因|主要(是)?用于)")
_NUMBERING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*")
_LIST_MARK = re.compile(r"^(其中[:：]?)?\s*([（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)?")
_PLACEHOLDER = re.compile(r"[XＸ×x]+|…+|\.+")
_NOT_OWN_FINANCE = re.compile(r"^(财政)?(补助|转移支付|专项|下达)")


@cache
def _word_rank() -> dict[str, int]:
    """Rank of each level word (省 1 … 乡/镇 4), from the levels whose budget it names."""
    ranks: dict[str, int] = {}
    for level in government_levels()["level"]:
        for word in level["budget_levels"]:
            ranks[word] = min(ranks.get(word, level["rank"]), level["rank"])
    return ranks


@cache
@cache
def _patterns(rule_id: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(p["pattern"]), p["what"])
        for p in load_toml("checks/residue_patterns.toml")["pattern"]
        if p["rule"] == rule_id
    )


@cache
def _level_word() -> re.Pattern[str]:
    return re.compile(government_levels()["level_word"]["pattern"])


_name_level = lru_cache(maxsize=1 << 12)(name_level)
"""The level of a name, remembered: labels and cover lines repeat across documents, and a name
is read through a dozen patterns (the level returned is metadata: read, never change it)."""


def document_level(ctx: DocContext) -> tuple[dict, str | None] | None:
    """The document's level and the name it was read from: the department, else the
    department labels printed with the tables, else the cover lines."""
    names = [ctx.document.get("department")]
    names += list(dict.fromkeys(t["department_label"] for t in ctx.table_rows if t["department_label"] is not None))
    names += [t["text"] for t in ctx.text_rows[:8]]
    for name in names:
        level = _name_level(name)
        if level is not None:
            return level, name
    return None


def _text_rows(ctx: DocContext, with_notes: bool = True) -> list[dict]:
    """Narrative paragraphs and headings, plus the notes printed under tables (read once per
    document; the rules only read these rows)."""
    key = ("text_rows", with_notes)
    if key not in ctx.memo:
        ctx.memo[key] = _read_text_rows(ctx, with_notes)
    return ctx.memo[key]


def _joined_text_rows(ctx: DocContext) -> str:
    return joined(ctx, "text_rows_with_notes", [r["text"] for r in _text_rows(ctx)])


def _read_text_rows(ctx: DocContext, with_notes: bool) -> list[dict]:
    rows = [{"text": text, "line": r["line"], "page": r["page"]} for r, text in zip(ctx.text_rows, ctx.clean_texts)]
    if with_notes:
        texts = [r["text"] for r in rows]
        for t in (t for t in ctx.table_rows if t["notes"] is not None):
            for note in map(clean_text, t["notes"].split(" | ")):
                if not any(note in text or (text and text in note) for text in texts):
                    rows.append({"text": note, "line": t["line"], "page": t["page"]})
    return rows


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    return f"…{text[max(0, start - width) : end + width]}…"


@rule(
    "government-level-word",
    severity="warning",
    category="template",
    title="政府层级用语与本部门层级不符（如区级部门写“市级财政”）",
    domain_ids="E3",
)
def government_level_word(ctx: DocContext) -> list[dict] | None:
    """Phrases about a level's finance or budget (市级财政, 省级部门预算, 区级预算主管部门) name
    the document's own level, read from its department name: "市级财政" in a 区 document or
    "省级" in a 市 document is text copied from another level's template (DOMAIN E3)."""
    found = document_level(ctx)
    if found is None or not ctx.text_rows:
        return None
    level, name = found
    word = _level_word()
    out: list[dict] = []
    if not may_match(word, _joined_text_rows(ctx)):
        return out
    for row in _text_rows(ctx):
        for m in word.finditer(row["text"]):
            rank = _word_rank().get(m.group(1), level["rank"])
            if rank >= level["rank"] or _NOT_OWN_FINANCE.match(row["text"][m.end() :]):
                continue
            out.append(
                finding(
                    f"{at(row)}：本部门（{name}）为{level['label']}，文中却写“{m.group(0)}"
                    f"{row['text'][m.end() : m.end() + 4]}”：{_snippet(row['text'], m.start(), m.end())}",
                    excerpt=row["text"],
                    line=row["line"],
                    page=row["page"],
                    location=f"{at(row)} “{m.group(0)}”",
                )
            )
    return out


@cache
def _obsolete() -> tuple[tuple[str, str, re.Pattern[str], str, str], ...]:
    """(name, its normalised text, pattern in running text, current name, confidence), longest
    names first."""
    rows = sorted(load_obsolete_names().iter_rows(named=True), key=lambda r: -len(r["obsolete_name"]))
    return tuple(
        (
            r["obsolete_name"],
            normalize_name(r["obsolete_name"]),
            re.compile(re.escape(normalize_name(r["obsolete_name"])) + r"(?=支出|[(（][类款项][)）]|”|\"|$)"),
            r["current_name"],
            r["confidence"],
        )
        for r in rows
    )


@lru_cache(maxsize=1 << 14)
def _label_text(label: str) -> str:
    """A row label without its numbering (remembered: documents print the same labels)."""
    return _NUMBERING.sub("", clean_text(label))


def _flat(text: str) -> str:
    """Half-width, no whitespace, 其它 read as 其他; quotes kept (they delimit names in text)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("其它", "其他")


@lru_cache(maxsize=1 << 14)
def _obsolete_in(text: str, year: int, is_label: bool) -> tuple[tuple[str, str, str], ...]:
    """Retired names in ``text`` (remembered: documents print the same row labels)."""
    key = normalize_name(text) if is_label else _flat(text)
    hits: list[tuple[str, str, str]] = []
    taken: list[tuple[int, int]] = []
    for name, needle, pattern, current, confidence in _obsolete():
        if needle not in key:  # the pattern starts with the name: a plain search rules most out
            continue
        for m in pattern.finditer(key):
            if any(s <= m.start() < e for s, e in taken) or find_obsolete_name(name, year) is None:
                continue
            taken.append((m.start(), m.end()))
            hits.append((name, current, confidence))
    return tuple(hits)


@rule(
    "obsolete-class-name",
    severity="warning",
    category="template",
    title="使用已停用的支出功能分类科目名称",
    domain_ids="E4 K1",
)
def obsolete_class_name(ctx: DocContext) -> list[dict] | None:
    """Row labels and narrative use the 功能分类 names valid in the document's year; a name
    retired before it (医疗卫生与计划生育支出 → 卫生健康支出 from 2019) is template residue
    (DOMAIN E4, §3.8), worse when listed beside its new name. Names whose retirement is
    uncertain in the catalogue give info only."""
    year = ctx.document["fiscal_year"]
    if year is None or (not ctx.item_rows and not ctx.text_rows):
        return None
    # (text, line, page, table_kind, title): row labels (once per row), then the narrative
    sources = [
        (_label_text(r["row_label"]), r["line"], r["page"], r["table_kind"], r["table_title"])
        for r in ctx.labelled_rows
    ]
    sources += [(r["text"], r["line"], r["page"], None, None) for r in _text_rows(ctx, with_notes=False)]
    labels: set[str] | None = None  # normalised only when a retired name is found
    out = []
    for text, line, page, table_kind, title in sources:
        hits = _obsolete_in(text, year, table_kind is not None)
        if not hits:
            continue
        source = {"text": text, "line": line, "page": page}
        for name, current, confidence in hits:
            if labels is None:
                labels = {normalize_name(s[0]) for s in sources if s[3]}
            where = f"《{title}》" if title else "说明"
            beside = "，且同一文件中已有新名称" if normalize_name(current) in labels else ""
            out.append(
                {
                    **finding(
                        f"{at(source)} {where}：“{name}”在 {year} 年已停用，现为“{current}”{beside}",
                        table_kind=table_kind,
                        excerpt=text,
                        line=line,
                        page=page,
                        location=f"{at(source)} {where} “{name}”",
                    ),
                    **({"severity": "info"} if confidence == "uncertain" else {}),
                }
            )
    return out


@cache
def _subject_patterns() -> dict[str, re.Pattern[str]]:
    return {r.subject: r.pattern for r in claim_subjects()}


def _names_subject(claim: dict) -> bool:
    """The clause starts with its subject's name: the extractor carries a subject over to
    clauses that name none ("其他收入0万元"), and "货物类政府采购…" names a part of it."""
    label = _LIST_MARK.sub("", clean_text(claim["clause"] or ""))
    pattern = _subject_patterns().get(claim["subject"] or "")
    return bool(pattern and pattern.match(label))


def _list_items(sentence: str) -> list[list[str]]:
    """The 、-separated enumerations of a sentence (three items or more), the lead-in of the
    first item ("包括…") and the tail of the last ("…等") cut off."""
    lists = []
    for segment in _SEGMENT.split(sentence):
        if segment.count("、") < 2:  # fewer than three items
            continue
        items = [match_key(i) for i in segment.split("、")]
        items[0] = _LEAD_IN.split(items[0])[-1]
        items[-1] = _TAIL.sub("", items[-1])
        lists.append(items)
    return lists


_SEGMENT = re.compile(r"[，,；;。：:]")
_LEAD_IN = re.compile(r"包括|包含|主要有|主要是|分别是|分别为")
_TAIL = re.compile(r"(等|及其他).*$")


@rule("duplicated-list-item", severity="warning", category="template", title="列举中重复列出同一项目", domain_ids="E5")
def duplicated_list_item(ctx: DocContext) -> list[dict] | None:
    """An enumeration names each item once: the same subject stated twice after "其中"
    (政府性基金 twice while 国有资本经营 is missing) or the same word twice in a 、-list is a
    copy-paste slip (DOMAIN E5)."""
    if not ctx.claim_dicts and not ctx.text_rows:
        return None
    out = []
    for claims in ctx.claims_by_sentence:
        start = (claims[0]["sentence"] or "").find("其中")
        listed = [
            c
            for c in claims
            if start >= 0
            and c["offset"] > start
            and c["claim_type"] == "amount"
            and c["unit"] in _MONEY
            and _names_subject(c)
        ]
        seen: dict[str, dict] = {}
        for c in listed:
            if c["subject"] in seen:
                first = seen[c["subject"]]
                out.append(
                    finding(
                        f"{at(c)}“{c['section'] or ''}”：同一列举中重复列出“{short(first['clause'])}”与"
                        f"“{short(c['clause'])}”",
                        excerpt=c["sentence"],
                        line=c["line"],
                        page=c["page"],
                        location=f"{at(c)} “{short(c['clause'])}”",
                    )
                )
            seen.setdefault(c["subject"], c)
    for row in _text_rows(ctx, with_notes=False):
        if row["text"].count("、") < 2:  # a list of three names needs two 、
            continue
        for items in _list_items(row["text"]):
            dupes = sorted({i for i in items if len(i) >= 2 and items.count(i) > 1 and not _PLACEHOLDER.fullmatch(i)})
            if dupes:
                out.append(
                    finding(
                        f"{at(row)}：列举中重复出现“{'”“'.join(dupes)}”：{row['text'][:80]}",
                        excerpt=row["text"],
                        line=row["line"],
                        page=row["page"],
                    )
                )
    return out


def _pattern_rule(ctx: DocContext, rule_id: str) -> list[dict] | None:
    """One finding per text line and pattern, quoting the first place it matches."""
    if not ctx.text_rows:
        return None
    out: list[dict] = []
    patterns = [(pattern, what) for pattern, what in _patterns(rule_id) if may_match(pattern, _joined_text_rows(ctx))]
    if not patterns:
        return out
    for row in _text_rows(ctx):
        for pattern, what in patterns:
            m = pattern.search(row["text"])
            if m is not None:
                out.append(
                    finding(
                        f"{at(row)}：{what}：{_snippet(row['text'], m.start(), m.end(), 20)}",
                        excerpt=row["text"],
                        line=row["line"],
                        page=row["page"],
                        location=f"{at(row)} “{row['text'][max(0, m.start() - 8) : m.end() + 8]}”",
                    )
                )
    return out


@rule("doubled-punctuation", severity="info", category="template", title="标点重复或缺失", domain_ids="E6")
def doubled_punctuation(ctx: DocContext) -> list[dict] | None:
    """No punctuation mark is doubled ("；；", "。。") and a sentence ending in an amount is
    closed before the next begins ("0 万元 2024 年…") (DOMAIN E6)."""
    return _pattern_rule(ctx, "doubled-punctuation")


@rule("template-instruction", severity="warning", category="template", title="模板中的填写说明未删除", domain_ids="E1")
def template_instruction(ctx: DocContext) -> list[dict] | None:
    """Instructions addressed to whoever fills in the template ("无…的，仍保留该表格式，并在本表
    下方作下述说明") are deleted before publication (DOMAIN E1)."""
    return _pattern_rule(ctx, "template-instruction")


def _inside_brackets(clause: str | None) -> bool:
    """A figure inside "（…）" is a sub-item; what follows describes the enclosing item."""
    text = clause or ""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _sentence_order(ctx: DocContext) -> tuple[list[str], dict[tuple, int]]:
    """The narrative's sentences in reading order (``texts.sentences``, split at extraction) and
    each one's position by (sentence, line, page)."""
    if "sentences" not in ctx.columns("texts"):
        return [], {}
    found = [(s, r["line"], r["page"]) for r in ctx.text_rows for s in r["sentences"] or []]
    return [s for s, _, _ in found], {key: i for i, key in enumerate(found)}


@rule(
    "zero-change-boilerplate",
    severity="warning",
    category="template",
    title="零变动或零金额的套话（“增加0万元”、对零变动说明原因）",
    domain_ids="E7 P3",
)
def zero_change_boilerplate(ctx: DocContext) -> list[dict] | None:
    """A change of 0 is "持平", not "增加0万元"/"减少0万元"; it needs no reason ("主要原因…"),
    and an item of 0 needs no description of what it is used for ("主要用于…") (DOMAIN E7, P3)."""
    rows = ctx.ordered_claims
    if not any(c["value"] == 0 and c["unit"] in _MONEY | {"%"} for c in rows):
        return None
    texts, index = _sentence_order(ctx)
    out = []
    for claims in ctx.claims_by_sentence:
        key = (claims[0]["sentence"], claims[0]["line"], claims[0]["page"])
        problems: list[str] = []
        for i, c in enumerate(claims):
            if c["value"] != 0 or c["unit"] not in _MONEY | {"%"}:
                continue
            end = claims[i + 1]["offset"] if i + 1 < len(claims) else None
            tail = (c["sentence"] or "")[c["offset"] : end]
            position = index.get(key)
            if (
                end is None
                and position is not None
                and position + 1 < len(texts)
                and _NEXT_REASON.match(texts[position + 1])
            ):
                tail += texts[position + 1]
            label = f"“{short(c['clause'])}”"
            if c["claim_type"] in {"change_amount", "change_pct"}:
                if c["direction"] in {"up", "down"}:
                    problems.append(f"{label}变动为 0，应写“持平”而不是“增加/减少 0”")
                if _REASON.search(tail):
                    problems.append(f"{label}对零变动说明了原因（{_snippet(tail, 0, 30, 0)}）")
            elif c["claim_type"] == "amount" and _USAGE.search(tail) and not _inside_brackets(c["clause"]):
                problems.append(f"{label}金额为 0 却说明其主要用途（{_snippet(tail, 0, 30, 0)}）")
        if problems:
            first = claims[0]
            out.append(
                finding(
                    f"{at(first)}“{first['section'] or ''}”：{'；'.join(problems)}",
                    actual=0.0,
                    excerpt=first["sentence"],
                    line=first["line"],
                    page=first["page"],
                    location=f"{at(first)} “{short(first['sentence'], 40)}”",
                )
            )
    return out
