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
from analysis.compare.inputs import Table, has_columns
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


def sentences(texts: Table, docs: pl.DataFrame, min_chars: int) -> pl.DataFrame:
    """Narrative sentences of the given documents, with their department and block
    (``texts`` may be a lazy scan: the paragraphs' text and place are read, nothing else).

    One streaming query: paragraphs are cut into sentences a batch at a time, so memory holds
    the sentences kept, not every paragraph and its pieces beside them (issue 14); the order
    is that of the paragraphs, as the sentence ids need."""
    query = (
        texts.lazy()
        .filter(pl.col("kind") == "paragraph")
        .select("doc_id", "text", "line", "page")
        .join(docs.lazy(), on="doc_id", how="inner", maintain_order="left")
        .with_columns(
            pl.col("text")
            .str.replace_all(r"\s+|\x00", "")
            .str.replace_all(_SENTENCE_END, f"${{1}}{_CUT}")
            .str.split(_CUT)
            .alias("sentence")
        )
        .explode("sentence")
        .filter(pl.col("sentence").str.len_chars() >= min_chars)
        .select("doc_id", "department_id", "department", "fiscal_year", "doc_type", "sentence", "line", "page")
    )
    return query.collect(engine="streaming").with_row_index("sid")


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


_BLOCK_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String(),
        "other_doc_id": pl.String(),
        "other_department": pl.String(),
        "n_shared": pl.Int64(),
        "shared": pl.List(pl.String()),
        "department": pl.String(),
        "line": pl.Int64(),
        "page": pl.Int64(),
        "n_sentences": pl.Int64(),
        "share": pl.Float64(),
        "block_median_share": pl.Float64(),
        "block_documents": pl.Int64(),
    }
)


def _template_free(unique: pl.DataFrame, edges: pl.DataFrame, cut: float) -> np.ndarray:
    """Per distinct sentence: True unless its near-identical sentences (its own copies
    included) span ``cut`` departments or more (template text)."""
    depts = unique.select("u", "departments").explode("departments")
    reach = (
        pl.concat([depts, edges.join(depts.rename({"u": "v"}), on="v").select("u", "departments")])
        .group_by("u")
        .agg(pl.col("departments").n_unique().alias("n_dept"))
    )
    kept = np.zeros(unique.height, dtype=bool)
    kept[reach.filter(pl.col("n_dept") < cut)["u"].to_numpy()] = True
    return kept


