"""The algorithms behind estimate_performance against independent references: scikit-learn's
isotonic and logistic regressions, exact enumeration of every labelling of tiny windows, Monte
Carlo on larger ones, and textbook metric definitions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from aimon._kernels.expected_auc import expected_auc
from aimon.estimation.calibration import _logit, fit_calibration, isotonic_fit, platt_fit, spiegelhalter
from aimon.estimation.expected import CONFUSION_METRICS, expected, realized
from naive_estimation import auc_of, confusion_of, expectation, labellings, probabilities
from naive_estimation import spiegelhalter as spiegelhalter_ref

SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(st.integers(1, 60), st.integers(0, 2**31 - 1), st.sampled_from([1, 2, 3]), st.booleans())
def test_isotonic_matches_sklearn(n, seed, decimals, binary):
    rng = np.random.default_rng(seed)
    x = np.round(rng.random(n), decimals)  # few decimals: many ties
    y = (rng.random(n) < x).astype(float) if binary else rng.normal(x, 0.3)
    ux, fy = isotonic_fit(x, y)
    ref = IsotonicRegression(out_of_bounds="clip").fit(x, y)
    t = np.concatenate([rng.uniform(-0.2, 1.2, 50), x])
    assert_allclose(np.interp(t, ux, fy), ref.predict(t), atol=1e-12)
    assert np.all(np.diff(fy) >= -1e-15)


@settings(max_examples=15, deadline=None)
@given(st.integers(30, 400), st.integers(0, 2**31 - 1))
def test_platt_matches_sklearn_logistic_regression_on_one_feature(n, seed):
    rng = np.random.default_rng(seed)
    s = np.clip(rng.beta(2, 2, n), 1e-4, 1 - 1e-4)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.7 * _logit(s) - 0.4)))).astype(float)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    f = _logit(s)
    a, b = platt_fit(f, y)
    ref = LogisticRegression(C=1e6, tol=1e-10, solver="newton-cg", max_iter=1000).fit(f[:, None], y)
    ours = 1 / (1 + np.exp(-(a * f + b)))
    assert_allclose(ours, ref.predict_proba(f[:, None])[:, 1], atol=2e-5)


def test_platt_stays_finite_on_separable_data():
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = np.array([0.0, 0, 0, 1, 1, 1])
    a, b = platt_fit(_logit(s), y)
    ref = LogisticRegression(C=1e6, tol=1e-12, max_iter=10_000).fit(_logit(s)[:, None], y)
    assert np.isfinite(a) and np.isfinite(b)
    assert_allclose(1 / (1 + np.exp(-(a * _logit(s) + b))), ref.predict_proba(_logit(s)[:, None])[:, 1], atol=1e-3)


@SETTINGS
@given(st.integers(5, 200), st.integers(0, 2**31 - 1))
def test_spiegelhalter_matches_the_term_by_term_formula(n, seed):
    rng = np.random.default_rng(seed)
    p = np.round(rng.random(n), 2)
    y = (rng.random(n) < p).astype(float)
    if np.all(np.isin(p, [0.0, 0.5, 1.0])):
        assert np.isnan(spiegelhalter(p, y)[0])
        return
    assert_allclose(spiegelhalter(p, y), spiegelhalter_ref(p, y), rtol=1e-9, atol=1e-12)


def test_auto_calibration_keeps_calibrated_scores_and_fixes_miscalibrated_ones():
    rng = np.random.default_rng(3)
    s = rng.random(5000)
    y = (rng.random(5000) < s).astype(float)
    assert fit_calibration(s, y).method == "none"
    y2 = (rng.random(5000) < s ** 2).astype(float)
    assert fit_calibration(s, y2).method == "isotonic"
    assert fit_calibration(s[:300], y2[:300]).method == "platt"


def _window(rng, n, decimals=1):
    s = np.round(rng.random(n), decimals)
    p = rng.uniform(0.15, 0.85, n)
    d = (rng.random(n) < 0.5).astype(float)
    return s, p, d


@pytest.mark.parametrize("n,bound", [(8, 0.01), (12, 0.004)])
def test_expected_auc_against_exact_enumeration(n, bound):
    rng = np.random.default_rng(n)
    Y = labellings(n)
    for _ in range(15):
        s, p, _ = _window(rng, n)
        exact = expectation(auc_of(Y, s), probabilities(Y, p))
        assert abs(expected_auc(s, p, np.array([0, n]))[0][0] - exact) < bound


def test_enumeration_reference_agrees_with_sklearn():
    rng = np.random.default_rng(0)
    s = np.round(rng.random(9), 1)
    Y = labellings(9)[1:-1][::37]
    assert_allclose(auc_of(Y, s), [roc_auc_score(y, s) for y in Y], rtol=1e-12)


@pytest.mark.parametrize("metric", CONFUSION_METRICS)
def test_confusion_estimates_against_exact_enumeration(metric):
    rng = np.random.default_rng(7)
    n = 12
    Y = labellings(n)
    for _ in range(10):
        _, p, d = _window(rng, n)
        d[0], d[1] = 1.0, 0.0  # at least one predicted positive and negative
        exact = expectation(confusion_of(Y, d, metric), probabilities(Y, p))
        est = expected(metric, p, d, np.array([0, n]))[0][0]
        if metric in ("accuracy", "precision"):  # constant denominator: the estimate is exact
            assert_allclose(est, exact, rtol=1e-12)
        else:
            assert abs(est - exact) < 0.004


def test_estimates_and_sds_against_monte_carlo():
    rng = np.random.default_rng(11)
    n, reps = 400, 4000
    s = rng.random(n)
    p = np.clip(s + rng.normal(0, 0.15, n), 0.02, 0.98)
    d = (s >= 0.5).astype(float)
    Y = (rng.random((reps, n)) < p).astype(float)
    bounds = np.array([0, n])
    sims = {"roc_auc": auc_of(Y, s)}
    for m in CONFUSION_METRICS:
        sims[m] = confusion_of(Y, d, m)
    for m, values in sims.items():
        est, sd = expected_auc(s, p, bounds) if m == "roc_auc" else expected(m, p, d, bounds)
        mc_mean, mc_sd = values.mean(), values.std()
        assert abs(est[0] - mc_mean) < 4 * mc_sd / np.sqrt(reps) + 2e-4, m
        assert abs(sd[0] / mc_sd - 1) < 0.08, (m, sd[0], mc_sd)


def test_expected_auc_windows_and_degenerate_cases():
    s = np.array([0.3, 0.1, 0.9, 0.5, 0.5, 0.2])
    p = np.array([0.2, 0.4, 0.9, 0.6, 0.1, 0.3])
    est, sd = expected_auc(s, p, np.array([0, 1, 1, 4, 6]))
    assert np.isnan(est[0]) and np.isnan(est[1])  # one row, no row
    Y = labellings(3)
    assert_allclose(est[2], expectation(auc_of(Y, s[1:4]), probabilities(Y, p[1:4])), atol=0.08)
    certain = expected_auc(s[:3], np.array([1.0, 1.0, 1.0]), np.array([0, 3]))[0]
    assert np.isnan(certain[0])  # no chance of a negative: AUC undefined


@SETTINGS
@given(st.integers(1, 80), st.integers(0, 2**31 - 1))
def test_realized_metrics_match_sklearn(n, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(float)
    d = (rng.random(n) < 0.5).astype(float)
    b = np.array([0, n])
    kw = dict(zero_division=np.nan)
    assert_allclose(realized("accuracy", y, d, b)[0], accuracy_score(y, d))
    assert_allclose(realized("precision", y, d, b)[0], precision_score(y, d, **kw), equal_nan=True)
    assert_allclose(realized("recall", y, d, b)[0], recall_score(y, d, **kw), equal_nan=True)
    assert_allclose(realized("specificity", y, d, b)[0], recall_score(y, d, pos_label=0, **kw), equal_nan=True)
    assert_allclose(realized("f1", y, d, b)[0], f1_score(y, d, **kw), equal_nan=True)


@SETTINGS
@given(st.integers(40, 400), st.integers(0, 2**31 - 1))
def test_cox_test_matches_statsmodels_and_scipy(n, seed):
    import scipy.stats as ss
    import statsmodels.api as sm
    from sklearn.metrics import log_loss

    from aimon.estimation.calibration import cox_test

    rng = np.random.default_rng(seed)
    s = np.clip(rng.beta(2, 2, n), 1e-3, 1 - 1e-3)
    y = (rng.random(n) < s ** 1.5).astype(float)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    fit = sm.Logit(y, sm.add_constant(_logit(s))).fit(disp=0)
    stat_ref = 2 * (fit.llf + n * log_loss(y, s))
    stat, pvalue, _ = cox_test(s, y)
    assert_allclose(stat, stat_ref, rtol=1e-5, atol=1e-6)
    assert_allclose(pvalue, ss.chi2.sf(stat, 2), rtol=1e-9)


@pytest.mark.parametrize("method,n_ref", [("platt", 400), ("isotonic", 3000)])
def test_calibration_sd_matches_the_spread_over_redrawn_references(method, n_ref):
    """The calibration's share of the band: refit on 300 references drawn from one truth and
    compare the spread of the resulting estimates with the reported standard deviation."""
    rng = np.random.default_rng(21)
    s_win = np.round(rng.beta(2, 3, 2000), 2)
    d = (s_win >= 0.5).astype(float)
    bounds = np.array([0, 1000, 2000])
    estimates, sds = {"accuracy": [], "roc_auc": []}, {"accuracy": [], "roc_auc": []}
    for _ in range(300):
        s_ref = np.round(rng.beta(2, 3, n_ref), 2)
        y_ref = (rng.random(n_ref) < s_ref ** 1.3).astype(float)
        cal = fit_calibration(s_ref, y_ref, method)
        p = cal.predict(s_win)
        for m in estimates:
            est, _, grad = (expected_auc(s_win, p, bounds, with_grad=True) if m == "roc_auc"
                            else expected(m, p, d, bounds, with_grad=True))
            estimates[m].append(est)
            sds[m].append(cal.window_sd(s_win, grad, bounds))
    for m in estimates:
        spread = np.std(estimates[m], axis=0)
        reported = np.mean(sds[m], axis=0)
        assert_allclose(reported, spread, rtol=0.15, err_msg=m)
