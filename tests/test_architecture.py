"""Import direction as a test (issue 16): every arrow points down the stages, and no circle.

Each module of ``src/analysis`` is parsed (``ast``, nothing is run) and every import of the
package is an arrow, whether at the top of the file, inside a function or under
``TYPE_CHECKING``: a lazy import still says the importer knows the imported module. A module
belongs to the deepest entry of ``LAYERS`` that names it or its package; it may import its own
package, and other packages only of a LOWER rank. Packages of one rank are siblings and do
not import each other (check and compare are both read by report, neither reads the other),
except in an ``open`` rank (the base modules, the orchestration, the faces) where they may, as
long as no circle forms. Circles are looked for among all modules, inside packages too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# (rank, open, modules or packages). Read from the bottom up.
LAYERS: tuple[tuple[int, bool, tuple[str, ...]], ...] = (
    # Data files and their typed accessors: imports nothing of the package.
    (0, False, ("analysis.metadata",)),
    # Base modules every stage may use: vocabularies, text utilities, table kinds, the document
    # model, output schemas, the classification catalogue, department identity, Frames.
    (
        1,
        True,
        (
            "analysis.vocab",
            "analysis.text",
            "analysis.sentences",
            "analysis.kinds",
            "analysis.model",
            "analysis.schema",
            "analysis.classification",
            "analysis.departments",
            "analysis.frames",
            "analysis.processes",
            "analysis.atomic_files",
        ),
    ),
    # The generator of synthetic districts is read's sibling: it knows only the base modules, so
    # what it plants is never shaped by the parsers that are meant to find it.
    (2, False, ("analysis.read", "analysis.synth")),
    (3, False, ("analysis.recognise",)),
    (4, False, ("analysis.normalise",)),
    # read → recognise → normalise for one file, and the frames of many.
    (5, False, ("analysis.extract",)),
    (6, False, ("analysis.check", "analysis.compare")),
    # Scoring findings against a synthetic district's labels sits beside the report.
    (7, False, ("analysis.report", "analysis.evaluate")),
    (8, True, ("analysis.engine", "analysis.pipeline", "analysis.execution_panel")),
    (9, True, ("analysis.api",)),
    (10, True, ("analysis.stage_call", "analysis.commands", "analysis.cli", "analysis.__main__", "analysis")),
)

# Arrows the layers allow but the design does not: a check or a comparison reads the frames
# extraction made, never a reader, the recogniser or a normaliser (what both stages need from
# the text is in the base modules, e.g. analysis.sentences); the report reads frames only.
FRAMES_ONLY = {
    "analysis.check": ("analysis.read", "analysis.recognise", "analysis.normalise", "analysis.extract"),
    "analysis.compare": ("analysis.read", "analysis.recognise", "analysis.normalise", "analysis.extract"),
    # The report renders frames: a vocabulary or a name rule it needs is a base module's.
    "analysis.report": (
        "analysis.read",
        "analysis.recognise",
        "analysis.normalise",
        "analysis.extract",
        "analysis.check",
        "analysis.compare",
    ),
}


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` under ``root`` (a folder holding packages)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _target(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def arrows(root: Path, prefix: str = "analysis") -> list[Arrow]:
    """Every import of a module under ``prefix`` by a module of ``root``; ``from P import m``
    points at the submodule ``P.m`` when there is one, else at ``P``."""
    modules = module_files(root)
    found = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                origin = _target(module, is_package, node)
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names]
            for target in targets:
                if (target == prefix or target.startswith(prefix + ".")) and target != module:
                    found.append(Arrow(module, target, node.lineno))
    return list(dict.fromkeys(found))  # one arrow per import line, however many names it takes


def layer_of(module: str, layers=LAYERS) -> tuple[int, bool, str] | None:
    """(rank, open, owning entry) of the deepest layer entry that is ``module`` or its package."""
    best = None
    for rank, is_open, names in layers:
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[2])):
                best = (rank, is_open, name)
    return best


def back_arrows(found: Iterable[Arrow], layers=LAYERS) -> list[str]:
    """Arrows that do not point down the layers (and modules no layer names)."""
    problems = []
    for arrow in found:
        source, target = layer_of(arrow.source, layers), layer_of(arrow.target, layers)
        if source is None or target is None:
            problems.append(f"{arrow}: not in LAYERS")
        elif source[2] == target[2]:
            continue  # inside one package: only circles matter (below)
        elif target[0] > source[0]:
            problems.append(f"{arrow}: rank {source[0]} imports rank {target[0]}")
        elif target[0] == source[0] and not source[1]:
            problems.append(f"{arrow}: siblings of rank {source[0]}")
    return problems


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def parser_arrows(found: Iterable[Arrow], rules: Mapping[str, tuple[str, ...]] = FRAMES_ONLY) -> list[str]:
    """Arrows from a stage that reads frames to a stage that parses documents."""
    return [
        f"{arrow}: {source} reads frames, not {target}"
        for arrow in found
        for source, targets in rules.items()
        if _within(arrow.source, source)
        for target in targets
        if _within(arrow.target, target)
    ]


def circles(found: Iterable[Arrow]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for arrow in found:
        graph.setdefault(arrow.source, set()).add(arrow.target)
        graph.setdefault(arrow.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def _explain(found: list[Arrow], group: list[str]) -> str:
    members = set(group)
    inside = [str(a) for a in found if a.source in members and a.target in members]
    return " | ".join(inside)


# --- the package itself ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def package_arrows() -> list[Arrow]:
    return arrows(SRC)


def test_every_module_has_a_layer():
    unplaced = [m for m in module_files(SRC) if layer_of(m) is None]
    assert unplaced == []


def test_every_arrow_points_down_the_stages(package_arrows):
    assert back_arrows(package_arrows) == []


def test_checks_and_comparisons_read_frames_not_parsers(package_arrows):
    assert parser_arrows(package_arrows) == []


def test_no_import_circle(package_arrows):
    assert [_explain(package_arrows, group) for group in circles(package_arrows)] == []


def test_the_reading_sees_the_known_arrows(package_arrows):
    """Guards the parser itself: a reading that found no arrows would pass the tests above."""
    pairs = {(a.source, a.target) for a in package_arrows}
    assert ("analysis.cli", "analysis.commands.check") in pairs  # from a package import a module
    assert ("analysis.read.text", "analysis.read.formats") in pairs
    assert ("analysis.report.pdf", "analysis.report.browser") in pairs  # inside a function
    assert len(package_arrows) > 300


# --- the checker on a tiny fake tree --------------------------------------------------------

FAKE_LAYERS = (
    (0, True, ("fake.base",)),
    (1, False, ("fake.read",)),
    (2, False, ("fake.check", "fake.compare")),
    (3, True, ("fake.cli", "fake")),
)


def _fake_tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, body in {"fake/__init__.py": "", "fake/base.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return tmp_path


def test_a_clean_fake_tree_passes(tmp_path):
    root = _fake_tree(
        tmp_path,
        {
            "fake/read/__init__.py": "from fake.read import pdf\n",
            "fake/read/pdf.py": "from fake import base\n",
            "fake/check/__init__.py": "",
            "fake/check/rules.py": "from ..read.pdf import x\nimport fake.base\n",
            "fake/cli.py": "from fake.check import rules\n",
        },
    )
    found = arrows(root, "fake")
    assert ("fake.check.rules", "fake.read.pdf") in {(a.source, a.target) for a in found}  # relative
    assert back_arrows(found, FAKE_LAYERS) == []
    assert circles(found) == []


def test_a_planted_back_arrow_fails(tmp_path):
    root = _fake_tree(
        tmp_path,
        {
            "fake/read/__init__.py": "",
            "fake/read/pdf.py": "def lazy():\n    from fake.check.rules import rule\n",
            "fake/check/__init__.py": "",
            "fake/check/rules.py": "",
        },
    )
    problems = back_arrows(arrows(root, "fake"), FAKE_LAYERS)
    assert len(problems) == 1 and problems[0].startswith("fake.read.pdf -> fake.check.rules (line 2)")


def test_siblings_may_not_import_each_other(tmp_path):
    root = _fake_tree(
        tmp_path,
        {"fake/check/__init__.py": "", "fake/compare/__init__.py": "from fake import check\n"},
    )
    assert back_arrows(arrows(root, "fake"), FAKE_LAYERS) == ["fake.compare -> fake.check (line 1): siblings of rank 2"]


def test_a_planted_parser_import_in_a_check_fails(tmp_path):
    root = _fake_tree(
        tmp_path,
        {"fake/read/__init__.py": "", "fake/check/__init__.py": "", "fake/check/rules.py": "from fake.read import x\n"},
    )
    found = arrows(root, "fake")
    assert back_arrows(found, FAKE_LAYERS) == []  # down the layers, yet
    assert parser_arrows(found, {"fake.check": ("fake.read",)}) == [
        "fake.check.rules -> fake.read (line 1): fake.check reads frames, not fake.read"
    ]


def test_a_planted_circle_inside_a_package_is_found(tmp_path):
    root = _fake_tree(
        tmp_path,
        {
            "fake/read/__init__.py": "from fake.read.a import f\n",
            "fake/read/a.py": "from fake.read import b\n",
            "fake/read/b.py": "if True:\n    from fake.read import f\n",
        },
    )
    found = arrows(root, "fake")
    assert back_arrows(found, FAKE_LAYERS) == []  # one package: direction says nothing
    assert circles(found) == [["fake.read", "fake.read.a", "fake.read.b"]]


def test_an_unplaced_module_is_reported(tmp_path):
    root = _fake_tree(tmp_path, {"fake/stray.py": "from fake import base\n"})
    assert back_arrows(arrows(root, "fake"), FAKE_LAYERS[:1]) == ["fake.stray -> fake.base (line 1): not in LAYERS"]
