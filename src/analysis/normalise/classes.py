"""Look up 功能分类 类 codes by the names two-sided tables print ("八、社会保障和就业")."""

from __future__ import annotations

import re
from functools import cache

from analysis.classification import function_classes
from analysis.normalise.rowlabels import strip_ordinal

_SUFFIX = re.compile(r"(支出|事务)$")


def _stem(name: str) -> str:
    key = strip_ordinal(name).rstrip(":")
    while _SUFFIX.search(key):
        key = _SUFFIX.sub("", key)
    return key


@cache
def _class_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in function_classes():
        for name in entry.names:
            names.setdefault(_stem(name), entry.code)
    return names


@cache
def class_code_for_name(label: str) -> str | None:
    """``"十、卫生健康"`` → ``"210"``; None when the label is not a 类 name."""
    if not label:
        return None
    stem = _stem(label)
    found = _class_names().get(stem)
    if found is None and len(stem) >= 4:  # words printed in another order: 文化体育旅游与传媒
        found = next((code for name, code in _class_names().items() if sorted(name) == sorted(stem)), None)
    return found
