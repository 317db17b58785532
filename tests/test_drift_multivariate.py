"""Multivariate drift: PCA and the domain classifier against scikit-learn, and the verdicts."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import aimon
from aimon.datadrift import multivariate as mv
from aimon.errors import AimonError, SchemaError

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.integers(0, 10_000), st.integers(2, 6), st.sampled_from([0.5, 0.8, 0.95]))
def test_pca_reconstruction_equals_sklearn(seed, d, variance):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(200, d)) @ rng.normal(size=(d, d))
    axes = mv.pca_axes(z, variance)
    pca = PCA(n_components=axes.shape[1]).fit(z)
    other = rng.normal(size=(50, d))
    ours = mv.reconstruction_error(other, axes, z.mean(axis=0))
    ref = np.mean((other - pca.inverse_transform(pca.transform(other))) ** 2, axis=1)
    np.testing.assert_allclose(ours, ref, rtol=1e-8, atol=1e-12)
    k_sklearn = PCA(n_components=variance, svd_solver="full").fit(z).n_components_
    assert axes.shape[1] == k_sklearn


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from([0.1, 1.0, 10.0]))
def test_logistic_fit_equals_sklearn(seed, c):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 3))
    y = (x @ np.array([1.0, -2.0, 0.5]) + rng.logistic(size=300) > 0).astype(float)
    w, b = mv.fit_logistic(x, y, c=c)
    sk = LogisticRegression(C=c, tol=1e-12, max_iter=10_000).fit(x, y)
    np.testing.assert_allclose(w, sk.coef_[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b, sk.intercept_[0], rtol=1e-5, atol=1e-7)
    scores = x @ w + b
    np.testing.assert_allclose(mv.auc(scores, y), roc_auc_score(y, scores), rtol=1e-12)
    tied = np.round(scores)
    np.testing.assert_allclose(mv.auc(tied, y), roc_auc_score(y, tied), rtol=1e-12)


def frames(seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=4000)
    ref = pd.DataFrame({"x": a, "y": a + 0.2 * rng.normal(size=4000), "z": rng.normal(size=4000)})
    b = rng.normal(size=3000)
    y = np.r_[b[:1000] + 0.2 * rng.normal(size=1000), b[1000:2000] + 0.2 * rng.normal(size=1000), -b[2000:]]
    cur = pd.DataFrame({"x": b, "y": y, "z": rng.normal(size=3000)},
                       index=pd.date_range("2026-01-01", periods=3000, freq="86.4s"))
    return ref, cur


def test_broken_correlation_is_found_with_unchanged_marginals():
    ref, cur = frames()
    res = cur.aimon.multivariate_drift(ref, freq="1D")
    assert res.table["error_drifted"].tolist() == [False, False, True]
    assert res.table["drifted"].tolist()[:2] == [False, False]
    # every marginal is unchanged: the univariate report stays quiet
    assert not cur.aimon.drift(ref).table["drifted"].any()


def test_domain_classifier_finds_a_shift():
    ref, cur = frames(1)
    cur = cur.assign(z=cur["z"] + np.r_[np.zeros(2000), np.full(1000, 1.0)])
    t = cur.aimon.multivariate_drift(ref, freq="1D").table
    assert t["auc_drifted"].tolist() == [False, False, True]
    assert t.loc[2, "auc"] > 0.6 and abs(t.loc[0, "auc"] - 0.5) < 0.05


def test_multivariate_inputs_checked_and_not_mutated():
    ref, cur = frames(2)
    with pytest.raises(SchemaError, match="at least 2 numeric"):
        cur.aimon.multivariate_drift(ref, columns=["x"])
    with pytest.raises(SchemaError, match="missing from"):
        cur.aimon.multivariate_drift(ref, columns=["x", "nope"])
    with pytest.raises(AimonError, match="variance"):
        cur.aimon.multivariate_drift(ref, variance=1.5)
    with pytest.raises(AimonError, match="at least 20"):
        cur.aimon.multivariate_drift(ref.iloc[:5])
    before, rbefore = cur.copy(), ref.copy()
    cur.loc[cur.index[:3], "x"] = np.nan
    before.loc[before.index[:3], "x"] = np.nan
    with pytest.warns(aimon.errors.AimonWarning, match="imputed"):
        res = cur.aimon.multivariate_drift(ref, freq="1D", classifier=False)
    assert res.imputed == {"x": 3} and "auc" not in res.table
    pd.testing.assert_frame_equal(cur, before)
    pd.testing.assert_frame_equal(ref, rbefore)
    import matplotlib

    assert isinstance(res.plot(), matplotlib.axes.Axes)
    assert "<table" in res._repr_html_()
