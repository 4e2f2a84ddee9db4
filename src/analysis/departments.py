"""One department across years and documents: the one owner of department identity (issue 16).

Every stage that asks "is this the same department?" asks here: the check's previous-year
lookup (``check/runner.py``), the compare stage's indicators and peer groups, the budget ↔ final
linking of ``compare/execution.py`` and so the report, which renders what compare produced.

A department prints its name differently from year to year and between its narrative and its
tables files: with or without the region (``江苏省委办公厅`` / ``省委办公厅``), 办公厅 or 办公室,
中共 or 中国共产党. A name is split into its region (province, city, county; DOMAIN §0.1 levels)
and the rest, which is normalised by the rules in ``metadata/compare/name_synonyms.csv``;
``department_id`` is ``region/core``. A name that omits its region (or part of it) joins the one
department elsewhere in the batch with the same core whose region ends with the printed part,
when there is exactly one. Every name → id decision carries its reason, and a user CSV
(``name,department_id``) overrides any of them.

``name_level`` reads the government level (DOMAIN §0.1) from a name's administrative prefix
(``metadata/checks/government_levels.toml``): the level-scope rules and the report both ask it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from analysis.metadata import load_csv, load_toml
from analysis.text import clean_text

_HAN = r"[\u4e00-\u9fff]"
_PROVINCE = re.compile(rf"{_HAN}{{2,3}}?(?:省|自治区|特别行政区)")
_CITY = re.compile(rf"{_HAN}{{2,4}}?(?:市|自治州|州|地区|盟)")
_COUNTY = re.compile(rf"{_HAN}{{1,4}}?(?:区|县|市)|{_HAN}{{1,4}}?旗(?![区县市])")  # 红旗区 is a 区
_LEVEL_MARK = re.compile(r"^(省|市|区|县)(?=委|人大|政协|人民政府|政府)")
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "区县级", "unknown": "级次不明"}


@dataclass(frozen=True, slots=True)
class NameParts:
    """A department name split into what identifies it."""

    name: str
    region: str
    """Province + city + county as printed (may be empty)."""
    gov_level: str
    """province, city, county or unknown."""
    core: str
    """The name without region, normalised (synonyms applied, 中共/政协 prefix kept)."""
    reason: str
    """Which normalisations applied, in words."""


@cache
def _region_words() -> tuple[frozenset[str], frozenset[str]]:
    rows = load_csv("compare/region_words.csv")
    return (
        frozenset(r["word"] for r in rows if r["kind"] == "municipality"),
        frozenset(r["word"] for r in rows if r["kind"] == "not_region"),
    )


@cache
def _synonyms() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple(
        (re.compile(r["pattern"]), r["replacement"], r["reason"]) for r in load_csv("compare/name_synonyms.csv")
    )


@cache
def _prefixes() -> tuple[tuple[str, str], ...]:
    rows = load_csv("compare/name_prefixes.csv")
    return tuple(sorted(((r["prefix"], r["canonical"]) for r in rows), key=lambda p: -len(p[0])))


def _take(pattern: re.Pattern, text: str) -> tuple[str, str]:
    """Strip one region component from the front of ``text`` unless it is a false friend
    such as the 城市 of 城市管理局 or the 社区 of a 社区服务中心."""
    match = pattern.match(text)
    if not match:
        return "", text
    word = match.group(0)
    if any(word.endswith(bad) for bad in _region_words()[1]):
        return "", text
    return word, text[len(word) :]


def split_name(name: str) -> NameParts:
    """Region, level and normalised core of one printed department name."""
    text = re.sub(r"\s+", "", name or "")
    notes = []
    prefix = ""
    for printed, canonical in _prefixes():
        if text.startswith(printed):
            prefix, text = canonical, text[len(printed) :]
            if printed != canonical:
                notes.append(f"{printed}即{canonical}")
            break
    province, text = _take(_PROVINCE, text)
    city, text = _take(_CITY, text)
    county, text = _take(_COUNTY, text)
    level_mark = _LEVEL_MARK.match(text)
    municipalities, _ = _region_words()
    if county:
        level = "county"
    elif city:
        level = "province" if city in municipalities else "city"
    elif province:
        level = "province"
    elif level_mark:
        level = {"省": "province", "市": "city", "区": "county", "县": "county"}[level_mark.group(1)]
        text = text[1:]
        notes.append(f"名称以“{level_mark.group(1)}”起头，未写地区")
    else:
        level = "unknown"
    if text.startswith("委") and prefix in ("", "中共"):
        prefix = "中共"  # 区委办公室 is the party committee's office whether or not 中共 is printed
    core = prefix + text
    for pattern, replacement, reason in _synonyms():
        new = pattern.sub(replacement, core)
        if new != core:
            notes.append(reason)
            core = new
    return NameParts(name, province + city + county, level, core, "；".join(notes))


def read_overrides(path: str | Path | None) -> dict[str, str]:
    if path is None:
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"name", "department_id"} <= set(rows[0]):
        raise ValueError(f"{path}: an override file needs the columns name,department_id")
    return {r["name"].strip(): r["department_id"].strip() for r in rows if r.get("name")}


def _attach_partial(parts: list[NameParts]) -> dict[str, tuple[str, str]]:
    """Names whose region is missing or partial → (full region, reason) when one region fits."""
    by_suffix: dict[tuple[str, str], set[str]] = {}
    for p in parts:
        if p.region:  # index every full region under each of its endings ("", "东湖区", …)
            for start in range(len(p.region) + 1):
                by_suffix.setdefault((p.core, p.region[start:]), set()).add(p.region)
    attached = {}
    for p in parts:
        fits = sorted(by_suffix.get((p.core, p.region), set()) - {p.region})
        if len(fits) == 1:
            shown = f"“{p.region}”" if p.region else "未写地区"
            attached[p.name] = (fits[0], f"{shown}，按唯一同名机构归入{fits[0]}")
        elif len(fits) > 1 and not p.region:
            attached[p.name] = ("", f"未写地区，{len(fits)} 个地区有同名机构，不合并")
    return attached


def match_departments(names: list[str], overrides: str | Path | None = None) -> pl.DataFrame:
    """One row per distinct name: department_id, region, gov_level, core_name and the reason.

    Args:
        names: Department names as documents print them (nulls are ignored).
        overrides: Optional CSV with columns ``name,department_id``; its ids win.
    """
    distinct = sorted({n for n in names if n})
    parts = [split_name(n) for n in distinct]
    attached = _attach_partial(parts)
    forced = read_overrides(overrides)
    rows = []
    for p in parts:
        region, reasons = p.region, [p.reason] if p.reason else []
        if p.name in attached:
            full, why = attached[p.name]
            region = full or region
            reasons.append(why)
        department_id = f"{region}/{p.core}" if region else p.core
        if p.name in forced:
            department_id = forced[p.name]
            reasons.append("用户指定")
        rows.append(
            {
                "name": p.name,
                "department_id": department_id,
                "region": region or None,
                "gov_level": p.gov_level,
                "core_name": p.core,
                "reason": "；".join(reasons) or "名称原样",
            }
        )
    schema = {
        "name": pl.String,
        "department_id": pl.String,
        "region": pl.String,
        "gov_level": pl.String,
        "core_name": pl.String,
        "reason": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def department_ids(names: list[str | None], overrides: str | Path | None = None) -> dict[str, str]:
    """Printed name → ``department_id`` for every distinct name of ``names`` (the batch is the
    context: a name without its region joins the one department elsewhere in it)."""
    matched = match_departments([n for n in names if n], overrides)
    return dict(zip(matched["name"].to_list(), matched["department_id"].to_list()))


@cache
def government_levels() -> dict:
    """checks/government_levels.toml: the levels, their name segments and budget words."""
    return load_toml("checks/government_levels.toml")


def name_level(name: str | None) -> dict | None:
    """The government level of a department name, from its administrative prefix
    (新乡市红旗区… → county; 上海市普陀区人民政府万里街道办事处 → subdistrict)."""
    text = clean_text(name or "")
    for _ in range(2):
        text = re.sub(government_levels()["name"]["strip"], "", text).strip()
    pos, found = 0, None
    for level in government_levels()["level"]:
        m = re.compile(level["segment"]).match(text, pos)
        if m and not (level.get("exclude") and re.search(level["exclude"], m.group(0))):
            found, pos = level, m.end()
    return found
