"""Shared by the benchmarks: N unique copies of one disclosure (content hashes differ)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt"
DEMO = ROOT / "src" / "analysis" / "demo" / "东湖区文化和旅游局2025年部门预算.txt"
DEFAULT_SOURCE = SEED if SEED.exists() else DEMO
_AMOUNT = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d{2}(?![\d.])")


def write_copies(source: Path, count: int, folder: Path, vary_amounts: bool = False) -> list[Path]:
    """``count`` copies of ``source`` in ``folder``, each with a trailing comment of its own.

    With ``vary_amounts`` every two-decimal amount of copy i is scaled by (1 + i/1000), so no
    two copies print the same numbers: caches keyed by cell text then only help with what
    real documents share (labels, codes, headers), not with amounts."""
    text = source.read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        body = text
        if vary_amounts and i:
            factor = 1 + i / 1000
            body = _AMOUNT.sub(lambda m, factor=factor: f"{float(m.group().replace(',', '')) * factor:.2f}", text)
        path = folder / f"doc{i:05d}.txt"
        path.write_text(body + f"\n<!-- copy {i} -->\n", encoding="utf-8")
        paths.append(path)
    return paths
