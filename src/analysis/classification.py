"""The 政府收支分类科目 catalogue as data, and pure look-ups over it (DOMAIN.md §3).

The CSV files under ``metadata/classification/`` hold 支出功能分类 类/款/项 (§3.1–§3.3), the
部门 (3xx, §3.4) and 政府 (5xx, §3.5) economic classifications, the crosswalk between them
(§3.6), where personnel items belong functionally (§3.3) and retired names (§3.8). A renamed
code has one row per name with the budget years (``valid_from``..``valid_to``, inclusive) it
applies to, so a 2018 template and a 2024 one are both judged by their own catalogue.

Every row carries ``confidence``: ``checked`` (seen in a source or the corpus), ``known``
(standard knowledge, DOMAIN [K]) or ``uncertain`` (DOMAIN [?]). Checks built on uncertain rows
should report warnings, not errors (DOMAIN §7).

Codes stay strings throughout: ``"2010301"``, never ``2010301``. These helpers serve the
classification checks K1 (code/name pairs), K2 (部门→政府 crosswalk), K3 (personnel items
under 行政运行) and K7 (事业单位-only items in a 机关).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import polars as pl

COLUMNS: dict[str, tuple[str, ...]] = {
    "function_codes.csv": ("code", "name", "level", "valid_from", "valid_to", "confidence", "aliases"),
    "economic_codes.csv": (
        "code",
        "name",
        "class",
        "personnel_or_public",
        "confidence",
        "aliases",
        "valid_from",
        "valid_to",
        "scope",
    ),
    "gov_economic_codes.csv": ("code", "name", "confidence", "aliases"),
    "crosswalk.csv": ("dept_code", "organ_target", "institution_target", "confidence"),
    "personnel_function.csv": (
        "econ_code",
        "econ_name",
        "organ_function_codes",
        "institution_function_codes",
        "valid_from",
        "valid_to",
        "confidence",
    ),
    "obsolete_names.csv": ("obsolete_name", "current_code", "current_name", "valid_to", "confidence"),
}
"""Declared columns of each catalogue file, in file order."""

CONFIDENCE_LEVELS = ("checked", "known", "uncertain")

_YEAR_COLUMNS = ("valid_from", "valid_to")
_UNIT_TYPES = {
    "organ": "organ",
    "行政": "organ",
    "行政单位": "organ",
    "机关": "organ",
    "参公": "organ",
    "institution": "institution",
    "事业": "institution",
    "事业单位": "institution",
}
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_SPACES = re.compile(r"\s+")


@cache
def _catalogue(file_name: str) -> pl.DataFrame:
    resource = files("analysis.metadata").joinpath("classification").joinpath(file_name)
    with resource.open("rb") as handle:
        # Every column is read as text: inferring would turn "03" into 3.
        frame = pl.read_csv(handle, infer_schema=False)
    expected = COLUMNS[file_name]
    if tuple(frame.columns) != expected:
        raise ValueError(f"classification/{file_name}: columns {frame.columns}, expected {list(expected)}")
    years = [c for c in _YEAR_COLUMNS if c in frame.columns]
    return frame.with_columns(pl.col(years).cast(pl.Int32)) if years else frame


def load_function_codes() -> pl.DataFrame:
    """支出功能分类 类/款/项 rows, one per (code, name, validity)."""
    return _catalogue("function_codes.csv").clone()


def load_economic_codes() -> pl.DataFrame:
    """部门预算支出经济分类 classes and 款 (3xx), including retired pre-2018 names."""
    return _catalogue("economic_codes.csv").clone()


def load_gov_economic_codes() -> pl.DataFrame:
    """政府预算支出经济分类 classes and 款 (5xx)."""
    return _catalogue("gov_economic_codes.csv").clone()


def load_crosswalk() -> pl.DataFrame:
    """部门 → 政府 economic crosswalk; targets are ``|``-separated, empty when none exists."""
    return _catalogue("crosswalk.csv").clone()


def load_personnel_function() -> pl.DataFrame:
    """Personnel economic items → the function 项 they belong to (DOMAIN §3.3)."""
    return _catalogue("personnel_function.csv").clone()


def load_obsolete_names() -> pl.DataFrame:
    """Function names retired by renames, with the code and name that replaced them."""
    return _catalogue("obsolete_names.csv").clone()


def normalize_name(name: str) -> str:
    """A comparison key for a printed name.

    Removes whitespace and quote marks, folds full-width forms to half-width (NFKC), reads
    the variant 其它 as 其他 and drops a trailing 支出, which templates add or omit freely.

    >>> normalize_name("其他政府办公厅（室）及相关机构事务支出")
    '其他政府办公厅(室)及相关机构事务'
    >>> normalize_name(" “三公” 经费 ")
    '三公经费'
    """
    text = unicodedata.normalize("NFKC", name)
    text = _QUOTES.sub("", _SPACES.sub("", text)).replace("其它", "其他")
    if text.endswith("支出") and len(text) > 2:
        text = text[:-2]
    return text


def _split_names(names: str | Iterable[str]) -> list[str]:
    items = [names] if isinstance(names, str) else list(names)
    return [part for item in items for part in item.split("|") if part.strip()]


def names_match(printed_name: str, catalogue_names: str | Iterable[str]) -> bool:
    """Does a printed name equal one of the catalogue's names or aliases after normalising?

    ``catalogue_names`` is one name, an iterable of names, or an ``aliases`` cell
    (``"a|b"``).

    >>> names_match("其他政府办公厅(室)及相关机构事务支出", "其他政府办公厅（室）及相关机构事务支出")
    True
    >>> names_match("一般公共服务", ["一般公共服务支出"])
    True
    >>> names_match("行政运行", "事业运行")
    False
    """
    key = normalize_name(printed_name)
    return bool(key) and any(key == normalize_name(name) for name in _split_names(catalogue_names))


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One name of one code, valid for budget years ``valid_from``..``valid_to`` (inclusive)."""

    code: str
    name: str
    aliases: tuple[str, ...]
    valid_from: int | None
    valid_to: int | None
    confidence: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def is_valid_in(self, year: int | None) -> bool:
        """True when the name applies in ``year`` (any year when ``year`` is None)."""
        return _in_years(year, self.valid_from, self.valid_to)

    def matches(self, name_key: str) -> bool:
        """Does an already normalised name equal this entry's name or one of its aliases?"""
        return name_key in _keys(self.names)


