"""explain(): separations against scipy and loops, and the injected causes of the bundled log."""
import copy

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st_
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
from aimon.analysis.explain import null_quantile, separation
from aimon.errors import SchemaError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
samples = st.integers(2, 50).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 6), min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n)))


@SETTINGS
@given(samples)
def test_numeric_separation_is_the_ks_statistic(data):
    x, bad = np.array(data[0], float), np.array(data[1])
    got = separation(x, bad, True)
    if bad.all() or not bad.any():
        assert np.isnan(got)
        return
    assert got == pytest.approx(st_.ks_2samp(x[bad], x[~bad]).statistic, abs=1e-12)


@SETTINGS
@given(samples)
def test_categorical_separation_is_total_variation(data):
    x, bad = np.array(data[0]), np.array(data[1])
    got = separation(x, bad, False)
    if bad.all() or not bad.any():
        assert np.isnan(got)
        return
    levels = sorted(set(x.tolist()))
    tv = 0.5 * sum(abs((x[bad] == v).mean() - (x[~bad] == v).mean()) for v in levels)
    assert got == pytest.approx(tv, abs=1e-12)


@SETTINGS
@given(samples, st.booleans())
def test_null_quantile_equals_a_loop_over_the_same_shuffles(data, numeric):
    x, bad = np.array(data[0], float if numeric else np.int64), np.array(data[1])
    got = null_quantile(x, bad, numeric, np.random.default_rng(5), draws=20)
    if bad.all() or not bad.any():
        assert np.isnan(got)
        return
    order = np.argsort(x, kind="stable") if numeric else np.arange(len(x))
    xs, bs = x[order], bad[order]
    shuffles = np.random.default_rng(5).permuted(np.broadcast_to(bs, (20, len(bs))), axis=1)
    sims = [separation(xs, row, numeric) for row in shuffles]
    assert got == pytest.approx(np.quantile(sims, 0.95), abs=1e-12)


@pytest.fixture(scope="module")
def credit():
    df = aimon.datasets.load_credit_scoring()
    return df, df.aimon.explain("accuracy", reference=df.attrs["reference_end"], freq="1D")


def _span(events, kind):
    ev = events[events["kind"] == kind].iloc[0]
    days = pd.date_range(ev["start"].floor("D"), ev["end"].floor("D") - pd.Timedelta("1D"), freq="1D")
    return ev, days


def test_covariate_shift_features_rank_first_in_their_period(credit):
    df, ex = credit
    ev, days = _span(df.attrs["events"], "covariate_shift")
    top = ex.top(days[1], days[-1], k=2)          # the whole days inside the shift
    assert set(top["feature"]) == set(ev["columns"].split(","))
    assert (top["drift_ratio"] > 1).all()


def test_concept_drift_is_explained_by_links_to_errors_not_by_drift(credit):
    df, ex = credit
    ev = df.attrs["events"].query("kind == 'concept_drift'").iloc[0]
    start = ev["start"].ceil("D")
    days = ex.windows.index[(ex.windows.index >= start) & (ex.windows["n"] >= 1000)]
    assert ex.windows.loc[days, "degraded"].all()
    top = ex.top(days[0], days[-1], k=3)
    assert top["link_ratio"].iloc[0] > 1 and top["drift_ratio"].iloc[0] < 1
    part = ex.table[ex.table["window"].isin(days)]
    assert not part["drifted"].any()              # the inputs did not change
    # the generator's drifted relation moved the number of accounts and being retired the most
    assert {"num_open_accounts", "employment_type"} & set(top["feature"])


def test_windows_table_matches_quality(credit):
    df, ex = credit
    q = aimon.quality(df[df.index >= df.attrs["reference_end"]], "1D")
    np.testing.assert_allclose(ex.windows["value"].to_numpy(), q["accuracy"].to_numpy(), rtol=1e-12)
    assert (ex.windows["n"].to_numpy() == q["labelled"].to_numpy()).all()


def test_bad_inputs_and_rendering(credit):
    df, _ = credit
    small = df.iloc[:3000].copy()
    before = copy.deepcopy(small)
    with pytest.raises(SchemaError, match="needs a reference"):
        aimon.explain(small, "accuracy", reference=None)
    with pytest.raises(SchemaError, match="missing"):
        aimon.explain(small, "accuracy", reference=small.index[1000], columns=["nope"])
    with pytest.raises(SchemaError, match="not a per-request metric"):
        aimon.explain(small, "roc_auc", reference=small.index[1000])
    ex = aimon.explain(small.rename(columns={"region": "<b>r</b>"}), "latency_p95", reference=small.index[1500],
                       freq="6h")
    pd.testing.assert_frame_equal(small, before)
    assert set(ex.table["feature"]) >= {"<b>r</b>", "payload_kb"}
    assert "<b>r</b>" not in ex._repr_html_()
    import matplotlib.pyplot as plt

    assert ex.plot() is not None
    plt.close("all")
