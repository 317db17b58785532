"""segments(): slice metrics equal ops()/quality() on the subset; shrinkage equals its formula."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
import naive_analysis as naive
from aimon.analysis.outcomes import estimate, outcomes
from aimon.analysis.segments import dersimonian_laird
from aimon.errors import DataDroppedWarning, SchemaError

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def log(n=4000, seed=0, bad_region="west"):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2026-02-01", periods=n, freq="5min")
    region = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    channel = rng.choice(["web", "app"], n)
    late = t >= t[n // 2]
    broken = late & (region == bad_region)
    label = rng.integers(0, 2, n).astype(float)
    correct = rng.random(n) < np.where(broken, 0.55, 0.9)
    pred = np.where(correct, label, 1 - label)
    label[rng.random(n) < 0.1] = np.nan            # late labels
    lat = rng.lognormal(4, 0.3, n) * np.where(broken, 1.5, 1.0)
    lat[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({"latency_ms": lat, "status_code": np.where(rng.random(n) < 0.03, 500, 200),
                         "region": region, "channel": channel, "label": label, "prediction": pred,
                         "score": np.clip(np.where(pred == 1, 0.7, 0.3) + rng.normal(0, 0.1, n), 0, 1)},
                        index=t)


@pytest.mark.parametrize("metric,ops_name", [("latency_p95", "latency_p95"), ("latency_mean", "latency_mean"),
                                             ("error_rate", "error_rate"), ("latency_p50", "latency_p50")])
def test_slice_values_equal_ops_on_the_subset(metric, ops_name):
    df = log()
    rep = aimon.segments(df, metric, by="region", reference=df.index[2000], min_count=2)
    cur, ref = df.iloc[2000:], df.iloc[:2000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        for row in rep.table.itertuples():
            want_c = aimon.ops(cur[cur["region"] == row.segment], "400D")[ops_name].iloc[0]
            want_r = aimon.ops(ref[ref["region"] == row.segment], "400D")[ops_name].iloc[0]
            assert row.cur == pytest.approx(want_c, rel=1e-12) and row.ref == pytest.approx(want_r, rel=1e-12)


@pytest.mark.parametrize("metric", ["accuracy", "correct", "low_confidence_share", "mean_confidence"])
def test_slice_values_equal_quality_on_the_subset(metric):
    df = log()
    name = {"correct": "accuracy"}.get(metric, metric)
    rep = aimon.segments(df, metric, by=["channel"], reference=None, min_count=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        for row in rep.table.itertuples():
            inside = df[df["channel"] == row.segment]
            rest = df[df["channel"] != row.segment]
            assert row.cur == pytest.approx(aimon.quality(inside, "400D")[name].iloc[0], rel=1e-12)
            assert row.ref == pytest.approx(aimon.quality(rest, "400D")[name].iloc[0], rel=1e-12)
            assert row.n_cur == (inside["label"].notna().sum() if name == "accuracy" else len(inside))


@SETTINGS
@given(st.lists(st.floats(0, 1), min_size=0, max_size=60), st.sampled_from(["rate", "mean", "quantile"]),
       st.sampled_from([0.5, 0.95, 0.99]))
def test_estimate_by_hand(raw, kind, q):
    v = np.array([np.nan if i % 7 == 3 else (round(x) if kind == "rate" else round(x, 1)) for i, x in enumerate(raw)])
    n, value, se = estimate(v, kind, q)
    x = v[~np.isnan(v)]
    assert n == len(x)
    if not len(x):
        assert np.isnan(value) and np.isnan(se)
        return
    if kind == "rate":
        pt = (x.sum() + 1) / (len(x) + 2)
        assert value == pytest.approx(x.mean()) and se == pytest.approx(np.sqrt(pt * (1 - pt) / (len(x) + 2)))
    elif kind == "mean":
        assert value == pytest.approx(x.mean())
        assert (np.isnan(se) and len(x) == 1) or se == pytest.approx(np.std(x, ddof=1) / np.sqrt(len(x)))
    else:
        assert value == pytest.approx(np.quantile(x, q))
        if len(x) > 1:
            s, z = sorted(x), 1.959963984540054
            lo = min(max(int(np.floor(len(x) * q - z * np.sqrt(len(x) * q * (1 - q)))), 0), len(x) - 1)
            hi = min(max(int(np.ceil(len(x) * q + z * np.sqrt(len(x) * q * (1 - q)))), 0), len(x) - 1)
            assert se == pytest.approx((s[hi] - s[lo]) / (2 * z))


@SETTINGS
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(0.01, 3)), min_size=2, max_size=12))
def test_dersimonian_laird_equals_the_textbook(pairs):
    d, se = (np.array(v) for v in zip(*pairs))
    mu, tau2, shrunk = dersimonian_laird(d, se)
    rmu, rtau2, rshrunk = naive.shrink(d, se)
    assert mu == pytest.approx(rmu, rel=1e-9, abs=1e-12) and tau2 == pytest.approx(rtau2, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(shrunk, rshrunk, rtol=1e-9, atol=1e-12)


def exact_log(cells):
    """A log with exactly n rows and k correct predictions per (region, period) cell."""
    rows = []
    for (region, period), (n, k) in cells.items():
        for i in range(n):
            rows.append({"region": region, "late": period == "cur", "label": 1.0, "prediction": float(i < k)})
    df = pd.DataFrame(rows)
    df.index = pd.date_range("2026-01-01", periods=len(df), freq="1min")
    return df.sort_values("late", kind="stable").set_axis(df.index)


def test_a_tiny_slice_does_not_outrank_a_large_one_on_noise():
    cells = {("north", "ref"): (3000, 2700), ("north", "cur"): (3000, 2400),   # 0.90 -> 0.80, real
             ("south", "ref"): (3000, 2700), ("south", "cur"): (3000, 2697),
             ("east", "ref"): (2000, 1800), ("east", "cur"): (2000, 1803),
             ("tiny", "ref"): (40, 36), ("tiny", "cur"): (40, 29)}              # 0.90 -> 0.725: 2 se
    df = exact_log(cells)
    split = df.index[int((~df["late"]).sum())]
    rep = aimon.segments(df.drop(columns="late"), "accuracy", by="region", reference=split)
    t = rep.table.set_index("segment")
    assert t.loc["tiny", "degradation"] == pytest.approx(0.9 - 29 / 40)
    assert t.loc["north", "degradation"] == pytest.approx(0.1)
    assert t.loc["tiny", "degradation"] > t.loc["north", "degradation"]        # raw: tiny looks worst
    assert rep.top(1)["segment"].iloc[0] == "north"                           # shrunk: north is
    d = t.loc[["north", "south", "east", "tiny"], "degradation"].to_numpy()
    se = (t.loc[["north", "south", "east", "tiny"], "ci_high"].to_numpy() - d) / 1.959963984540054
    np.testing.assert_allclose(t.loc[["north", "south", "east", "tiny"], "shrunk"], naive.shrink(d, se)[2],
                               rtol=1e-9)
    by_lower = aimon.segments(df.drop(columns="late"), "accuracy", by="region", reference=split, rank_by="ci_low")
    assert by_lower.top(1)["segment"].iloc[0] == "north"
    impact = aimon.segments(df.drop(columns="late"), "accuracy", by="region", reference=split, rank_by="impact")
    assert impact.table.set_index("segment").loc["north", "impact"] == pytest.approx(0.1 * 3000 / 8040)


def test_crossing_other_bucket_and_small_slices():
    df = log().assign(user=[f"u{i}" for i in range(4000)])          # 4000 levels
    rep = aimon.segments(df, "latency_mean", by=["user", "channel"], reference=df.index[2000], max_levels=5)
    users = rep.table[rep.table["dimension"] == "user"]
    assert len(users) == 6 and "(other)" in set(users["segment"])
    assert (users[users["segment"] != "(other)"]["note"] != "").all()  # 1 request each: not ranked
    assert "user × channel" in set(rep.table["dimension"])
    assert rep.table["rank"].dropna().is_monotonic_increasing


def call(df, *args, **kw):
    before, attrs = copy.deepcopy(df), copy.deepcopy(df.attrs)
    try:
        return aimon.segments(df, *args, **kw)
    finally:
        pd.testing.assert_frame_equal(df, before)
        assert df.attrs == attrs


def test_bad_inputs():
    df = log().assign(empty=np.nan, text="a")
    rep = call(df, "empty", by="region")
    assert rep.table["rank"].isna().all() and (rep.table["note"] != "").all()
    with pytest.raises(SchemaError, match="not a per-request metric"):
        call(df, "roc_auc", by="region")
    with pytest.raises(SchemaError, match="'text' is"):
        call(df, "text", by="region")
    with pytest.raises(SchemaError, match="do not exist"):
        call(df, "latency_p95", by="nope")
    with pytest.raises(SchemaError, match="reference has no"):
        call(df, "latency_p95", by="region", reference=df[["latency_ms"]])
    with pytest.raises(SchemaError, match="reference="):
        call(df, "latency_p95", by="region", reference=3.5j)
    with pytest.raises(SchemaError, match="rank_by"):
        call(df, "latency_p95", by="region", rank_by="size")
    with pytest.raises(SchemaError, match="at least one"):
        call(df, "latency_p95", by=[])
    with pytest.raises(SchemaError, match="'label'"):
        call(df.drop(columns="label"), "accuracy", by="region")


def test_report_renders_escaped():
    df = log().assign(region=lambda d: d["region"].replace({"west": "<script>"}))
    rep = call(df, "latency_p95", by="region", reference=df.index[2000])
    assert "<script>" not in rep._repr_html_() and "&lt;script&gt;" in rep._repr_html_()
    assert "Segments by degradation" in repr(rep)
    import matplotlib.pyplot as plt

    assert rep.plot() is not None
    plt.close("all")


def test_slices_that_do_not_differ_share_a_rank_and_new_slices_say_so():
    cells = {("a", "ref"): (1000, 900), ("a", "cur"): (1000, 850), ("b", "ref"): (1000, 900),
             ("b", "cur"): (1000, 851), ("c", "cur"): (500, 400)}                  # c is new
    df = exact_log(cells)
    split = df.index[int((~df["late"]).sum())]
    rep = aimon.segments(df.drop(columns="late"), "accuracy", by="region", reference=split)
    t = rep.table.set_index("segment")
    assert t.loc["a", "shrunk"] == pytest.approx(t.loc["b", "shrunk"]) and t.loc["a", "rank"] == t.loc["b", "rank"] == 1
    assert np.isnan(t.loc["c", "rank"]) and "new slice" in t.loc["c", "note"]
