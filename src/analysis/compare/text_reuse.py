"""Near-duplicate narrative across departments (DOMAIN §6.5 text-reuse index, E template residue).

Narrative paragraphs (``texts`` frame) are cut into sentences and embedded as character n-gram
TF-IDF vectors (counts by ``compare.char_ngrams``, the same as scikit-learn's), one per distinct
sentence; two sentences are near-identical when their cosine reaches ``similarity``. The pairs
are found by an exact prefix-filter search (``compare.similar_pairs``), not by comparing every
sentence with every other. Sentences near-identical in many departments are template
boilerplate (名词解释, "我单位无…") and are set aside. A document is reported when most of its remaining sentences
have a near-identical sentence in one other department's document of the same year and type.
Who copied is read from the shared sentences: the copy names the other department, the
original names itself.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis.compare.char_ngrams import char_ngram_counts
from analysis.compare.peers import settings
from analysis.compare.similar_pairs import similar_pairs

_SENTENCE_END = r"([。！？；])"
_CUT = "\x00"  # marks a sentence end inside Polars; a NUL in the text itself is dropped first
REUSE_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "other_doc_id": pl.String,
        "other_department": pl.String,
        "n_sentences": pl.Int64,
        "n_shared": pl.Int64,
        "share": pl.Float64,
        "copier": pl.String,
        "excerpt": pl.String,
        "line": pl.Int64,
        "page": pl.Int64,
        "block_median_share": pl.Float64,
        "block_documents": pl.Int64,
    }
)


def sentences(texts: pl.DataFrame, docs: pl.DataFrame, min_chars: int) -> pl.DataFrame:
    """Narrative sentences of the given documents, with their department and block."""
    rows = texts.filter(pl.col("kind") == "paragraph").join(docs, on="doc_id", how="inner")
    rows = rows.with_columns(
        pl.col("text")
        .str.replace_all(r"\s+|\x00", "")
        .str.replace_all(_SENTENCE_END, f"${{1}}{_CUT}")
        .str.split(_CUT)
        .alias("sentence")
    )
    return (
        rows.explode("sentence")
        .filter(pl.col("sentence").str.len_chars() >= min_chars)
        .select("doc_id", "department_id", "department", "fiscal_year", "doc_type", "sentence", "line", "page")
        .with_row_index("sid")
    )


def all_pairs(matrix: sparse.csr_matrix, threshold: float, chunk: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, with cosine ≥ threshold (rows are L2-normalised), by the
    product of every row with every other: the reference :func:`similar_pairs` is tested and
    benchmarked against (it grows with the square of the number of rows)."""
    left, right = [], []
    for start in range(0, matrix.shape[0], chunk):
        block = (matrix[start : start + chunk] @ matrix.T).tocoo()
        keep = (block.data >= threshold) & (block.row + start != block.col)
        left.append(block.row[keep] + start)
        right.append(block.col[keep])
    if not left:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(left), np.concatenate(right)


def _unique_vectors(block: pl.DataFrame, params: dict) -> tuple[pl.DataFrame, sparse.csr_matrix]:
    """Distinct sentences of a block (with their sentence ids and departments) and their TF-IDF
    vectors, weighted as if every copy were a row of its own (document frequencies count
    copies), so each cosine is the one the sentences would have one by one."""
    unique = (
        block.group_by("sentence", maintain_order=True)
        .agg(pl.col("sid"), pl.col("department_id").alias("departments"))
        .with_row_index("u")
    )
    counts = char_ngram_counts(unique["sentence"].to_list(), params["ngram_min"], params["ngram_max"])
    copies = unique["sid"].list.len().to_numpy().astype(np.float64)
    present = counts.copy()
    present.data[:] = 1.0
    df = present.T @ copies
    idf = np.log((1 + copies.sum()) / (1 + df)) + 1  # TfidfVectorizer's smooth idf
    return unique, normalize(counts @ sparse.diags(idf), norm="l2", copy=False).tocsr()