def _in_years(year: int | None, valid_from: int | None, valid_to: int | None) -> bool:
    return year is None or ((valid_from is None or valid_from <= year) and (valid_to is None or year <= valid_to))


@cache
def _keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_name(n) for n in names)


@cache
def _entries(file_name: str) -> tuple[CatalogueEntry, ...]:
    """The catalogue's rows as entries, in file order."""
    return tuple(
        CatalogueEntry(
            row["code"],
            row["name"],
            tuple(_split_names(row["aliases"] or "")),
            row.get("valid_from"),
            row.get("valid_to"),
            row["confidence"],
        )
        for row in _catalogue(file_name).iter_rows(named=True)
    )


@cache
def _index(file_name: str) -> dict[str, tuple[CatalogueEntry, ...]]:
    index: dict[str, list[CatalogueEntry]] = {}
    for entry in _entries(file_name):
        index.setdefault(entry.code, []).append(entry)
    return {code: tuple(entries) for code, entries in index.items()}


@cache
def function_classes() -> tuple[CatalogueEntry, ...]:
    """The 类 (three-digit) entries of the function catalogue in file order; a 类 renamed over
    the years has one entry per name, the one in force last."""
    return tuple(e for e in _entries("function_codes.csv") if len(e.code) == 3)


def _function_index() -> dict[str, tuple[CatalogueEntry, ...]]:
    return _index("function_codes.csv")


def _pick_name(entries: Iterable[CatalogueEntry], year: int | None) -> str | None:
    valid = [e for e in entries if e.is_valid_in(year)]
    if year is None:  # prefer the name in force today
        valid = [e for e in valid if e.valid_to is None] or valid
    if not valid:
        return None
    return max(valid, key=lambda e: e.valid_from or 0).name


def function_entries(code: str, year: int | None = None) -> tuple[CatalogueEntry, ...]:
    """All catalogue names of a function code valid in ``year`` (all years when None)."""
    return tuple(e for e in _function_index().get(code, ()) if e.is_valid_in(year))


