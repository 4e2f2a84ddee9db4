"""Benchmark: narrative reuse (``compare.text_reuse``) on a processed folder, this tree's
candidate search side by side with the all-against-all product it replaced, in the same run.

Usage: python bench/bench_text_reuse.py PROCESSED_DIR [PROCESSED_DIR ...] [--brute-above 200000]

Each folder is the ``processed/`` of an ``analysis run`` (texts.parquet, indicator_scores'
documents). Printed per folder: distinct sentences, pairs found, candidates proposed by the
prefix filter, seconds for each method and whether both found the same pairs and the same
reuse rows. The all-against-all product is skipped above ``--brute-above`` distinct sentences
in one block (it grows with their square).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from analysis.compare import text_reuse
from analysis.compare.peers import settings
from analysis.compare.similar_pairs import candidate_count


def _documents(folder: Path) -> pl.DataFrame:
    docs = pl.read_parquet(folder / "documents.parquet")
    ids = pl.read_parquet(folder / "indicators.parquet", columns=["doc_id", "department_id"])
    return docs.join(ids, on="doc_id").select("doc_id", "department_id", "department", "fiscal_year", "doc_type")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--brute-above", type=int, default=200_000)
    args = parser.parse_args()
    params = settings()["text_reuse"]
    print(
        f"{'folder':<28}{'documents':>10}{'sentences':>11}{'pairs':>9}{'candidates':>12}{'prefix s':>10}{'brute s':>9}  same"
    )
    for folder in args.folders:
        docs = _documents(folder)
        sentences = text_reuse.narrative_sentences(pl.read_parquet(folder / "texts.parquet"), docs)
        blocks = [b for _, b in sentences.group_by(["fiscal_year", "doc_type"]) if b["department_id"].n_unique() > 1]
        distinct = max((b["sentence"].n_unique() for b in blocks), default=0)
        start = time.perf_counter()
        new = text_reuse.narrative_reuse(sentences)
        new_s = time.perf_counter() - start
        pairs = candidates = 0
        for block in blocks:
            _, matrix = text_reuse._unique_vectors(block, params)
            pairs += text_reuse.similar_pairs(matrix, params["similarity"])[0].size
            candidates += 2 * candidate_count(matrix, params["similarity"])
        brute_s, same = float("nan"), "not run"
        if distinct <= args.brute_above:
            chosen = text_reuse.similar_pairs
            text_reuse.similar_pairs = lambda m, t: text_reuse.all_pairs(m, t)  # type: ignore[assignment]
            try:
                start = time.perf_counter()
                old = text_reuse.narrative_reuse(sentences)
                brute_s = time.perf_counter() - start
            finally:
                text_reuse.similar_pairs = chosen  # type: ignore[assignment]
            same = "yes" if old.equals(new) else "NO"
        print(
            f"{folder.parent.name[-28:]:<28}{docs.height:>10}{distinct:>11}{pairs:>9}{candidates:>12}"
            f"{new_s:>10.1f}{brute_s:>9.1f}  {same}"
        )


if __name__ == "__main__":
    main()
