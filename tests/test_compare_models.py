"""The outlier estimators: scikit-learn's contract, robust z within groups, the forest's cut."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from analysis.compare.models import PeerIsolationForest, RobustZScore


# make_blobs (used by the outlier checks) needs at least one outlier and one inlier, hence the
# low thresholds; the checks are about the API, not the defaults.
@parametrize_with_checks(
    [RobustZScore(threshold=1.5), PeerIsolationForest(threshold_z=2.0, n_estimators=30, random_state=0)]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_init_stores_parameters_only():
    model = RobustZScore(threshold=-1, side="sideways")  # invalid, but __init__ must not check
    assert model.get_params() == {"threshold": -1, "side": "sideways", "min_group_size": 1, "min_scale": 0.0}
    with pytest.raises(ValueError):
        model.fit(np.ones((3, 1)))


def test_robust_z_is_median_and_scaled_mad():
    X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    model = RobustZScore().fit(X)
    # median 3, MAD = median(|x - 3|) = 1, scale 1.4826
    assert model.center_[0, 0] == 3.0
    assert model.scale_[0, 0] == pytest.approx(1.4826)
    z = model.robust_z(X)[:, 0]
    assert z[4] == pytest.approx(97 / 1.4826)
    assert model.predict(X).tolist() == [1, 1, 1, 1, -1]
    assert model.decision_function(X)[4] < 0 < model.decision_function(X)[0]


@pytest.mark.parametrize("side, flagged", [("both", [0, 5]), ("high", [5]), ("low", [0])])
def test_side_selects_direction(side, flagged):
    X = np.array([[-50.0], [1.0], [2.0], [3.0], [2.0], [60.0]])
    pred = RobustZScore(side=side).fit(X).predict(X)
    assert np.flatnonzero(pred == -1).tolist() == flagged


def test_groups_get_their_own_centre():
    X = np.array([[1.0], [1.1], [0.9], [1.0], [100.0], [110.0], [90.0], [100.0]])
    groups = np.array(["a"] * 4 + ["b"] * 4)
    model = RobustZScore().fit(X, groups=groups)
    assert model.predict(X, groups=groups).tolist() == [1] * 8
    # the same value is ordinary in one group and extreme in the other
    assert model.predict(np.array([[100.0]]), groups=np.array(["a"]))[0] == -1
    assert model.predict(np.array([[100.0]]), groups=np.array(["b"]))[0] == 1


def test_group_below_minimum_size_is_not_evaluated():
    X = np.array([[1.0], [1.0], [50.0], [1.0], [1.1], [0.9], [1.0], [60.0]])
    groups = np.array(["small"] * 3 + ["big"] * 5)
    model = RobustZScore(min_group_size=4).fit(X, groups=groups)
    z = model.robust_z(X, groups=groups)[:, 0]
    assert np.isnan(z[:3]).all()  # not evaluated …
    assert model.predict(X[:3], groups=groups[:3]).tolist() == [1, 1, 1]  # … so never flagged
    assert model.predict(X[3:], groups=groups[3:])[-1] == -1


def test_unknown_group_and_missing_value_do_not_flag():
    model = RobustZScore().fit(np.array([[1.0], [2.0], [3.0]]), groups=np.array(["a"] * 3))
    assert np.isnan(model.robust_z(np.array([[99.0]]), groups=np.array(["zz"]))).all()
    assert model.predict(np.array([[np.nan]]), groups=np.array(["a"]))[0] == 1


def test_zero_mad_falls_back_to_mean_deviation_and_min_scale_floors_it():
    X = np.array([[1.0], [1.0], [1.0], [1.0], [1.0], [2.0]])
    model = RobustZScore().fit(X)
    assert model.scale_[0, 0] == pytest.approx(1.2533 * (1 / 6))
    floored = RobustZScore(min_scale=1.0).fit(X)
    assert floored.scale_[0, 0] == 1.0
    assert floored.predict(X)[-1] == 1


def test_isolation_forest_flags_the_isolated_row_and_names_its_features():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, size=(200, 4))
    X[7] = [0.0, 9.0, 0.0, -7.0]
    model = PeerIsolationForest(random_state=0).fit(X)
    assert model.predict(X)[7] == -1
    assert (model.predict(X) == -1).sum() <= 3
    assert model.explain(X[[7]], top=2)[0].tolist() == [1, 3]


def test_isolation_forest_cut_flags_nothing_without_extremes():
    X = np.random.default_rng(1).uniform(-1, 1, size=(300, 3))
    assert (PeerIsolationForest(random_state=0).fit(X).predict(X) == -1).sum() == 0


def test_fit_is_reproducible_with_random_state():
    X = np.random.default_rng(2).normal(size=(100, 3))
    a = PeerIsolationForest(random_state=3).fit(X).score_samples(X)
    b = clone(PeerIsolationForest(random_state=3)).fit(X).score_samples(X)
    assert np.allclose(a, b)


def test_multivariate_needs_enough_documents():
    import polars as pl

    from analysis.compare.multivariate import multivariate_outliers
    from analysis.compare.peers import settings

    n = settings()["multivariate"]["min_documents"] - 1
    scores = pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "indicator": ["personnel_share"] * n,
            "robust_z": [0.1 * i for i in range(n)],
        }
    )
    indicators = pl.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "is_reference": [True] * n})
    assert multivariate_outliers(scores, indicators).is_empty()  # not evaluated, nothing flagged
    more = pl.concat([scores, pl.DataFrame({"doc_id": ["x"], "indicator": ["personnel_share"], "robust_z": [0.0]})])
    found = multivariate_outliers(
        more, pl.concat([indicators, pl.DataFrame({"doc_id": ["x"], "is_reference": [True]})])
    )
    assert found.height == n + 1 and not found["flagged"].any()
