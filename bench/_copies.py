"""Shared by the benchmarks: N unique copies of one disclosure (content hashes differ)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt"
DEMO = ROOT / "src" / "analysis" / "demo" / "东湖区文化和旅游局2025年部门预算.txt"
DEFAULT_SOURCE = SEED if SEED.exists() else DEMO


def write_copies(source: Path, count: int, folder: Path) -> list[Path]:
    """``count`` copies of ``source`` in ``folder``, each with a trailing comment of its own."""
    text = source.read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        path = folder / f"doc{i:05d}.txt"
        path.write_text(text + f"\n<!-- copy {i} -->\n", encoding="utf-8")
        paths.append(path)
    return paths
