"""The narrative as sentences with their place, shared by the rules that read text only (rate
sentences, checklist items, stated sums). Works the same on narrative-only documents."""

from __future__ import annotations

import re

from analysis.check.context import DocContext
from analysis.model import Block, Location
from analysis.sentences.rates import RateStatement, sentence_rates
from analysis.sentences.split import sentences
from analysis.text import NARROW_DIGITS


def blocks(ctx: DocContext) -> list[Block]:
    """The document's headings and paragraphs (its partner's too, for a paired tables file)."""
    if "blocks" not in ctx.memo:
        ctx.memo["blocks"] = [
            Block(r["kind"], Location(r["line"], r["page"], r["sheet"]), text=r["text"] or "", level=r["level"] or 0)
            for r in ctx.text_rows
            if r["kind"] != "table"
        ]
    return ctx.memo["blocks"]


def located_sentences(ctx: DocContext) -> list[tuple[str, Block, str | None]]:
    """Sentences with full-width digits read as ASCII (as the claims read them), so a parser's
    ``\\d`` never splits "１９２４．０９" at its full-width point; the sentences extraction
    split where the texts carry them (the third member, the section, is then ``None``)."""
    if "sentences" not in ctx.memo:
        given = _split_at_extraction(ctx)
        split = sentences(blocks(ctx)) if given is None else given
        ctx.memo["sentences"] = [(_narrow(text), block, section) for text, block, section in split]
    return ctx.memo["sentences"]


_WIDE = re.compile("[０-９．％]")
"""The characters :data:`NARROW_DIGITS` translates."""


def _narrow(text: str) -> str:
    """``text.translate(NARROW_DIGITS)``: the translation, which costs a dictionary lookup per
    character, only where there is something to translate."""
    return text.translate(NARROW_DIGITS) if _WIDE.search(text) else text


def _split_at_extraction(ctx: DocContext) -> list[tuple[str, Block, str | None]] | None:
    """The sentences extraction cut with the same splitter (``texts.sentences``: those that
    start in each row), with their blocks, when the texts are one document's and every row has
    them; ``None`` otherwise (a paired narrative file's rows appended: a sentence may run from
    one file's last paragraph into the other's, as only a split of both together reads it).
    The section is not given (no rule reads it)."""
    rows = [r for r in ctx.text_rows if r["kind"] != "table"]
    if (
        not rows
        or "sentences" not in ctx.columns("texts")
        or any(r["sentences"] is None or r["doc_id"] != rows[0]["doc_id"] for r in rows)
    ):
        return None
    return [(text, block, None) for r, block in zip(rows, blocks(ctx), strict=True) for text in r["sentences"]]


def rate_statements(ctx: DocContext) -> list[tuple[RateStatement, Block]]:
    """Every rate statement of the narrative with the block its sentence starts in."""
    if "rates" not in ctx.memo:
        ctx.memo["rates"] = [
            (s, block)
            for sentence, block, _ in located_sentences(ctx)
            if _figures_at_least_two(sentence)
            for s in sentence_rates(sentence, ctx.document.get("fiscal_year"))
        ]
    return ctx.memo["rates"]


def _figures_at_least_two(sentence: str) -> bool:
    """A rate statement holds two figures or more, each an amount in 元 or a percentage: a
    sentence with fewer of those marks has none (and is not parsed)."""
    return sentence.count("元") + sentence.count("%") + sentence.count("％") >= 2


def quote(text: str, limit: int = 60) -> str:
    text = text.strip()
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def claimed_change_rates(ctx: DocContext) -> dict[str, list[float]]:
    """The change rates (``change_pct``) of the claims frame by sentence, digits read as ASCII as
    :func:`located_sentences` reads them: the claims extraction made of each sentence."""
    if "claimed_change_rates" not in ctx.memo:
        by_sentence: dict[str, list[float]] = {}
        for claim in ctx.claim_dicts:
            sentence, value = claim["sentence"], claim["value"]
            if claim["claim_type"] == "change_pct" and sentence is not None and value is not None:
                by_sentence.setdefault(_narrow(sentence), []).append(value)
        ctx.memo["claimed_change_rates"] = by_sentence
    return ctx.memo["claimed_change_rates"]
