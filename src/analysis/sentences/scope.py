"""The funds a piece of text speaks of, from its scope words (``metadata/scope_words.csv``).

A table title ("一般公共预算财政拨款基本支出表") and a narrative sentence ("一般公共预算支出中，…")
name their scope with the same words: recognition reads titles with it, the checks sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.metadata import load_csv


@lru_cache(maxsize=1)
def _scope_words() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["pattern"]), r["scope"]) for r in load_csv("scope_words.csv"))


def title_scope(title: str) -> str | None:
    """The funds a title covers, from its scope words (metadata/scope_words.csv, first listed
    wins: "一般公共预算财政拨款" is 一般公共预算); None when it names none (all funds).

    >>> title_scope("江苏省委办公厅财政拨款基本支出预算表")
    'fiscal'
    >>> title_scope("一般公共预算财政拨款基本支出表")
    'general_budget'
    """
    for pattern, scope in _scope_words():
        if pattern.search(title):
            return scope
    return None
