"""Multiclass one-vs-rest estimation: realized macro metrics against scikit-learn, estimates and
their standard deviations against Monte Carlo draws of categorical labels, bad input."""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

import aimon
from aimon.errors import SchemaError
from aimon.estimation.multiclass import estimate, realized_macro

CLASSES = {"a": "p_a", "b": "p_b", "c": "p_c"}


def make_log(n, seed, power=1.4):
    r = np.random.default_rng(seed)
    P = np.exp(r.normal(0, 1.5, (n, 3)))
    P /= P.sum(axis=1, keepdims=True)
    true = P ** power
    true /= true.sum(axis=1, keepdims=True)
    y = (r.random(n)[:, None] > np.cumsum(true, axis=1)).sum(axis=1)
    return pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=n, freq="1min"),
                         "p_a": P[:, 0], "p_b": P[:, 1], "p_c": P[:, 2], "label": np.array(list("abc"))[y]})


def test_realized_macro_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    for n in (7, 40, 200):
        S = rng.random((n, 3)).round(1)
        y = rng.integers(0, 3, n).astype(float)
        pred = rng.integers(0, 3, n)
        b = np.array([0, n])
        assert_allclose(realized_macro("accuracy", S, y, pred, b)[0], accuracy_score(y, pred))
        for metric, fn in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
            per_class = fn(y, pred, labels=[0, 1, 2], average=None, zero_division=np.nan)
            assert_allclose(realized_macro(metric, S, y, pred, b)[0], np.nanmean(per_class), err_msg=metric)
        spec = [recall_score(y == c, pred == c, pos_label=False, zero_division=np.nan) for c in range(3)]
        assert_allclose(realized_macro("specificity", S, y, pred, b)[0], np.nanmean(spec))
        aucs = [roc_auc_score(y == c, S[:, c]) for c in range(3) if 0 < (y == c).sum() < n]
        assert_allclose(realized_macro("roc_auc", S, y, pred, b)[0], np.mean(aucs))


@pytest.mark.parametrize("metric", ["accuracy", "precision", "recall", "specificity", "f1", "roc_auc"])
def test_estimates_and_sds_against_monte_carlo(metric):
    rng = np.random.default_rng(5)
    n, reps = 300, 1500
    P = np.exp(rng.normal(0, 1.2, (n, 3)))
    P /= P.sum(axis=1, keepdims=True)
    S = P.round(2)
    pred = P.argmax(axis=1)
    b = np.array([0, n])
    draws = (rng.random((reps, n))[:, :, None] > np.cumsum(P, axis=1)[None]).sum(axis=2).astype(float)
    sims = np.array([realized_macro(metric, S, y, pred, b)[0] for y in draws])
    est, sd = estimate(metric, S, P, pred, b)
    assert abs(est[0] - sims.mean()) < 4 * sims.std() / np.sqrt(reps) + 2e-3
    assert abs(sd[0] / sims.std() - 1) < 0.12


def test_end_to_end_and_bad_inputs():
    ref, cur = make_log(4000, 1), make_log(3000, 2)
    est = aimon.estimate_performance(cur, reference=ref, class_scores=CLASSES, metrics=["accuracy", "roc_auc", "f1"],
                                     chunk_size=1000)
    t = est.table
    assert len(est.calibration) == 3 and est.calibration_method.startswith("one-vs-rest")
    y = cur["label"].map({"a": 0, "b": 1, "c": 2}).to_numpy()
    pred = cur[["p_a", "p_b", "p_c"]].to_numpy().argmax(axis=1)
    want = [accuracy_score(y[i:i + 1000], pred[i:i + 1000]) for i in range(0, 3000, 1000)]
    assert_allclose(t["accuracy_realized"], want)
    assert (abs(t["accuracy_error"]) < 0.05).all() and (abs(t["roc_auc_error"]) < 0.05).all()
    with pytest.raises(SchemaError, match="p_z"):
        aimon.estimate_performance(cur, reference=ref, class_scores={**CLASSES, "d": "p_z"})
    with pytest.raises(SchemaError, match=r"\[0, 1\]"):
        aimon.estimate_performance(cur.assign(p_a=cur["p_a"] * 10), reference=ref, class_scores=CLASSES)
    with pytest.raises(SchemaError, match="at least two"):
        aimon.estimate_performance(cur, reference=ref, class_scores={"a": "p_a"})
    with pytest.raises(SchemaError, match="no labels"):
        aimon.estimate_performance(cur, reference=ref.assign(label="zzz"), class_scores=CLASSES)


def test_class_score_columns_are_found_by_name():
    ref, cur = make_log(3000, 3), make_log(2000, 4)
    explicit = aimon.estimate_performance(cur, reference=ref, class_scores=CLASSES, metrics="accuracy", chunk_size=500)
    found = aimon.estimate_performance(cur, reference=ref, metrics="accuracy", chunk_size=500)
    assert len(found.calibration) == 3
    pd.testing.assert_frame_equal(found.table, explicit.table)
    renamed = {"p_a": "proba_0", "p_b": "proba_1", "p_c": "proba_2"}
    to_int = {"a": 0, "b": 1, "c": 2}
    ref2 = ref.rename(columns=renamed).assign(label=ref["label"].map(to_int))
    cur2 = cur.rename(columns=renamed).assign(label=cur["label"].map(to_int))
    by_name = aimon.estimate_performance(cur2, reference=ref2, metrics="accuracy", chunk_size=500)
    assert [c.n for c in by_name.calibration] == [3000] * 3
    assert_allclose(by_name.table["accuracy_estimate"], explicit.table["accuracy_estimate"])