def _shared_counts(
    u_of: np.ndarray, doc_of: np.ndarray, kept: np.ndarray, i: np.ndarray, j: np.ndarray, n_docs: int
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """(reach, shared): ``reach[u, d]`` is 1 when distinct sentence u has a near-identical
    sentence (itself included) printed in document d; ``shared[d, e]`` counts the sentences of
    document d (each printed sentence once) that reach document e. Only template-free
    sentences count on both sides.

    This is the count of distinct sentences per document pair the sentence-pair join gave
    (wave 4), computed as two sparse products: memory grows with the document pairs, not with
    the sentence pairs (2.9 million at 3,300 departments, 1.8 million document pairs)."""
    n_unique = kept.size
    own = kept[u_of]
    ones = np.ones(int(own.sum()))
    printed = sparse.csr_matrix((ones, (doc_of[own], u_of[own])), shape=(n_docs, n_unique))  # summed copies
    present = printed.T.tocsr()
    present.data[:] = 1.0
    both = kept[i] & kept[j]
    diagonal = np.flatnonzero(kept)
    links = sparse.csr_matrix(
        (
            np.ones(diagonal.size + int(both.sum())),
            (np.concatenate([diagonal, i[both]]), np.concatenate([diagonal, j[both]])),
        ),
        shape=(n_unique, n_unique),
    )
    reach = (links @ present).tocsr()
    reach.data[:] = 1.0
    return reach, (printed @ reach).tocsr()


def _block_reuse(block: pl.DataFrame, params: dict) -> pl.DataFrame:
    """Document pairs of one block (one year and type) that share most of a narrative, with
    the block's median share (every document pair's share counts towards it).

    Work is done on distinct sentences: the template sentence printed by every department is
    one vector, not one per department, so copies cost nothing; pairs are searched among
    sentences sharing a rare n-gram (``similar_pairs``). Two sentences are near-identical when their cosine reaches
    ``similarity``; copies of one sentence are identical. A sentence whose near-identical
    sentences span ``cut`` departments (its own included) is template text and set aside.
    Sentences shared are counted per document pair by :func:`_shared_counts`; the shared
    sentences themselves are listed only for the pairs reported.
    """
    unique, matrix = _unique_vectors(block, params)
    i, j = similar_pairs(matrix, params["similarity"])
    edges = pl.DataFrame({"u": i, "v": j}, schema={"u": pl.UInt32, "v": pl.UInt32})
    n_departments = block["department_id"].n_unique()
    cut = max(params["boilerplate_min_departments"], params["boilerplate_share"] * n_departments)
    kept = _template_free(unique, edges, cut)
    del matrix, edges

    docs = block.select("doc_id", "department_id", "department").unique("doc_id", maintain_order=True)
    docs = docs.with_row_index("d").with_columns(pl.col("department_id").rank("dense").alias("dept"))
    rows = (
        block.select("sid", "doc_id", "sentence", "line", "page")
        .join(unique.select("u", "sid").explode("sid"), on="sid", maintain_order="left")
        .join(docs.select("doc_id", "d"), on="doc_id", maintain_order="left")
    )
    u_of, doc_of = rows["u"].to_numpy().astype(np.int64), rows["d"].to_numpy().astype(np.int64)
    reach, shared = _shared_counts(u_of, doc_of, kept, i, j, docs.height)
    dept = docs["dept"].to_numpy()
    coo = shared.tocoo()
    other = dept[coo.row] != dept[coo.col]
    n_sentences = np.bincount(doc_of[kept[u_of]], minlength=docs.height)
    d, e = coo.row[other].astype(np.int64), coo.col[other].astype(np.int64)
    counts = pl.DataFrame(
        {"d": d, "e": e, "n_shared": np.rint(coo.data[other]).astype(np.int64), "n_sentences": n_sentences[d]}
    )
    counts = counts.with_columns((pl.col("n_shared") / pl.col("n_sentences")).alias("share"))
    best = counts.group_by("d").agg(pl.col("share").max())
    all_docs = docs.select("d").join(best, on="d", how="left").fill_null(0.0)
    median, n_docs = float(cast(float, all_docs["share"].median())), all_docs.height

    reported = counts.filter(
        (pl.col("n_shared") >= params["min_shared_sentences"]) & (pl.col("share") >= params["min_shared_share"])
    )
    if reported.is_empty():
        return pl.DataFrame(schema=_BLOCK_SCHEMA)
    # the sentences of d that reach e, in the order they were printed (sentence ids)
    candidates = reported.select("d", "e").join(
        rows.filter(pl.Series(kept[u_of])).select("d", "u", "sid", "sentence", "line", "page"), on="d"
    )
    hits = np.asarray(reach[candidates["u"].to_numpy(), candidates["e"].to_numpy()]).ravel() > 0
    lists = (
        candidates.filter(pl.Series(hits))
        .sort("d", "e", "sid")
        .group_by("d", "e", maintain_order=True)
        .agg(
            pl.col("sentence").unique(maintain_order=True).alias("shared"),
            pl.col("line").min(),
            pl.col("page").min(),
        )
    )
    names = docs.select("d", "doc_id", "department")
    found = (
        reported.join(lists, on=["d", "e"])
        .join(names, on="d")
        .join(
            names.select(
                pl.col("d").alias("e"),
                pl.col("doc_id").alias("other_doc_id"),
                pl.col("department").alias("other_department"),
            ),
            on="e",
        )
        .with_columns(pl.lit(median).alias("block_median_share"), pl.lit(n_docs).alias("block_documents"))
    )
    return found.select(list(_BLOCK_SCHEMA)).cast(_BLOCK_SCHEMA)


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


def narrative_sentences(texts: Table, indicators: pl.DataFrame) -> pl.DataFrame:
    """Narrative sentences of every readable document (shared by both copy detectors)."""
    docs = indicators.select("doc_id", "department_id", "department", "fiscal_year", "doc_type")
    if not has_columns(texts, "doc_id", "kind", "text") or docs.is_empty():
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
