"""metric_by_feature(): bins and per-bin values against a plain pandas computation."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import SchemaError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frame(size, latency, n):
    t = pd.date_range("2026-01-01", periods=n, freq="1min")
    return pd.DataFrame({"size": size, "latency_ms": latency, "error": [i % 4 == 0 for i in range(n)]}, index=t)


@SETTINGS
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.integers(0, 6).map(float), st.just(np.nan)), min_size=n, max_size=n),
    st.lists(st.floats(1, 500, width=32), min_size=n, max_size=n))), st.integers(1, 6))
def test_numeric_bins_equal_a_loop_over_quantile_edges(data, bins):
    size, lat = data
    df = frame(size, lat, len(size))
    before = copy.deepcopy(df)
    view = aimon.metric_by_feature(df, "latency_p95", "size", bins=bins)
    pd.testing.assert_frame_equal(df, before)
    x = np.array(size)
    ok = ~np.isnan(x)
    table = view.table
    if not ok.any():
        assert table["bin"].tolist() == ["(missing)"]
        return
    edges = sorted(set(np.quantile(x[ok], np.linspace(0, 1, bins + 1), method="inverted_cdf").tolist()))
    if len(edges) == 1:
        edges = edges * 2
    numeric_rows = table[table["bin"] != "(missing)"]
    assert len(numeric_rows) == len(edges) - 1
    for i, row in enumerate(numeric_rows.itertuples()):
        lo, hi = edges[i], edges[i + 1]
        last = i == len(edges) - 2
        members = [j for j in range(len(x)) if ok[j] and lo <= x[j] and (x[j] < hi or (last and x[j] <= hi))]
        assert row.n == len(members) > 0
        assert row.value == pytest.approx(np.quantile(np.array(lat)[members], 0.95), rel=1e-12)
    assert table["n"].sum() == len(x)


def test_categorical_levels_equal_groupby_and_other_bucket():
    rng = np.random.default_rng(3)
    n = 3000
    df = frame(rng.choice(list("abcdefgh"), n), rng.gamma(2, 20, n), n)
    df.loc[df.index[:7], "size"] = None
    view = aimon.metric_by_feature(df, "error_rate", "size", max_levels=3)
    ref = df.assign(size=df["size"].fillna("(missing)")).reset_index(drop=True).groupby("size")["error"].agg(["mean", "count"])
    top = ref.sort_values("count", ascending=False).index[:3]
    t = view.table.set_index("bin")
    for level in top:
        assert t.loc[level, "value"] == pytest.approx(ref.loc[level, "mean"], rel=1e-12)
        assert t.loc[level, "n"] == ref.loc[level, "count"]
    rest = df[~df["size"].fillna("(missing)").isin(top)]
    assert t.loc["(other)", "value"] == pytest.approx(rest["error"].mean(), rel=1e-12)
    assert set(t.index) == set(top) | {"(other)"}


def test_bad_inputs():
    df = frame([1.0, 2.0, 3.0], [10.0, 20.0, 30.0], 3)
    with pytest.raises(SchemaError, match="feature="):
        aimon.metric_by_feature(df, "latency_p95", "nope")
    with pytest.raises(SchemaError, match="bins="):
        aimon.metric_by_feature(df, "latency_p95", "size", bins=0)
    with pytest.raises(SchemaError, match="per-request"):
        aimon.metric_by_feature(df, "roc_auc", "size")
    const = aimon.metric_by_feature(df.assign(size=5.0), "latency_mean", "size")
    assert const.table["n"].tolist() == [3] and const.table["value"].iloc[0] == pytest.approx(20.0)
    view = aimon.metric_by_feature(df.rename(columns={"size": "<i>"}), "latency_mean", "<i>")
    assert "<i>" not in view._repr_html_()
    import matplotlib.pyplot as plt

    assert view.plot() is not None
    plt.close("all")
