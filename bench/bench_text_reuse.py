"""Benchmark: narrative reuse (``compare.text_reuse``) on processed folders, this tree beside a
baseline tree (another checkout's ``src``), in the same run.

Usage: python bench/bench_text_reuse.py PROCESSED_DIR [...] --baseline-src OTHER/src
       [--brute-below 10000]

Each folder is the ``processed/`` of an ``analysis run`` (texts.parquet, documents.parquet,
indicators.parquet). Each tree runs in its own interpreter (``PYTHONPATH=<tree>``): the whole
narrative reuse, with its pair search recorded block by block. Printed per folder and tree:
wall and CPU seconds of the pair search and of the whole reuse; then the largest block's
distinct sentences, the pairs found, the candidates the prefix filter proposes (all of them
verified by the baseline of wave 3), the candidates left by this tree's bounds (the only ones
it verifies), and whether both trees found the same pairs and the same reuse rows. With
``--brute-below N``, blocks of at most N distinct sentences are also checked against the
all-against-all product (it grows with the square of the sentences).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

_RUNNER = """
import json, sys, time
from pathlib import Path
import numpy as np
import polars as pl
from analysis.compare import text_reuse

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
docs = pl.read_parquet(folder / "documents.parquet")
ids = pl.read_parquet(folder / "indicators.parquet", columns=["doc_id", "department_id"])
docs = docs.join(ids, on="doc_id").select("doc_id", "department_id", "department", "fiscal_year", "doc_type")
sentences = text_reuse.narrative_sentences(pl.read_parquet(folder / "texts.parquet"), docs)
search = text_reuse.similar_pairs
spent = {"search_s": 0.0, "search_cpu_s": 0.0}
blocks = []

def recorded(matrix, threshold):
    wall, cpu = time.perf_counter(), time.process_time()
    i, j = search(matrix, threshold)
    spent["search_s"] += time.perf_counter() - wall
    spent["search_cpu_s"] += time.process_time() - cpu
    blocks.append(pl.DataFrame({"block": len(blocks), "i": i, "j": j, "rows": matrix.shape[0]}))
    return i, j

text_reuse.similar_pairs = recorded
wall, cpu = time.perf_counter(), time.process_time()
reuse = text_reuse.narrative_reuse(sentences)
spent["reuse_s"] = time.perf_counter() - wall
spent["reuse_cpu_s"] = time.process_time() - cpu
reuse.write_parquet(out / "reuse.parquet")
pairs = pl.concat(blocks) if blocks else pl.DataFrame(schema={"block": pl.Int64, "i": pl.Int64, "j": pl.Int64, "rows": pl.Int64})
pairs.write_parquet(out / "pairs.parquet")
(out / "times.json").write_text(json.dumps({**spent, "documents": docs.height}))
"""


def run_tree(src: Path, folder: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    subprocess.run([sys.executable, "-c", _RUNNER, str(folder), str(out)], env=env, check=True)
    return json.loads((out / "times.json").read_text())


def search_counts(folder: Path, brute_below: int) -> tuple[int, int, int, str]:
    """This tree's candidate and bounded counts over the folder's blocks, the largest block's
    distinct sentences, and whether the blocks small enough match the full product."""
    from analysis.compare import text_reuse
    from analysis.compare.peers import settings
    from analysis.compare.similar_pairs import search_counts as counts_of

    params = settings()["text_reuse"]
    docs = pl.read_parquet(folder / "documents.parquet")
    ids = pl.read_parquet(folder / "indicators.parquet", columns=["doc_id", "department_id"])
    docs = docs.join(ids, on="doc_id").select("doc_id", "department_id", "department", "fiscal_year", "doc_type")
    sentences = text_reuse.narrative_sentences(pl.read_parquet(folder / "texts.parquet"), docs)
    candidates = bounded = largest = 0
    brute = "not run"
    for _, block in sentences.sort("fiscal_year", "doc_type", "sid").group_by(
        ["fiscal_year", "doc_type"], maintain_order=True
    ):
        if block["department_id"].n_unique() < 2:
            continue
        _, matrix = text_reuse._unique_vectors(block, params)
        counts = counts_of(matrix, params["similarity"])
        candidates += counts["candidates"]
        bounded += counts["bounded"]
        largest = max(largest, matrix.shape[0])
        if matrix.shape[0] <= brute_below:
            full = set(zip(*text_reuse.all_pairs(matrix, params["similarity"]), strict=True))
            found = set(zip(*text_reuse.similar_pairs(matrix, params["similarity"]), strict=True))
            brute = "yes" if brute in ("not run", "yes") and full == found else "NO"
    return candidates, bounded, largest, brute


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--baseline-src", type=Path, required=True, help="the other tree's src folder")
    parser.add_argument("--brute-below", type=int, default=10_000)
    args = parser.parse_args()
    this_src = Path(__file__).resolve().parents[1] / "src"
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    header = f"{'folder':<22}{'tree':<10}{'docs':>7}{'search s':>10}{'cpu s':>8}{'reuse s':>9}{'cpu s':>8}"
    print(header + f"{'sentences':>11}{'pairs':>9}{'candidates':>12}{'verified':>10}  same pairs / rows / full product")
    for folder in args.folders:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            old = run_tree(args.baseline_src, folder, Path(work) / "old")
            new = run_tree(this_src, folder, Path(work) / "new")
            pairs_old = pl.read_parquet(Path(work) / "old/pairs.parquet").sort("block", "i", "j")
            pairs_new = pl.read_parquet(Path(work) / "new/pairs.parquet").sort("block", "i", "j")
            same_pairs = "yes" if pairs_old.equals(pairs_new) else "NO"
            rows_old = pl.read_parquet(Path(work) / "old/reuse.parquet")
            same_rows = "yes" if rows_old.equals(pl.read_parquet(Path(work) / "new/reuse.parquet")) else "NO"
            candidates, bounded, largest, brute = search_counts(folder, args.brute_below)
            name = folder.parent.name[-21:]
            for tree, times, verified in (("baseline", old, candidates), ("this", new, bounded)):
                print(
                    f"{name:<22}{tree:<10}{times['documents']:>7}{times['search_s']:>10.1f}{times['search_cpu_s']:>8.1f}"
                    f"{times['reuse_s']:>9.1f}{times['reuse_cpu_s']:>8.1f}{largest:>11}{pairs_new.height:>9}"
                    f"{candidates:>12}{verified:>10}  {same_pairs} / {same_rows} / {brute}"
                )
            print(f"  ({time.perf_counter() - started:.0f} s for this folder, {rows_old.height} reuse rows)")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
