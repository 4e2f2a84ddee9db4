"""The narrative as the checks read it: sentences in reading order and the 目录 (issue 16).

Extraction gives every text row (``texts`` frame) the sentences that start in it and, for a
line of the table of contents, the entry it starts with the table kind and year its title
names; the checks read these columns instead of re-splitting sentences or re-parsing the 目录.
"""

from __future__ import annotations

import re

from analysis.model import Block
from analysis.recognise.titles import LEADING_NUMBER, match_title
from analysis.sentences.split import sentences
from analysis.text import clean_text, match_key

_TRAILING_PAGE = re.compile(r"[.…·\s\d-]+$")
_TOC_WINDOW = 90  # rows after "目录" that may still be entries


def sentences_by_block(
    blocks: list[Block], split: list[tuple[str, Block, str | None]] | None = None
) -> list[list[str]]:
    """For each block, the narrative sentences that start in it, in reading order (``split``:
    ``sentences(blocks)`` when the caller has it already)."""
    out: list[list[str]] = [[] for _ in blocks]
    position = {id(b): n for n, b in enumerate(blocks)}
    for sentence, block, _ in sentences(blocks) if split is None else split:
        out[position[id(block)]].append(sentence)
    return out


def toc_entries(texts: list[str | None]) -> dict[int, str]:
    """Row position → 目录 entry: the lines after a "目录" line, while they stay short, end in no
    full stop and do not restate an earlier entry (the body starts by repeating a title or
    heading); an entry wrapped onto two lines is one entry, on its first row."""
    start = next((i for i, t in enumerate(texts) if match_key(t or "") == "目录"), None)
    if start is None:
        return {}
    out: dict[int, str] = {}
    seen: set[str] = set()
    last: int | None = None
    for n in range(start + 1, min(start + 1 + _TOC_WINDOW, len(texts))):
        text = _TRAILING_PAGE.sub("", clean_text(texts[n] or ""))
        key = LEADING_NUMBER.sub("", match_key(text))
        if not key:
            continue
        if len(key) > 60 or key.endswith("。") or key in seen:
            break
        seen.add(key)
        if (
            last is not None
            and not out[last].endswith("表")
            and not LEADING_NUMBER.match(match_key(text))
            and (out[last] + text).endswith("表")
        ):
            out[last] = out[last] + text  # an entry wrapped onto two lines
            continue
        out[n] = text
        last = n
    return out


def contents_columns(blocks: list[Block], split: list[tuple[str, Block, str | None]] | None = None) -> list[dict]:
    """Per block: ``sentences``, and ``toc_entry``/``toc_table_kind``/``toc_year`` on the row
    where a 目录 entry starts (the kind and year its title names, when it names a table).
    ``split``: ``sentences(blocks)`` when the caller has it already."""
    entries = toc_entries([b.text for b in blocks])
    rows = []
    for n, found in enumerate(sentences_by_block(blocks, split)):
        entry = entries.get(n)
        match = match_title(entry) if entry is not None else None
        rows.append(
            {
                "sentences": found,
                "toc_entry": entry,
                "toc_table_kind": match.table_kind if match else None,
                "toc_year": match.year if match else None,
            }
        )
    return rows