def function_name(code: str, year: int | None = None) -> str | None:
    """The catalogue name of a function code in ``year``; None for an unknown code.

    >>> function_name("210", 2018), function_name("210", 2024)
    ('医疗卫生与计划生育支出', '卫生健康支出')
    """
    return _pick_name(_function_index().get(code, ()), year)


def function_name_matches(code: str, printed_name: str, year: int | None = None) -> bool | None:
    """K1: does ``printed_name`` fit ``code`` in ``year``? None when the catalogue lacks the code."""
    entries = function_entries(code, year)
    if not entries:
        return None
    return names_match(printed_name, [n for e in entries for n in e.names])


def function_codes_named(name: str, year: int | None = None, prefix: str = "") -> set[str]:
    """Codes (starting with ``prefix``) whose name or alias matches ``name`` in ``year``.

    Used to say which code a mismatched name belongs to (K1: "a name that belongs to a
    different code").
    """
    return {
        entry.code
        for entry in _function_entries_by_name().get(normalize_name(name), ())
        if entry.code.startswith(prefix) and entry.is_valid_in(year)
    }


@cache
def _function_entries_by_name() -> dict[str, tuple[CatalogueEntry, ...]]:
    """Function-code entries by each normalised name and alias (extraction asks for a name's
    codes once per 款项 row; a scan of the catalogue each time was a sixth of its time)."""
    by_name: dict[str, list[CatalogueEntry]] = {}
    for entries in _function_index().values():
        for entry in entries:
            for key in _keys(entry.names):
                by_name.setdefault(key, []).append(entry)
    return {key: tuple(entries) for key, entries in by_name.items()}


def economic_name(code: str, year: int | None = None) -> str | None:
    """The name of a 部门经济分类 code (3xx) in ``year``; None when unknown."""
    return _pick_name(_index("economic_codes.csv").get(code, ()), year)


def gov_economic_name(code: str) -> str | None:
    """The name of a 政府经济分类 code (5xx); None when unknown."""
    return _pick_name(_index("gov_economic_codes.csv").get(code, ()), None)


@cache
def _economic_attributes() -> dict[str, tuple[str, str]]:
    frame = _catalogue("economic_codes.csv")
    return {r["code"]: (r["personnel_or_public"], r["scope"]) for r in frame.iter_rows(named=True)}


def economic_kind(code: str) -> str | None:
    """``personnel`` (301, 303), ``public`` (302, 307, 309, 310, 399) or ``other``.

    An unlisted 款 takes its class's kind; None when the class is unknown too.
    """
    attributes = _economic_attributes().get(code) or _economic_attributes().get(code[:3])
    return attributes[0] if attributes else None


def is_military_only(code: str) -> bool:
    """True for the 302 codes only armed forces use (30219–30223), residue in civilian tables."""
    attributes = _economic_attributes().get(code)
    return attributes is not None and attributes[1] == "military"


def _unit_sides(unit_type: str | None) -> tuple[str, ...]:
    if unit_type is None or unit_type == "any":
        return ("organ", "institution")
    try:
        return (_UNIT_TYPES[unit_type],)
    except KeyError:
        known = sorted(_UNIT_TYPES)
        raise ValueError(f"unknown unit type {unit_type!r}; use one of {known} or 'any'") from None


@cache
def _crosswalk_index() -> dict[str, dict[str, frozenset[str]]]:
    return {
        row["dept_code"]: {
            side: frozenset(_split_names(row[f"{side}_target"] or "")) for side in ("organ", "institution")
        }
        for row in _catalogue("crosswalk.csv").iter_rows(named=True)
    }


def allowed_gov_targets(dept_code: str, unit_type: str | None = None) -> set[str]:
    """K2: the 5xx codes a 部门 code may map to for a unit type (DOMAIN §3.6).

    ``unit_type`` is ``organ``/``行政``/``机关``/``参公``, ``institution``/``事业``, or
    ``None``/``"any"`` for either. An empty set means no target is allowed (30107 in a 机关)
    or the code is not in the crosswalk.

    >>> sorted(allowed_gov_targets("30107", "organ")), sorted(allowed_gov_targets("30107", "事业"))
    ([], ['50501'])
    """
    sides = _crosswalk_index().get(dept_code)
    if sides is None:
        return set()
    return set().union(*(sides[side] for side in _unit_sides(unit_type)))


