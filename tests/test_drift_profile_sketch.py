"""Profile.sketched: saved and loaded, kept by merge with bounds that hold, said in drift notes.

Sketched references come from ``aimon.dask.profile(..., max_values=1000)`` on the synchronous
scheduler (no cluster). The merge bounds are checked against brute force: the KS and
Wasserstein-1 distances between the merged sketch and all the values of both references,
computed by scipy on the raw values.
"""
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import aimon  # noqa: E402
import aimon.dask as ad  # noqa: E402
from aimon import Profile  # noqa: E402

BUDGET = 1000  # the smallest max_values aimon.dask.profile accepts


@pytest.fixture(autouse=True)
def _sync_scheduler():
    with dask.config.set({"scheduler": "sync", "dataframe.convert-string": False}):
        yield


def sketched(df, npartitions=3):
    """aimon.dask.profile of ``df`` with the smallest budget (columns beyond it are sketched)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", aimon.errors.AimonWarning)
        return ad.profile(dd.from_pandas(df, npartitions=npartitions), max_values=BUDGET)


def heavy(rng, n):
    """Heavy-tailed values with ties and a few NaN."""
    x = np.round(rng.standard_t(3, n), 2)
    x[rng.random(n) < 0.02] = np.nan
    return x


def test_pandas_profile_is_exact():
    p = aimon.profile(pd.DataFrame({"x": np.arange(50.0), "c": ["a", "b"] * 25}))
    assert p.sketched == {}
    assert p.merge(p).sketched == {}
    assert Profile.from_json(p.to_json()).sketched == {}


def test_round_trip_json_and_npz(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": heavy(rng, 3000), "small": rng.normal(size=3000), "c": rng.choice(["a", "b"], 3000)})
    df.loc[df.index[900:], "small"] = np.nan  # 900 usable values: within the budget, exact
    p = sketched(df)
    assert set(p.sketched) == {"x"} and p.sketched["x"]["values"] == int(np.isfinite(df["x"]).sum())
    cur = pd.DataFrame({"x": rng.normal(size=300), "small": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    want = aimon.drift(cur, p).table
    p.to_npz(tmp_path / "p.npz")
    p.to_json(tmp_path / "p.json")
    for q in (Profile.from_json(p.to_json()), Profile.from_json(tmp_path / "p.json"),
              Profile.from_npz(tmp_path / "p.npz")):
        assert q.sketched == p.sketched  # floats survive JSON exactly (repr round trip)
        pd.testing.assert_frame_equal(aimon.drift(cur, q).table, want)
    with np.load(tmp_path / "p.npz", allow_pickle=False) as data:  # still no object arrays
        assert all(data[k].dtype != object for k in data.files)


def test_old_files_without_the_key_load_as_exact(tmp_path):
    rng = np.random.default_rng(2)
    p = sketched(pd.DataFrame({"x": heavy(rng, 2500)}))
    meta = json.loads(p.to_json())
    for col in meta["columns"]:
        del col["sketch"]  # what to_json wrote before sketches were saved
    q = Profile.from_json(json.dumps(meta))
    assert q.sketched == {} and np.array_equal(q["x"].values, p["x"].values)
    np.savez_compressed(tmp_path / "old.npz", meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                        **{"0/values": p["x"].values, "0/edges": p["x"].edges, "0/counts": p["x"].counts})
    assert Profile.from_npz(tmp_path / "old.npz").sketched == {}


def ks_sup(a, b):
    """sup |F_a - F_b| by brute force over every value of both samples."""
    grid = np.unique(np.r_[a, b])
    fa = np.searchsorted(np.sort(a), grid, side="right") / a.size
    fb = np.searchsorted(np.sort(b), grid, side="right") / b.size
    return np.abs(fa - fb).max()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), na=st.integers(1100, 6000), nb=st.integers(1, 6000),
       b_sketched=st.booleans(), swap=st.booleans(), parts=st.integers(1, 4))
def test_merge_keeps_the_sketch_within_its_bounds(seed, na, nb, b_sketched, swap, parts):
    from scipy.stats import ks_2samp, wasserstein_distance

    rng = np.random.default_rng(seed)
    xa, xb = heavy(rng, na), rng.normal(rng.uniform(-2, 2), rng.uniform(0.1, 3), nb)
    xb[: nb // 10] = np.nan
    a = sketched(pd.DataFrame({"x": xa}), parts)
    with warnings.catch_warnings():  # a reference of one row is warned about
        warnings.simplefilter("ignore", aimon.errors.AimonWarning)
        b = sketched(pd.DataFrame({"x": xb}), parts) if b_sketched else aimon.profile(pd.DataFrame({"x": xb}))
    assert "x" in a.sketched and ("x" in b.sketched) == (b_sketched and np.isfinite(xb).sum() > BUDGET)
    m = b.merge(a) if swap else a.merge(b)
    both = np.r_[xa, xb]
    exact = both[np.isfinite(both)]
    sk, cp = m.sketched["x"], m["x"]
    assert sk["values"] == exact.size == cp.n_valid and sk["points"] == cp.values.size
    assert (cp.n_rows, cp.n_missing) == (na + nb, int(np.isnan(both).sum()))
    assert np.all(np.diff(cp.values) >= 0)
    ks = ks_2samp(cp.values, exact).statistic
    assert ks == pytest.approx(ks_sup(cp.values, exact), abs=1e-12)  # scipy and brute force agree
    assert ks <= sk["ks_error"]
    assert wasserstein_distance(cp.values, exact) <= sk["w1_error"] * (1 + 1e-9)
    # the bound is the value-weighted average of the inputs' bounds plus the resampling term
    n_a, n_b = a["x"].n_valid, b["x"].n_valid
    e_b = b.sketched["x"]["ks_error"] if "x" in b.sketched else 0.0
    assert sk["ks_error"] == pytest.approx((n_a * a.sketched["x"]["ks_error"] + n_b * e_b) / (n_a + n_b)
                                           + 1 / sk["points"], rel=1e-12)
    assert cp.mean == pytest.approx(exact.mean(), rel=1e-9, abs=1e-12)
    assert cp.std == pytest.approx(exact.std(), rel=1e-9)


def test_merge_keeps_a_sketched_column_present_on_one_side_only():
    rng = np.random.default_rng(3)
    a = sketched(pd.DataFrame({"x": heavy(rng, 2000)}))
    b = aimon.profile(pd.DataFrame({"y": rng.normal(size=100)}))
    assert a.merge(b).sketched == a.sketched and b.merge(a).sketched == a.sketched


NOTE = re.compile(r"reference is a quantile sketch \(ECDF within ([0-9.e+-]+)\)")


def _sketch_bounds(notes):
    return [float(m.group(1)) for m in map(NOTE.search, notes) if m]


def test_drift_notes_say_the_reference_is_a_sketch():
    rng = np.random.default_rng(4)
    idx = pd.date_range("2026-01-01", periods=3000, freq="min")
    ref = pd.DataFrame({"x": heavy(rng, 3000), "c": rng.choice(["a", "b"], 3000)}, index=idx)
    p, exact = sketched(ref), aimon.profile(ref)
    bound = p.sketched["x"]["ks_error"]
    cur = pd.DataFrame({"x": np.r_[rng.normal(size=299), np.inf], "c": rng.choice(["a", "b"], 300)},
                       index=pd.date_range("2026-02-01", periods=300, freq="min"))
    t = aimon.drift(cur, p).table.set_index("column")
    assert t.loc["x", "note"].startswith("1 infinite value(s) left out; ")  # other notes kept, joined by "; "
    (shown,) = _sketch_bounds([t.loc["x", "note"]])
    assert bound <= shown <= bound * 1.1  # printed short, rounded up
    assert not _sketch_bounds([t.loc["c", "note"]])
    assert not any(_sketch_bounds(aimon.drift(cur, exact).table["note"]))
    tl = aimon.drift_over_time(cur, p, freq="1h").table
    assert (tl["column"] == "x").sum() == len(_sketch_bounds(tl["note"])) == 5
    assert not _sketch_bounds(aimon.drift_over_time(cur, exact, freq="1h").table["note"])
    # the dask versions say it too
    dcur = dd.from_pandas(cur, npartitions=2)
    assert len(_sketch_bounds(ad.drift(dcur, p).table["note"])) == 1
    assert len(_sketch_bounds(ad.drift_over_time(dcur, p, freq="1h").table["note"])) == 5


def test_merge_refuses_a_profile_saved_without_values():
    rng = np.random.default_rng(5)
    a = sketched(pd.DataFrame({"x": heavy(rng, 2000)}))
    meta = json.loads(aimon.profile(pd.DataFrame({"x": rng.normal(size=100)})).to_json())
    meta["columns"][0]["values"] = None  # what a hand-trimmed schema file looks like
    b = Profile.from_json(json.dumps(meta))
    for x, y in ((a, b), (b, a), (b, b)):
        with pytest.raises(aimon.errors.AimonError, match="'x' was saved without its values"):
            x.merge(y)
