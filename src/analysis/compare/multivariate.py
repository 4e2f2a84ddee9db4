"""Multivariate outliers: documents unusual in their combination of indicators.

Features are the peer-normalised indicators of :mod:`analysis.compare.scoring` (robust z within
each document's own peer group, missing = 0 = the peer median, clipped at ``clip_z``, and kept
only on each indicator's watched side), so one
:class:`~analysis.compare.models.PeerIsolationForest` serves every group. A flagged document is
explained by the indicators with the largest |z|, each with its value and peer median.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis.compare.indicators import indicator_specs
from analysis.compare.models import PeerIsolationForest
from analysis.compare.peers import settings

MV_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String(),
        "score": pl.Float64(),
        "offset": pl.Float64(),
        "median_score": pl.Float64(),
        "n_fitted": pl.Int64(),
        "flagged": pl.Boolean(),
        "drivers": pl.List(pl.String()),
    }
)


def feature_matrix(scores: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, list[str]]:
    """Documents (doc_id, is_reference) and their clipped robust z per indicator."""
    names = [s["name"] for s in indicator_specs()]
    clip = float(settings()["multivariate"]["clip_z"])
    wide = scores.pivot(on="indicator", index="doc_id", values="robust_z", aggregate_function="first")
    for name in names:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    X = wide.select(names).fill_null(0.0).fill_nan(0.0).to_numpy().astype(float)
    for j, s in enumerate(indicator_specs()):
        # Only deviations on the watched side count: a fall in spending after a one-off
        # spike, or a department without 三公, is not what any indicator is after.
        if s["side"] == "high":
            X[:, j] = np.maximum(X[:, j], 0.0)
        elif s["side"] == "low":
            X[:, j] = np.minimum(X[:, j], 0.0)
    return wide.select("doc_id"), np.clip(X, -clip, clip), names


def multivariate_outliers(scores: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """Per document: isolation score, the cut, whether flagged and the driving indicators.

    Empty when fewer than ``min_documents`` reference documents exist (not evaluated).
    """
    params = settings()["multivariate"]
    if scores.is_empty():
        return pl.DataFrame(schema=MV_SCHEMA)
    docs, X, names = feature_matrix(scores)
    is_reference = (
        docs.join(indicators.select("doc_id", "is_reference"), on="doc_id", how="left")["is_reference"]
        .fill_null(False)
        .to_numpy()
    )
    if is_reference.sum() < params["min_documents"]:
        return pl.DataFrame(schema=MV_SCHEMA)
    model = PeerIsolationForest(
        n_estimators=params["n_estimators"], threshold_z=params["threshold_z"], random_state=params["random_state"]
    ).fit(X[is_reference])
    score = model.score_samples(X)
    top = model.explain(X, top=params["top_features"])
    drivers = [[names[j] for j in row if X[i, j] != 0] for i, row in enumerate(top)]
    return pl.DataFrame(
        {
            "doc_id": docs["doc_id"],
            "score": score,
            "offset": np.full(len(score), model.offset_),
            "median_score": np.full(len(score), float(np.median(score[is_reference]))),
            "n_fitted": np.full(len(score), int(is_reference.sum())),
            "flagged": model.predict(X) == -1,
            "drivers": drivers,
        },
        schema=MV_SCHEMA,
    )
