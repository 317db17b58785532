"""aimon.datasets: the simulator, the bundled files and their loaders.

Every injected event is checked to be visible in the data with plain pandas, and everything
outside the events is checked to stay stationary, so the bundled logs can score detectors.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon.datasets as ds
from aimon.datasets import build, loaders
from aimon.errors import AimonError, SchemaError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"
NAMES = ("credit_scoring", "chatbot")
KINDS = {"latency_spike", "latency_degradation", "error_burst", "covariate_shift",
         "category_mix_change", "missing_surge", "concept_drift", "rollout",
         "hallucination_increase"}
EVENT_COLUMNS = ["event_id", "kind", "start", "end", "columns", "magnitude", "description"]


@pytest.fixture(scope="module")
def credit():
    return ds.load_credit_scoring()


@pytest.fixture(scope="module")
def chatbot():
    return ds.load_chatbot()


@pytest.fixture(scope="module")
def logs(credit, chatbot):
    return {"credit_scoring": credit, "chatbot": chatbot}


# ---------------------------------------------------------------- helpers (plain pandas)
def events(df, kind):
    table = df.attrs["events"]
    return list(table[table["kind"] == kind].itertuples(index=False))


def window(df, start, end):
    return df[(df.index >= start) & (df.index < end)]


def reference(df):
    return df[df.index < df.attrs["reference_end"]]


def errors_of(df):
    return df["status_code"] >= 500 if "status_code" in df else df["error"]


def same_clock_hours(df, start, end):
    """Rows of the clean reference period at the same UTC time of day as [start, end)."""
    ref = reference(df)
    minute = ref.index.hour * 60 + ref.index.minute
    lo, hi = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    inside = (minute >= lo) & (minute < hi) if lo < hi else (minute >= lo) | (minute < hi)
    return ref[inside]


def auc(label, score):
    ranks = score.rank()
    pos = label == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def numeric_features(df):
    skip = {"request_id", "latency_ms", "status_code", "score", "prediction", "label", "ttft_ms",
            "output_tokens", "cost_usd", "hallucination"}
    return [c for c in df.columns if c not in skip and df[c].dtype.kind in "if"]


def named_in_events(df):
    return {c for cols in df.attrs["events"]["columns"] for c in cols.split(",")}


# ---------------------------------------------------------------- API, determinism, arguments
def test_public_api_and_cheap_import():
    assert set(ds.__all__) >= {"simulate", "load_credit_scoring", "load_chatbot", "SCENARIOS"}
    assert set(ds.SCENARIOS) == set(NAMES)
    # pyarrow counts only when aimon brings it: pandas 3 imports it itself when it is installed
    code = ("import sys, pandas; base = set(sys.modules); import aimon.datasets; "
            "print([m for m in ('scipy', 'statsmodels', 'matplotlib', 'numba', 'pyarrow') "
            "if m in sys.modules and m not in base])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("scenario", NAMES)
def test_same_seed_same_frame_other_seed_other_frame(scenario):
    a = ds.simulate(days=2, rps=0.2, seed=3, scenario=scenario)
    b = ds.simulate(days=2, rps=0.2, seed=3, scenario=scenario)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a.attrs["events"], b.attrs["events"])
    c = ds.simulate(days=2, rps=0.2, seed=4, scenario=scenario)
    assert len(a) != len(c) or not a.equals(c)


@pytest.mark.parametrize("kwargs, name", [
    ({"days": 0}, "days"), ({"days": -1}, "days"), ({"days": float("nan")}, "days"),
    ({"days": "3"}, "days"), ({"days": True}, "days"), ({"rps": 0}, "rps"),
    ({"rps": -2.0}, "rps"), ({"rps": float("inf")}, "rps"), ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"), ({"seed": "a"}, "seed"), ({"scenario": "fraud"}, "scenario"),
    ({"start": "not a date"}, "start"), ({"events": "yes"}, "events"),
    ({"days": 1e6, "rps": 1e3}, "rps"),
])
def test_bad_arguments_raise_a_clear_error(kwargs, name):
    with pytest.raises(SchemaError) as info:
        ds.simulate(**kwargs)
    assert isinstance(info.value, AimonError) and f"{name}" in str(info.value)


def test_events_false_gives_a_clean_log():
    df = ds.simulate(days=2, rps=0.2, events=False)
    assert list(df.attrs["events"].columns) == EVENT_COLUMNS and df.attrs["events"].empty
    assert str(df.attrs["events"]["start"].dtype) == "datetime64[ns, UTC]"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.floats(0.05, 3.0), rps=st.floats(0.01, 0.3), seed=st.integers(0, 2**32),
       scenario=st.sampled_from(NAMES), start=st.sampled_from(["2026-03-01", "2025-10-25 13:00"]))
def test_any_small_simulation_is_well_formed(days, rps, seed, scenario, start):
    df = ds.simulate(days=days, rps=rps, seed=seed, scenario=scenario, start=start)
    t0 = pd.Timestamp(start, tz="UTC")
    t1 = t0 + pd.Timedelta(days=days)
    assert df.index.is_monotonic_increasing and str(df.index.tz) == "UTC"
    assert df.index.name == "timestamp"
    assert len(df) == 0 or (df.index[0] >= t0 and df.index[-1] < t1)
    assert df["request_id"].is_unique
    assert df["score"].between(0, 1).all()
    if scenario == "chatbot":
        assert (df["ttft_ms"] < df["latency_ms"]).all()
    else:
        assert (df["prediction"] == (df["score"] >= 0.5)).all()
    ev = df.attrs["events"]
    assert (ev["start"] < ev["end"]).all() and (ev["start"] >= t0).all() and (ev["end"] <= t1).all()
    assert (ev["start"] >= df.attrs["reference_end"]).all()


@pytest.mark.parametrize("scenario", NAMES)
def test_a_one_day_log_still_has_every_event(scenario):
    full = {e.kind for e in ds.simulate(days=30, rps=0.001, scenario=scenario).attrs["events"]
            .itertuples()}
    short = ds.simulate(days=1, rps=0.5, scenario=scenario)
    assert set(short.attrs["events"]["kind"]) == full
    assert abs(len(short) - 86400 * 0.5) < 5 * np.sqrt(86400 * 0.5)


# ---------------------------------------------------------------- files and loaders
@pytest.mark.parametrize("name", NAMES)
def test_loaded_frame_equals_the_simulation(name, logs):
    df = logs[name]
    again = ds.simulate(**df.attrs["simulate_args"])
    pd.testing.assert_frame_equal(df, again, check_exact=True)
    pd.testing.assert_frame_equal(df.attrs["events"], again.attrs["events"], check_exact=True)
    for key in ("scenario", "timezone", "reference_end", "simulate_args"):
        assert df.attrs[key] == again.attrs[key]


def test_build_regenerates_the_committed_files_byte_for_byte(tmp_path):
    written = build.main(tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted(p.name for p in DATA.iterdir() if p.is_file())
    for filename in names:
        assert (tmp_path / filename).read_bytes() == (DATA / filename).read_bytes(), filename


def test_files_are_small():
    for path in DATA.iterdir():
        assert path.stat().st_size <= 10_000_000, path
    assert sum(p.stat().st_size for p in DATA.glob("*.csv.gz")) <= 10_000_000


def test_credit_dtypes_are_restored(credit):
    want = {"request_id": "int64", "latency_ms": "float64", "status_code": "int64",
            "income": "float64", "debt_ratio": "float64", "age": "int64",
            "credit_history_months": "int64", "num_open_accounts": "int64",
            "loan_amount": "float64", "payload_kb": "float64", "score": "float64",
            "prediction": "int64", "label": "float64", "label_time": "datetime64[ns, UTC]"}
    for col, dtype in want.items():
        assert str(credit[col].dtype) == dtype, col
    assert str(credit.index.dtype) == "datetime64[ns, UTC]" and credit.index.name == "timestamp"
    cats = {"model_version": ["gbm-2026.02", "gbm-2026.03"],
            "employment_type": ["salaried", "self_employed", "contract", "unemployed", "retired"],
            "region": ["northeast", "midwest", "south", "west"],
            "channel": ["web", "mobile", "branch", "partner"]}
    for col, categories in cats.items():
        assert isinstance(credit[col].dtype, pd.CategoricalDtype), col
        assert list(credit[col].cat.categories) == categories
    assert credit.attrs["timezone"] == "America/New_York"


def test_chatbot_dtypes_are_restored(chatbot):
    for col in ("request_id", "input_tokens", "output_tokens"):
        assert chatbot[col].dtype == np.int64, col
    for col in ("ttft_ms", "latency_ms", "cost_usd", "score", "hallucination"):
        assert chatbot[col].dtype == np.float64, col
    assert chatbot["error"].dtype == bool and chatbot["fallback"].dtype == bool
    assert list(chatbot["feedback"].cat.categories) == ["up", "down"]
    assert list(chatbot["model_version"].cat.categories) == ["sage-large-1", "sage-mini-1",
                                                             "sage-mini-2"]
    assert chatbot.attrs["timezone"] == "Europe/Berlin"


def test_loaders_return_independent_copies(credit):
    a = ds.load_credit_scoring()
    a.loc[a.index[0], "latency_ms"] = -1.0
    a["channel"] = "web"
    a.attrs["events"].loc[0, "magnitude"] = 99.0
    a.attrs["simulate_args"]["seed"] = -5
    b = ds.load_credit_scoring()
    pd.testing.assert_frame_equal(b, credit, check_exact=True)
    pd.testing.assert_frame_equal(b.attrs["events"], credit.attrs["events"], check_exact=True)
    assert b.attrs["simulate_args"]["seed"] == credit.attrs["simulate_args"]["seed"]


def test_a_missing_file_says_how_to_regenerate_it(monkeypatch, tmp_path):
    monkeypatch.setattr(loaders, "data_dirs", lambda: [tmp_path])
    with pytest.raises(AimonError, match="python -m aimon.datasets.build"):
        ds.load_chatbot()


# ---------------------------------------------------------------- events table
@pytest.mark.parametrize("name", NAMES)
def test_events_table_is_well_formed(name, logs):
    df = logs[name]
    ev = df.attrs["events"]
    assert list(ev.columns) == EVENT_COLUMNS
    assert ev["event_id"].tolist() == list(range(1, len(ev) + 1))
    assert set(ev["kind"]) <= KINDS
    assert str(ev["start"].dtype) == str(ev["end"].dtype) == "datetime64[ns, UTC]"
    start = pd.Timestamp(df.attrs["simulate_args"]["start"])
    end = start + pd.Timedelta(days=df.attrs["simulate_args"]["days"])
    assert (ev["start"] < ev["end"]).all()
    assert (ev["start"] >= df.attrs["reference_end"]).all() and (ev["end"] <= end).all()
    assert df.attrs["reference_end"] - start == pd.Timedelta(days=7)
    for cols in ev["columns"]:
        assert set(cols.split(",")) <= set(df.columns), cols
    assert (ev["magnitude"] > 0).all() and ev["description"].str.len().gt(10).all()
    solo = ev[ev["kind"] != "rollout"].sort_values("start")
    assert (solo["start"].iloc[1:].to_numpy() >= solo["end"].iloc[:-1].to_numpy()).all()


def test_credit_has_every_kind_of_event(credit):
    kinds = credit.attrs["events"]["kind"].value_counts()
    assert kinds["latency_spike"] >= 2 and kinds["error_burst"] >= 1
    assert set(kinds.index) == KINDS - {"hallucination_increase"}


# ---------------------------------------------------------------- events are visible
@pytest.mark.parametrize("name", NAMES)
def test_latency_spikes_show_in_p95(name, logs):
    df = logs[name]
    for e in events(df, "latency_spike"):
        inside = window(df, e.start, e.end)
        clean = same_clock_hours(df, e.start, e.end)
        assert inside["latency_ms"].quantile(0.95) > 2 * clean["latency_ms"].quantile(0.95)
        five = inside["latency_ms"].resample("5min").quantile(0.95).dropna()
        assert five.median() > 2 * clean["latency_ms"].quantile(0.95)
        if "ttft_ms" in df:
            assert inside["ttft_ms"].quantile(0.95) > 2 * clean["ttft_ms"].quantile(0.95)


@pytest.mark.parametrize("name", NAMES)
def test_latency_degradation_grows_then_recovers(name, logs):
    df = logs[name]
    (e,) = events(df, "latency_degradation")
    quarter = (e.end - e.start) / 4
    first = window(df, e.start, e.start + quarter)["latency_ms"].quantile(0.95)
    last = window(df, e.end - quarter, e.end)["latency_ms"].quantile(0.95)
    clean = same_clock_hours(df, e.end - quarter, e.end)["latency_ms"].quantile(0.95)
    after = window(df, e.end, e.end + quarter)["latency_ms"].quantile(0.95)
    assert last > 1.5 * clean and last > 1.3 * first and after < 0.75 * last


@pytest.mark.parametrize("name", NAMES)
def test_error_bursts_show_in_the_error_rate(name, logs):
    df = logs[name]
    base = errors_of(reference(df)).mean()
    assert 0 < base < 0.01
    for e in events(df, "error_burst"):
        rate = errors_of(window(df, e.start, e.end)).mean()
        assert rate > 10 * base and abs(rate - e.magnitude) < 0.15


def test_covariate_shift_moves_the_means_by_the_magnitude(credit):
    ref = reference(credit)
    (e,) = events(credit, "covariate_shift")
    inside = window(credit, e.start, e.end)
    for col in e.columns.split(","):
        shift = (inside[col].mean() - ref[col].mean()) / ref[col].std()
        assert abs(shift - e.magnitude) < 0.15, col


@pytest.mark.parametrize("name", NAMES)
def test_features_outside_events_stay_stationary_every_day(name, logs):
    df = logs[name]
    ref = reference(df)
    shifted = {c for e in events(df, "covariate_shift") for c in e.columns.split(",")}
    daily = df.groupby(df.index.floor("D"))
    for col in numeric_features(df):
        if col in shifted:
            continue
        z = (daily[col].mean() - ref[col].mean()) / ref[col].std()
        assert z.abs().max() < 0.1, (col, z.abs().idxmax())
    untouched = [c for c in df.select_dtypes("category").columns
                 if c not in named_in_events(df) and c not in ("model_version", "feedback")]
    assert untouched
    for col in untouched:
        share0 = ref[col].value_counts(normalize=True)
        shares = df.groupby([df.index.floor("D"), col], observed=False).size().unstack()
        shares = shares.div(shares.sum(axis=1), axis=0)
        assert (shares - share0).abs().max().max() < 0.05, col


@pytest.mark.parametrize("name, col", [("credit_scoring", "channel"), ("chatbot", "topic")])
def test_category_mix_change_is_visible(name, col, logs):
    df = logs[name]
    (e,) = events(df, "category_mix_change")
    assert e.columns == col
    before = reference(df)[col].value_counts(normalize=True)
    during = window(df, e.start, e.end)[col].value_counts(normalize=True)
    tvd = 0.5 * (during - before).abs().sum()
    assert abs(tvd - e.magnitude) < 0.05
    after = window(df, e.end + pd.Timedelta(hours=2), e.end + pd.Timedelta(days=1))
    assert 0.5 * (after[col].value_counts(normalize=True) - before).abs().sum() < 0.05


def test_missing_surge_raises_the_nan_share(credit):
    (e,) = events(credit, "missing_surge")
    inside = window(credit, e.start, e.end)["income"].isna().mean()
    assert abs(inside - e.magnitude) < 0.1
    assert reference(credit)["income"].isna().mean() < 0.03
    others = [c for c in numeric_features(credit) if c != "income"]
    assert credit[others].notna().all().all()


def test_concept_drift_hurts_quality_but_not_inputs(credit):
    (e,) = events(credit, "concept_drift")
    ref = reference(credit).dropna(subset=["label"])
    after = credit[(credit.index >= e.start) & credit["label"].notna()]
    assert len(after) > 2000
    acc_ref = (ref["prediction"] == ref["label"]).mean()
    acc_after = (after["prediction"] == after["label"]).mean()
    assert 0.75 < acc_ref and acc_after < acc_ref - 0.05
    assert 0.8 < auc(ref["label"], ref["score"]) < 0.9
    assert auc(after["label"], after["score"]) < auc(ref["label"], ref["score"]) - 0.1
    for col in numeric_features(credit):
        z = (credit.loc[credit.index >= e.start, col].mean() - ref[col].mean()) / ref[col].std()
        assert abs(z) < 0.05, col


@pytest.mark.parametrize("name", NAMES)
def test_rollout_takes_a_growing_share(name, logs):
    df = logs[name]
    (e,) = events(df, "rollout")
    new = df["model_version"].cat.categories[-1]
    is_new = df["model_version"] == new
    assert not is_new[df.index < e.start].any()
    daily = is_new[df.index >= e.start].groupby(df.index[df.index >= e.start].floor("D")).mean()
    assert daily.iloc[0] < daily.iloc[-1]
    if name == "credit_scoring":
        assert abs(daily.iloc[-1] - e.magnitude) < 0.05


def test_hallucination_increase_for_one_model(chatbot):
    (e,) = events(chatbot, "hallucination_increase")
    large = chatbot[chatbot["model_version"] == "sage-large-1"]
    inside = window(large, e.start, e.end)["hallucination"].mean()
    outside = large.loc[(large.index < e.start) | (large.index >= e.end), "hallucination"].mean()
    assert inside > 2 * outside
    assert chatbot["hallucination"].notna().mean() == pytest.approx(0.05, abs=0.005)


# ---------------------------------------------------------------- production-like behaviour
def test_labels_arrive_late(credit):
    has = credit["label"].notna()
    assert (has == credit["label_time"].notna()).all()
    assert set(credit.loc[has, "label"].unique()) == {0.0, 1.0}
    assert (credit.loc[has, "label_time"] >= credit.index[has]).all()
    end = pd.Timestamp(credit.attrs["simulate_args"]["start"]) + pd.Timedelta(days=30)
    assert (credit.loc[has, "label_time"] <= end).all()
    delay = (credit.loc[has, "label_time"] - credit.index[has]).dt.total_seconds() / 3600
    assert 6 < delay.median() < 48
    last_day = credit.index >= end - pd.Timedelta(days=1)
    assert has[last_day].mean() < 0.5 * has[credit.index < credit.attrs["reference_end"]].mean()


@pytest.mark.parametrize("name", NAMES)
def test_daily_and_weekly_seasonality(name, logs):
    df = logs[name]
    local = df.index.tz_convert(df.attrs["timezone"])
    weekday = local.day_of_week < 5
    hour = local.hour
    busy = ((hour >= 10) & (hour < 16) & weekday).sum() / 6
    night = ((hour >= 0) & (hour < 5) & weekday).sum() / 5
    assert busy > 3 * night
    per_day = pd.Series(1, index=local).groupby(local.normalize()).size().iloc[1:-1]
    weekend = per_day[per_day.index.day_of_week >= 5].mean()
    assert weekend < 0.8 * per_day[per_day.index.day_of_week < 5].mean()
    days = df.attrs["simulate_args"]["days"]
    assert len(df) == pytest.approx(days * 86400 * df.attrs["simulate_args"]["rps"], rel=0.03)


def test_latency_is_heavy_tailed_and_grows_with_size_and_load(credit):
    lat = reference(credit)["latency_ms"]
    assert lat.quantile(0.999) > 5 * lat.median()
    ref = reference(credit)
    ranks = ref[["payload_kb", "latency_ms"]].rank()
    assert ranks.corr().iloc[0, 1] > 0.3
    local = ref.index.tz_convert(credit.attrs["timezone"])
    busy = ref[(local.hour >= 10) & (local.hour < 16) & (local.day_of_week < 5)]
    quiet = ref[(local.hour < 5)]
    assert busy["latency_ms"].median() > 1.1 * quiet["latency_ms"].median()


def test_chatbot_tokens_cost_and_latency(chatbot):
    assert (chatbot["ttft_ms"] < chatbot["latency_ms"]).all()
    ranks = chatbot[["output_tokens", "latency_ms"]].rank()
    assert ranks.corr().iloc[0, 1] > 0.5
    prices = {"sage-large-1": (2.50, 10.00), "sage-mini-1": (0.15, 0.60),
              "sage-mini-2": (0.12, 0.50)}
    p_in = chatbot["model_version"].map(lambda v: prices[v][0]).astype(float)
    p_out = chatbot["model_version"].map(lambda v: prices[v][1]).astype(float)
    expected = (chatbot["input_tokens"] * p_in + chatbot["output_tokens"] * p_out) / 1e6
    assert (expected - chatbot["cost_usd"]).abs().max() <= 5e-7 + 1e-12
    assert chatbot["feedback"].isna().mean() > 0.8
    assert 0.01 < chatbot["fallback"].mean() < 0.15
    down = chatbot["feedback"] == "down"
    graded = chatbot["hallucination"].notna()
    assert down[graded & (chatbot["hallucination"] == 1)].mean() > down[graded].mean()
