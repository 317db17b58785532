"""retraining_signal(): performance with late labels, change detections and input drift -> a decision."""
import copy
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
from aimon.analysis import retraining
from aimon.errors import SchemaError

matplotlib.use("Agg")
TOLERANCE = pd.Timedelta("6h")  # the stated tolerance of the change-start estimate on the bundled log


@pytest.fixture(scope="module")
def credit():
    return aimon.datasets.load_credit_scoring()


@pytest.fixture(scope="module")
def signal(credit):
    return credit.aimon.retraining_signal(drift=False)


def test_points_at_the_injected_concept_drift(credit, signal):
    ev = credit.attrs["events"].set_index("event_id").loc[10]
    assert ev["kind"] == "concept_drift"
    assert signal.retrain
    assert abs(signal.since - ev["start"]) <= TOLERANCE
    start, end = signal.train_window
    assert start == signal.since and end == pd.DatetimeIndex(credit.index[credit["label"].notna()]).max()
    labelled = ((credit.index >= start) & (credit.index <= end) & credit["label"].notna().to_numpy()).sum()
    assert signal.decision["train_labelled"].iloc[0] == labelled
    assert "input drift not checked" in signal.decision["kind"].iloc[0]
    assert set(signal.evidence["source"]) == {"performance", "detector"}


def test_performance_table_matches_an_independent_computation(credit, signal):
    from sklearn.metrics import accuracy_score

    t = signal.table
    lab = credit[credit["label"].notna()]
    days = lab.index.floor("D")
    acc = {d: accuracy_score(g["label"], g["prediction"]) for d, g in lab.groupby(days)}
    for d in t.index:
        assert t.loc[d, "accuracy"] == pytest.approx(acc[d])
    ref = lab[lab.index < credit.attrs["reference_end"]]
    p = accuracy_score(ref["label"], ref["prediction"])
    n = lab.groupby(days).size().reindex(t.index).to_numpy()
    np.testing.assert_allclose(t["reference"], p)
    np.testing.assert_allclose(t["threshold"], p - 3 * np.sqrt(p * (1 - p) / n))
    want = (t.index >= credit.attrs["reference_end"]) & (t["accuracy"] < t["threshold"]) & (n >= 50)
    np.testing.assert_array_equal(t["degraded"], want)


def test_as_of_uses_only_what_was_known(credit):
    early = credit.aimon.retraining_signal(drift=False, as_of="2026-03-20")
    assert not early.retrain and early.since is None and "performs as in the reference" in early.reason
    # the same frame built by hand: later rows dropped, labels that came later removed
    cut = pd.Timestamp("2026-03-20", tz="UTC")
    manual = credit[credit.index <= cut].copy()
    manual.loc[~(manual["label_time"] <= cut), "label"] = np.nan
    same = manual.aimon.retraining_signal(drift=False, reference=credit.attrs["reference_end"])
    pd.testing.assert_frame_equal(early.table, same.table)
    # one day after the change, too few labels have arrived to confirm it
    assert not credit.aimon.retraining_signal(drift=False, as_of="2026-03-26").retrain
    assert credit.aimon.retraining_signal(drift=False, as_of="2026-03-28").retrain


class StandIn:
    """The shape of aimon.drift_over_time(...)'s result: a long .table."""

    def __init__(self, windows, columns, drifted):
        rows = [{"window": w, "column": c, "statistic": 0.3 if (w in drifted and c in columns) else 0.01,
                 "threshold": 0.1, "drifted": bool(w in drifted and c in columns)}
                for w in windows for c in ("income", "debt_ratio")]
        self.table = pd.DataFrame(rows)


def test_drift_evidence_tells_concept_drift_from_covariate_shift(credit, signal):
    days = list(signal.table.index)
    shift = StandIn(days, ["debt_ratio"], set(days[10:14]))  # the large-loan promotion, before the change
    concept = credit.aimon.retraining_signal(drift=shift)
    assert concept.retrain and concept.decision["kind"].iloc[0].startswith("concept drift")
    assert (concept.table["drifted_columns"].iloc[10:14] == 1).all() and concept.table["drifted_columns"].iloc[20] == 0
    drift_rows = concept.evidence[concept.evidence["source"] == "drift"]
    assert len(drift_rows) == 4 and drift_rows["detail"].str.contains("debt_ratio").all()
    covariate = credit.aimon.retraining_signal(drift=StandIn(days, ["income", "debt_ratio"], set(days[24:])).table)
    assert covariate.decision["kind"].iloc[0].startswith("covariate shift")
    assert covariate.since == concept.since


