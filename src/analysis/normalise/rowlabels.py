"""Canonical keys for the labelled rows of two-sided and form tables (metadata/row_labels.csv)."""

from __future__ import annotations

import re
from functools import cache

from analysis.metadata import load_csv
from analysis.text import match_key

_ORDINAL = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、.]?|^\(?\d+\)?[、.]?|^其中[:：]?")


@cache
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["label_pattern"]), r["row_key"]) for r in load_csv("row_labels.csv"))


@cache
def strip_ordinal(label: str) -> str:
    """``一、一般公共服务`` → ``一般公共服务``; ``（一）…`` and ``其中：…`` likewise."""
    key = match_key(label)
    previous = None
    while previous != key:
        previous, key = key, _ORDINAL.sub("", key)
    return key


@cache
def row_key(label: str) -> str | None:
    """The canonical key of a row label, or None when the label is not a known line."""
    key = match_key(label)
    for pattern, target in _rules():
        if pattern.search(key):
            return target
    bare = strip_ordinal(label)  # "二、年初结转和结余", "（二）上年结转": the ordinal is not the line
    if bare != key:
        for pattern, target in _rules():
            if pattern.search(bare):
                return target
    return None