def expected_personnel_functions(econ_code: str, unit_type: str | None = None, year: int | None = None) -> set[str]:
    """K3: function 项 a personnel item belongs to, or an empty set when it goes to 行政运行/事业运行.

    >>> sorted(expected_personnel_functions("30110", "行政"))
    ['2101101']
    """
    frame = _catalogue("personnel_function.csv")
    found: set[str] = set()
    for row in frame.filter(pl.col("econ_code") == econ_code).iter_rows(named=True):
        if _in_years(year, row["valid_from"], row["valid_to"]):
            for side in _unit_sides(unit_type):
                found.update(_split_names(row[f"{side}_function_codes"]))
    return found


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def function_class_candidates(kuan_xiang: str, name: str, year: int | None = None) -> set[str]:
    """类 codes under which a 款 (2 digits) or 款+项 (4 digits) code carries ``name``."""
    suffix = _digits(kuan_xiang)
    if len(suffix) not in (2, 4):
        return set()
    key = normalize_name(name)
    return {
        code[:3]
        for code, entries in _function_index().items()
        if len(code) == 3 + len(suffix)
        and code.endswith(suffix)
        and any(e.is_valid_in(year) and e.matches(key) for e in entries)
    }


def infer_function_class(
    kuan_xiang: str, name: str, year: int | None = None, context_classes: Iterable[str] = ()
) -> str | None:
    """The 类 of a row printed as "03 01 行政运行", when the catalogue (plus context) pins it.

    ``context_classes`` are classes already known for the same table; they break ties such
    as 行政运行 under 03, which exists in 201 03, 204 03, 207 03 and 213 03.

    >>> infer_function_class("3699", "其他共产党事务支出", 2024)
    '201'
    >>> infer_function_class("0301", "行政运行", 2024) is None
    True
    >>> infer_function_class("0301", "行政运行", 2024, context_classes={"201"})
    '201'
    """
    candidates = function_class_candidates(kuan_xiang, name, year)
    if len(candidates) > 1 and context_classes:
        candidates &= set(context_classes)
    return next(iter(candidates)) if len(candidates) == 1 else None


def infer_function_classes(rows: Sequence[tuple[str, str]], year: int | None = None) -> list[str | None]:
    """Infer the 类 of every (款[项] digits, name) row of one table, using the rows jointly.

    Rows sharing the same 款 digits are assumed to share a class when exactly one class fits
    all of them (the seed's "03 01 行政运行" + "03 99 其他政府办公厅（室）…" → 201); then rows
    still ambiguous take a class already resolved elsewhere in the table when only one fits.
    """
    candidates = [function_class_candidates(code, name, year) for code, name in rows]
    by_kuan: dict[str, set[str]] = {}
    for (code, _), found in zip(rows, candidates):
        if found:
            kuan = _digits(code)[:2]
            by_kuan[kuan] = by_kuan.get(kuan, found) & found
    resolved = [next(iter(c)) if len(c) == 1 else None for c in candidates]
    for i, (code, _) in enumerate(rows):
        shared = by_kuan.get(_digits(code)[:2], set())
        if resolved[i] is None and len(shared) == 1 and shared <= candidates[i]:
            resolved[i] = next(iter(shared))
    context = {c for c in resolved if c}
    for i, found in enumerate(candidates):
        if resolved[i] is None and len(found & context) == 1:
            resolved[i] = next(iter(found & context))
    return resolved


@dataclass(frozen=True, slots=True)
class ObsoleteName:
    """A retired function name and what replaced it."""

    obsolete_name: str
    current_code: str
    current_name: str
    valid_to: int
    confidence: str


def find_obsolete_name(name: str, year: int) -> ObsoleteName | None:
    """The retirement record for ``name`` if it was already retired before ``year``.

    A name that is still valid for some code in ``year`` is never reported.
    """
    frame = _catalogue("obsolete_names.csv")
    for row in frame.iter_rows(named=True):
        if row["valid_to"] < year and names_match(name, row["obsolete_name"]):
            if function_codes_named(name, year):
                return None
            return ObsoleteName(**row)
    return None


def is_obsolete_name(name: str, year: int) -> bool:
    """True when ``name`` is a function name retired before ``year`` (e.g. 医疗卫生与计划生育支出 in 2024)."""
    return find_obsolete_name(name, year) is not None