def _block_reuse(block: pl.DataFrame, params: dict) -> pl.DataFrame:
    """Near-identical sentences of one block between departments, and the documents that share
    them.

    Work is done on distinct sentences: the template sentence printed by every department is
    one vector, not one per department, so copies cost nothing; pairs are searched among
    sentences sharing a rare n-gram (``similar_pairs``). Two sentences are near-identical when their cosine reaches
    ``similarity``; copies of one sentence are identical. A sentence whose near-identical
    sentences span ``cut`` departments (its own included) is template text and set aside.
    """
    unique, matrix = _unique_vectors(block, params)
    i, j = similar_pairs(matrix, params["similarity"])
    edges = pl.DataFrame({"u": i, "v": j}, schema={"u": pl.UInt32, "v": pl.UInt32})
    depts = unique.select("u", "departments").explode("departments")
    reach = (
        pl.concat([depts, edges.join(depts.rename({"u": "v"}), on="v").select("u", "departments")])
        .group_by("u")
        .agg(pl.col("departments").n_unique().alias("n_dept"))
    )
    n_departments = block["department_id"].n_unique()
    cut = max(params["boilerplate_min_departments"], params["boilerplate_share"] * n_departments)
    kept = reach.filter(pl.col("n_dept") < cut)["u"].implode()
    links = pl.concat([unique.select("u", pl.col("u").alias("v")), edges]).filter(
        pl.col("u").is_in(kept) & pl.col("v").is_in(kept)
    )
    members = unique.select("u", "sid").explode("sid").join(block.select("sid", "department_id"), on="sid")
    pairs = (
        links.join(members.rename({"sid": "a", "department_id": "dept_a"}), on="u")
        .join(members.rename({"u": "v", "sid": "b", "department_id": "dept_b"}), on="v")
        .filter((pl.col("a") != pl.col("b")) & (pl.col("dept_a") != pl.col("dept_b")))
        .select("a", "b", "dept_a", "dept_b")
        .sort("a", "b")
    )
    own = members.filter(pl.col("u").is_in(kept)).select("sid").join(block, on="sid")
    info = block.select("sid", "doc_id", "department", "sentence", "line", "page")
    joined = pairs.join(info, left_on="a", right_on="sid", maintain_order="left").join(
        info.select(
            pl.col("sid").alias("b"),
            pl.col("doc_id").alias("other_doc_id"),
            pl.col("department").alias("other_department"),
        ),
        on="b",
        maintain_order="left",
    )
    sizes = own.group_by("doc_id").agg(pl.len().alias("n_sentences"))
    shared = joined.group_by("doc_id", "other_doc_id", "other_department", maintain_order=True).agg(
        pl.col("a").n_unique().alias("n_shared"),
        pl.col("sentence").unique(maintain_order=True).alias("shared"),
        pl.col("department").first(),
        pl.col("line").min(),
        pl.col("page").min(),
    )
    shared = shared.join(sizes, on="doc_id", maintain_order="left").with_columns(
        (pl.col("n_shared") / pl.col("n_sentences")).alias("share")
    )
    best = shared.group_by("doc_id").agg(pl.col("share").max())
    all_docs = block.select("doc_id").unique().join(best, on="doc_id", how="left").fill_null(0.0)
    return shared.with_columns(
        pl.lit(float(cast(float, all_docs["share"].median()))).alias("block_median_share"),
        pl.lit(all_docs.height).alias("block_documents"),
    )


def _copier(row: dict) -> str:
    """copier / original / unknown: does the shared text name the other department or itself?"""
    text = "".join(row["shared"])
    names_other = bool(row["other_department"]) and row["other_department"] in text
    names_self = bool(row["department"]) and row["department"] in text
    if names_other and not names_self:
        return "copier"
    if names_self and not names_other:
        return "original"
    return "unknown"


def narrative_sentences(texts: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """Narrative sentences of every readable document (shared by both copy detectors)."""
    docs = indicators.select("doc_id", "department_id", "department", "fiscal_year", "doc_type")
    if texts.is_empty() or docs.is_empty():
        return pl.DataFrame(
            schema={
                "sid": pl.UInt32,
                "doc_id": pl.String,
                "department_id": pl.String,
                "department": pl.String,
                "fiscal_year": pl.Int64,
                "doc_type": pl.String,
                "sentence": pl.String,
                "line": pl.Int64,
                "page": pl.Int64,
            }
        )
    return sentences(texts, docs, settings()["text_reuse"]["min_chars"])


def narrative_reuse(sentences: pl.DataFrame) -> pl.DataFrame:
    """Document pairs whose narratives are near-duplicates (one row per reported document)."""
    params = settings()["text_reuse"]
    found = []
    for _, block in sentences.sort("fiscal_year", "doc_type", "sid").group_by(
        ["fiscal_year", "doc_type"], maintain_order=True
    ):
        if block["department_id"].n_unique() > 1:
            found.append(_block_reuse(block, params))
    if not found:
        return pl.DataFrame(schema=REUSE_SCHEMA)
    shared = pl.concat(found).filter(
        (pl.col("n_shared") >= params["min_shared_sentences"]) & (pl.col("share") >= params["min_shared_share"])
    )
    if shared.is_empty():
        return pl.DataFrame(schema=REUSE_SCHEMA)
    shared = shared.with_columns(
        pl.struct("shared", "department", "other_department")
        .map_elements(_copier, return_dtype=pl.String)
        .alias("copier"),
        pl.col("shared").list.first().alias("excerpt"),
    )
    return (
        shared.filter(pl.col("copier") != "original")
        .select(list(REUSE_SCHEMA))
        .cast(REUSE_SCHEMA)
        .sort("doc_id", "other_doc_id", maintain_order=True)
    )