def test_uses_the_drift_engine_when_present(credit, monkeypatch, signal):
    calls = []
    days = list(signal.table.index)

    def fake_engine(df, reference, freq="1D", columns=None):
        calls.append((len(df), len(reference), freq))
        return StandIn(days, ["income"], set(days[26:]))

    import sys
    import types

    mod = types.ModuleType("aimon.datadrift.timeline")
    mod.drift_over_time = fake_engine
    monkeypatch.setitem(sys.modules, "aimon.datadrift", types.ModuleType("aimon.datadrift"))
    monkeypatch.setitem(sys.modules, "aimon.datadrift.timeline", mod)
    res = credit.aimon.retraining_signal()
    assert calls and calls[0][0] == len(credit) and calls[0][1] == (credit.index < credit.attrs["reference_end"]).sum()
    assert res.decision["kind"].iloc[0].startswith("covariate shift")


def test_healthy_log_needs_no_retraining(credit):
    healthy = credit[credit.index < pd.Timestamp("2026-03-10", tz="UTC")]
    res = healthy.aimon.retraining_signal(drift=False)
    assert not res.retrain and res.train_window is None and res.decision["kind"].iloc[0] == "none"


def test_result_display_and_no_mutation(credit, signal):
    before = copy.deepcopy(credit)
    credit.aimon.retraining_signal(drift=False, as_of="2026-03-28")
    pd.testing.assert_frame_equal(credit, before)
    assert "Retrain: yes" in signal._repr_html_() and "retrain=True" in repr(signal)
    ax = signal.plot()
    assert isinstance(ax, matplotlib.axes.Axes)


def test_bad_inputs(credit):
    with pytest.raises(SchemaError, match="label"):
        aimon.retraining_signal(credit.drop(columns="label"), drift=False)
    with pytest.raises(SchemaError, match="metric"):
        aimon.retraining_signal(credit, metric="happiness", drift=False)
    with pytest.raises(SchemaError, match="reference"):
        aimon.retraining_signal(credit, reference=[1, 2], drift=False)
    with pytest.raises(SchemaError, match="as_of"):
        aimon.retraining_signal(credit, as_of="soon", drift=False)
    with pytest.raises(SchemaError, match="drift="):
        aimon.retraining_signal(credit, drift=pd.DataFrame({"a": [1]}))
    with pytest.raises(SchemaError, match="reference period has no window"):
        aimon.retraining_signal(credit, reference="2026-03-01 00:10", drift=False)
    other = credit.rename(columns={"label": "truth"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert other.aimon.retraining_signal(label="truth", drift=False).retrain


def brute_force_split(x):
    """Reference: every split, Bernoulli log-likelihood with scipy, rises of the rate only."""
    from scipy.stats import bernoulli

    best, arg = -np.inf, None
    for k in range(1, len(x)):
        a, b = x[:k], x[k:]
        if b.mean() <= a.mean():
            continue
        ll = sum(bernoulli.logpmf(s, np.clip(s.mean(), 1e-300, 1 - 1e-16)).sum() if 0 < s.mean() < 1 else 0.0
                 for s in (a, b))
        if ll > best + 1e-9:
            best, arg = ll, k
    return arg


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(2, 80), p=st.floats(0, 1), q=st.floats(0, 1))
def test_change_start_is_the_best_bernoulli_split(seed, n, p, q):
    rng = np.random.default_rng(seed)
    cut = int(rng.integers(0, n))
    x = np.r_[rng.random(cut) < p, rng.random(n - cut) < q].astype(float)
    want = brute_force_split(x)
    got = retraining._change_start(x, n - 1, 0)
    if want is None:
        assert got == 0
    else:
        assert got == want


def test_reference_as_a_separate_frame(credit, signal):
    end = credit.attrs["reference_end"]
    ref = credit[credit.index < end]
    res = credit.aimon.retraining_signal(reference=ref, drift=False)
    assert res.retrain and res.since == signal.since
    np.testing.assert_allclose(res.table["reference"], signal.table["reference"])
    assert credit.aimon.retraining_signal(reference=str(end), drift=False).since == signal.since


def test_an_unconfirmed_degraded_last_window_is_reported_as_such(credit):
    early = aimon.retraining_signal(credit, drift=False, as_of="2026-03-26")
    assert not bool(early.table["degraded"].iloc[-1]) or "wait for the next window" in early.reason
    assert bool(early.table["degraded"].iloc[-1])           # 25 March is already below the reference
    assert "performs as in the reference" not in early.reason
