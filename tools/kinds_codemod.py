"""Replace bare table-kind strings in the code with ``Kind`` members (issue 16).

    python tools/kinds_codemod.py            # rewrite src/analysis in place, list what changed
    python tools/kinds_codemod.py --check    # change nothing; exit 1 when a bare kind is left

Idempotent: a second run finds nothing. Rerun it after merging a branch that adds bare kinds
(the rule bodies of ``check/`` are edited in parallel), then ``make lint``.

A string literal is a table kind when its text is a value of ``analysis.kinds.Kind`` and it is
not a docstring or a piece of an f-string (a message). Three kind names are also the name of a
narrative subject, a document figure, a measure or an output column (``project_expenditure``,
``general_budget_expenditure``, ``operating_costs``; computed from the metadata below, not
listed by hand): those are replaced only where the code says it means a table —

- the first argument of ``table``, ``rows``, ``value``, ``cell``, ``by_class`` or ``scale``
  (``ctx.table("project_expenditure")``), or the keyword ``table_kind=``/``kind=``;
- compared with, or tested for membership in, something named for kinds or tables
  (``kind == …``, ``… in ctx.kinds``, ``pl.col("table_kind") == …``, ``… in doc.tables``);
- an element of a literal assigned to a name that says kind or table (``ITEM_TABLE = …``,
  ``_PERFORMANCE_TABLES = (…)``), or of a literal whose strings are all kinds;
- beside a certain kind: a key of a dict, an element of a flat tuple/list/set or the same
  place in sibling tuples (``((Kind.EXPENDITURE_SUMMARY, …), ("project_expenditure", …))``) where
  another entry is a kind no other thing is named after (or already a ``Kind`` member), and an
  argument where another call of the same function in the module passes such a kind.

Metadata files are data and are not touched. The module gains ``from analysis.kinds import
Kind`` where it needs it; ruff then sorts the imports and formats the touched files.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
METADATA = PACKAGE / "metadata"
SKIP = {PACKAGE / "kinds.py"}
IMPORT = "from analysis.kinds import Kind"
KIND_CALLS = {"table", "rows", "value", "cell", "by_class", "scale"}
KIND_KEYWORDS = {"table_kind", "kind"}
KIND_WORDS = ("kind", "table")


def kinds() -> dict[str, str]:
    """Kind value → member name, from the enumeration itself (checked against the CSV by tests)."""
    sys.path.insert(0, str(ROOT / "src"))
    from analysis.kinds import Kind

    return {member.value: member.name for member in Kind}


def other_names() -> set[str]:
    """Identifiers the metadata uses for things that are not tables: narrative subjects,
    document and narrative figures, measures and output columns."""
    import csv

    names: set[str] = set()
    with open(METADATA / "claim_subjects.csv", encoding="utf-8") as handle:
        names |= {row["subject"] for row in csv.DictReader(handle)}
    with open(METADATA / "column_map.csv", encoding="utf-8") as handle:
        names |= {row["measure"] for row in csv.DictReader(handle)}
    figures = tomllib.loads((METADATA / "figures.toml").read_text(encoding="utf-8"))
    names |= {f["name"] for f in figures["figure"]}
    narrative = tomllib.loads((METADATA / "checks" / "narrative_figures.toml").read_text(encoding="utf-8"))
    names |= {f["id"] for f in narrative["figure"]} | set(narrative)
    for schema in (METADATA / "schema.toml", METADATA / "compare" / "schema.toml"):
        for table in tomllib.loads(schema.read_text(encoding="utf-8"))["table"]:
            names |= {c["name"] for c in table["columns"]}
    return names


def _text(node: ast.AST) -> str:
    return ast.unparse(node).lower()


def _says_kind(node: ast.AST) -> bool:
    return any(word in _text(node) for word in KIND_WORDS)


def _protected(tree: ast.AST) -> set[int]:
    """ids of string constants that are docstrings or parts of f-strings."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            out.add(id(node.value))  # an attribute docstring, a bare string statement
        elif isinstance(node, ast.JoinedStr):
            out |= {id(value) for value in ast.walk(node)}
    return out


