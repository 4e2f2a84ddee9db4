"""Outlier estimators that follow scikit-learn's conventions (STYLE.md §6, §8.11).

``__init__`` only stores parameters; ``fit(X, y=None)`` validates, learns attributes ending in
``_`` and returns ``self``; ``score_samples`` is lower for more abnormal rows,
``decision_function = score_samples - offset_`` is negative for outliers and ``predict``
returns ``-1`` (outlier) or ``+1`` (inlier), as ``sklearn.ensemble.IsolationForest`` does.

:class:`RobustZScore` is the peer comparison of DOMAIN §6.5: each value against the median of
its group, in units of the scaled median absolute deviation. It is group-aware: ``groups``
(one label per row) may be passed to ``fit`` and to the scoring methods, and every group gets
its own centre and scale, computed in one vectorised pass so that 100,000 documents cost no
more than a few group-bys. :class:`PeerIsolationForest` wraps ``IsolationForest`` on
peer-normalised indicators and reports which indicators drive a flag.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.utils.validation import check_is_fitted, validate_data

MAD_TO_SIGMA = 1.4826
"""1 / Φ⁻¹(3/4): turns a median absolute deviation into a normal standard deviation."""
MEAN_AD_TO_SIGMA = 1.2533
"""√(π/2): the same for a mean absolute deviation, used when the MAD is zero (Iglewicz and
Hoaglin's modified z-score fallback)."""
_SINGLE_GROUP = "__all__"


def _group_labels(groups, n_rows: int) -> np.ndarray:
    if groups is None:
        return np.full(n_rows, _SINGLE_GROUP, dtype=object)
    labels = np.asarray(groups, dtype=object)
    if labels.shape != (n_rows,):
        raise ValueError(f"groups has shape {labels.shape}, expected ({n_rows},)")
    return labels


def _robust_centre_scale(X: np.ndarray, labels: np.ndarray, min_scale: float):
    """Per group and feature: median, robust scale and number of non-missing values."""
    columns = [f"f{j}" for j in range(X.shape[1])]
    frame = pl.DataFrame({"g": labels.astype(str), **{c: X[:, j] for j, c in enumerate(columns)}}, nan_to_null=True)
    stats = frame.group_by("g").agg(
        *(pl.col(c).median().alias(f"m_{c}") for c in columns), *(pl.col(c).count().alias(f"n_{c}") for c in columns)
    )
    dev = frame.join(stats.select("g", *(f"m_{c}" for c in columns)), on="g").select(
        "g", *((pl.col(c) - pl.col(f"m_{c}")).abs().alias(c) for c in columns)
    )
    spread = dev.group_by("g").agg(
        *(pl.col(c).median().alias(f"mad_{c}") for c in columns),
        *(pl.col(c).mean().alias(f"mean_{c}") for c in columns),
    )
    stats = stats.join(spread, on="g").sort("g")
    centre = stats.select(f"m_{c}" for c in columns).to_numpy().astype(float)
    mad = stats.select(f"mad_{c}" for c in columns).to_numpy().astype(float) * MAD_TO_SIGMA
    mean_ad = stats.select(f"mean_{c}" for c in columns).to_numpy().astype(float) * MEAN_AD_TO_SIGMA
    scale = np.where(mad > 0, mad, mean_ad)
    scale = np.fmax(np.nan_to_num(scale, nan=0.0), min_scale)
    counts = stats.select(f"n_{c}" for c in columns).to_numpy().astype(np.int64)
    return stats["g"].to_numpy().astype(object), centre, scale, counts


class RobustZScore(OutlierMixin, BaseEstimator):
    """Robust z-scores within groups: ``(x - median) / (1.4826 · MAD)``.

    Parameters
    ----------
    threshold : float, default=3.5
        A row is an outlier when its largest z on the watched ``side`` exceeds this (Iglewicz
        and Hoaglin recommend 3.5 for the modified z-score).
    side : {"both", "high", "low"}, default="both"
        Which deviations count: ``high`` only values above the median, and so on.
    min_group_size : int, default=1
        Groups with fewer non-missing values in a feature are not evaluated there: their z is
        NaN, which never flags.
    min_scale : float, default=0.0
        Floor of the scale, in the units of X; keeps a group whose values nearly all agree
        from calling a small difference extreme.

    Attributes
    ----------
    groups_ : ndarray of shape (n_groups,)
        Group labels seen in ``fit`` (``"__all__"`` when no groups were given).
    center_, scale_ : ndarray of shape (n_groups, n_features)
        Median and robust scale per group and feature (NaN centre: not evaluated).
    counts_ : ndarray of shape (n_groups, n_features)
        Non-missing values per group and feature.
    offset_ : float
        ``-threshold``; ``decision_function = score_samples - offset_``.
    n_features_in_ : int

    See Also
    --------
    PeerIsolationForest : multivariate counterpart on peer-normalised features.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [1.1], [0.9], [1.0], [9.0]])
    >>> RobustZScore(threshold=3.5).fit(X).predict(X).tolist()
    [1, 1, 1, 1, -1]
    """

    def __init__(self, threshold=3.5, side="both", min_group_size=1, min_scale=0.0):
        self.threshold = threshold
        self.side = side
        self.min_group_size = min_group_size
        self.min_scale = min_scale

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None, groups=None):
        """Learn each group's median and scale; returns ``self``."""
        if self.side not in ("both", "high", "low"):
            raise ValueError(f"side must be 'both', 'high' or 'low', got {self.side!r}")
        if not self.threshold > 0 or self.min_group_size < 1 or self.min_scale < 0:
            raise ValueError("threshold must be > 0, min_group_size >= 1 and min_scale >= 0")
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        labels = _group_labels(groups, X.shape[0])
        self.groups_, centre, self.scale_, self.counts_ = _robust_centre_scale(X, labels, float(self.min_scale))
        self.center_ = np.where(self.counts_ >= self.min_group_size, centre, np.nan)
        self.offset_ = -float(self.threshold)
        return self

    def robust_z(self, X, groups=None):
        """Signed z of every value against its group (NaN: missing value or group not evaluated)."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        labels = _group_labels(groups, X.shape[0]).astype(str)
        known = self.groups_.astype(str)
        index = np.searchsorted(known, labels)
        index = np.clip(index, 0, len(known) - 1)
        found = known[index] == labels
        centre = np.where(found[:, None], self.center_[index], np.nan)
        scale = self.scale_[index]
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (X - centre) / scale
        return np.where(scale > 0, z, np.nan)

    def _side_z(self, z: np.ndarray) -> np.ndarray:
        if self.side == "high":
            return z
        if self.side == "low":
            return -z
        return np.abs(z)

    def score_samples(self, X, groups=None):
        """Minus the largest watched deviation (NaN becomes 0: nothing to report)."""
        z = self._side_z(self.robust_z(X, groups))
        z = np.where(np.isnan(z), -np.inf, z)
        worst = z.max(axis=1)
        return -np.where(np.isfinite(worst), worst, 0.0).astype(float)

    def decision_function(self, X, groups=None):
        """Negative for outliers: ``threshold - largest watched z``."""
        return self.score_samples(X, groups) - self.offset_

    def predict(self, X, groups=None):
        """``-1`` for outliers, ``+1`` otherwise."""
        return np.where(self.decision_function(X, groups) < 0, -1, 1).astype(int)


class PeerIsolationForest(OutlierMixin, BaseEstimator):
    """IsolationForest on peer-normalised indicators, with a robust cut on its scores.

    The features are expected to be robust z-scores within peer groups (missing ones set to
    0, the peer median), so one forest serves every group and a flagged row is explained by
    its largest features (:meth:`explain`).

    Parameters
    ----------
    n_estimators : int, default=200
    max_samples : int, float or "auto", default="auto"
        Passed to ``IsolationForest``.
    threshold_z : float, default=4.0
        A row is an outlier when its isolation score lies more than this many robust standard
        deviations below the median score, so a set without extreme rows flags none (unlike a
        fixed contamination, which always flags a share).
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    forest_ : IsolationForest
    offset_ : float
        Score below which a row is an outlier.
    n_features_in_ : int
    """

    def __init__(self, n_estimators=200, max_samples="auto", threshold_z=4.0, random_state=None):
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.threshold_z = threshold_z
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the forest and place the cut on the training scores; returns ``self``."""
        if not self.threshold_z > 0:
            raise ValueError("threshold_z must be > 0")
        X = validate_data(self, X, dtype=np.float64)
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators, max_samples=self.max_samples, random_state=self.random_state
        ).fit(X)
        scores = self.forest_.score_samples(X)
        centre = float(np.median(scores))
        scale = MAD_TO_SIGMA * float(np.median(np.abs(scores - centre)))
        if scale == 0:
            scale = MEAN_AD_TO_SIGMA * float(np.mean(np.abs(scores - centre)))
        self.offset_ = centre - self.threshold_z * scale if scale > 0 else float(scores.min()) - 1.0
        return self

    def score_samples(self, X):
        """Isolation score (lower: easier to isolate, more abnormal)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.forest_.score_samples(X)

    def decision_function(self, X):
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        return np.where(self.decision_function(X) < 0, -1, 1).astype(int)

    def explain(self, X, top=3):
        """Column indices of each row's ``top`` largest absolute features, largest first."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.argsort(-np.abs(X), axis=1, kind="stable")[:, :top]