def _kind_contexts(tree: ast.AST, values: set[str]) -> set[int]:
    """ids of string constants the code itself uses as a table kind (see module docstring)."""
    out: set[int] = set()

    def strings(node: ast.AST) -> Iterator[ast.Constant]:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield sub

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in KIND_CALLS and node.args and isinstance(node.args[0], ast.Constant):
                out.add(id(node.args[0]))
            out |= {id(k.value) for k in node.keywords if k.arg in KIND_KEYWORDS and isinstance(k.value, ast.Constant)}
            if name == "get" and isinstance(node.func, ast.Attribute) and _says_kind(node.func.value):
                out |= {id(a) for a in node.args[:1] if isinstance(a, ast.Constant)}
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_says_kind(side) for side in sides if not isinstance(side, ast.Constant)):
                out |= {id(s) for side in sides for s in strings(side)}
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(_says_kind(t) for t in targets):
                out |= {id(s) for s in strings(node.value)}
        elif isinstance(node, ast.Subscript) and _says_kind(node.value):
            out |= {id(s) for s in strings(node.slice)}
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            elements = [e for e in node.elts if not (isinstance(e, ast.Constant) and e.value is None)]
            if len(elements) >= 2 and all(isinstance(e, ast.Constant) and e.value in values for e in elements):
                out |= {id(e) for e in elements}
    return out


def _beside_kinds(tree: ast.AST, certain: set[str]) -> set[int]:
    """ids of string constants standing where the code puts certain kinds (see module docstring)."""

    def is_kind(node: ast.AST | None) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in certain
        return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Kind"

    def places(groups: list[list[ast.AST | None]]) -> set[int]:
        return {id(e) for group in groups if any(is_kind(e) for e in group) for e in group if e is not None}

    out: set[int] = set()
    calls: dict[tuple[str, int], list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            out |= places([list(node.keys)])
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            rows = [e.elts for e in node.elts if isinstance(e, ast.Tuple)]
            if rows and len(rows) == len(node.elts):
                out |= places([[row[i] if i < len(row) else None for row in rows] for i in range(max(map(len, rows)))])
            else:
                out |= places([list(node.elts)])
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for i, arg in enumerate(node.args):
                calls.setdefault((name, i), []).append(arg)
    return out | places(list(calls.values()))


def replacements(source: str, names: dict[str, str], ambiguous: set[str]) -> list[tuple[int, int, str, str]]:
    """(start offset, end offset, old text, new text) for every bare kind of one module."""
    tree = ast.parse(source)
    protected = _protected(tree)
    contexts = _kind_contexts(tree, set(names)) | _beside_kinds(tree, set(names) - ambiguous)
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names):
            continue
        if id(node) in protected or (node.value in ambiguous and id(node) not in contexts):
            continue
        if node.end_lineno != node.lineno or node.end_col_offset is None:
            continue
        line = source.splitlines(keepends=True)[node.lineno - 1]
        # ast offsets are UTF-8 byte offsets within the line
        prefix = line.encode()[: node.col_offset].decode()
        literal = line.encode()[node.col_offset : node.end_col_offset].decode()
        if literal not in (f'"{node.value}"', f"'{node.value}'"):
            continue  # a concatenated or prefixed literal: leave it to a person
        start = starts[node.lineno - 1] + len(prefix)
        found.append((start, start + len(literal), literal, f"Kind.{names[node.value]}"))
    return sorted(found)


def _with_import(source: str) -> str:
    if IMPORT in source:
        return source
    tree = ast.parse(source)
    after = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            after = node.end_lineno or after
        elif after or not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    lines = source.splitlines(keepends=True)
    return "".join([*lines[:after], IMPORT + "\n", *lines[after:]])


def rewrite(path: Path, names: dict[str, str], ambiguous: set[str]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = replacements(source, names, ambiguous)
    if not found:
        return []
    for start, end, _, new in reversed(found):
        source = source[:start] + new + source[end:]
    path.write_text(_with_import(source), encoding="utf-8")
    return [f"{path.relative_to(ROOT)}: {old} → {new}" for _, _, old, new in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a bare kind is left")
    args = parser.parse_args(argv)
    names = kinds()
    ambiguous = set(names) & other_names()
    modules = sorted(p for p in PACKAGE.rglob("*.py") if p not in SKIP and METADATA not in p.parents)
    if args.check:
        left = [
            f"{p.relative_to(ROOT)}: {old}"
            for p in modules
            for _, _, old, _ in replacements(p.read_text(encoding="utf-8"), names, ambiguous)
        ]
        print("\n".join(left) or "no bare table kind left")
        return 1 if left else 0
    changed, touched = [], []
    for path in modules:
        lines = rewrite(path, names, ambiguous)
        if lines:
            changed += lines
            touched.append(str(path))
    if touched:
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--select", "I", "--fix", "--quiet", *touched], check=False)
        subprocess.run([*ruff, "format", "--quiet", *touched], check=False)
    print("\n".join(changed) or "no bare table kind left")
    print(
        f"{len(changed)} replacements in {len(touched)} modules (names also used for other things: {sorted(ambiguous)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
