"""Bad inputs to the drift engine give a result or a clear AimonError, never a crash or a silent NaN."""
import warnings

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.errors import AimonError, AimonWarning, SchemaError


def ref_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("ab"), n)})


def row(rep, col):
    return rep.table.set_index("column").loc[col]


def test_empty_current_frame_is_an_error():
    with pytest.raises(AimonError, match="no rows"):
        ref_frame().iloc[:0].aimon.drift(ref_frame())


def test_all_nan_column_in_current_or_reference():
    cur = ref_frame(50, 1).assign(x=np.nan)
    r = row(cur.aimon.drift(ref_frame()), "x")
    assert np.isnan(r.statistic) and not r.value_drifted and r.missing_drifted and "no usable values" in r.note
    ref = ref_frame().assign(x=np.nan)
    r = row(ref_frame(50, 1).aimon.drift(ref), "x")
    assert np.isnan(r.statistic) and not r.value_drifted and "reference" in r.note


def test_constant_columns():
    ref = ref_frame().assign(x=1.0)
    same = row(ref_frame(50, 1).assign(x=1.0).aimon.drift(ref), "x")
    assert same.statistic == 0 and not same.drifted
    moved = row(ref_frame(50, 1).assign(x=2.0).aimon.drift(ref), "x")
    assert moved.drifted and np.isinf(moved.statistic) and "constant reference" in moved.note
    const_cur = row(ref_frame(50, 1).assign(x=0.0).aimon.drift(ref_frame()), "x")
    assert np.isfinite(const_cur.statistic) and const_cur.drifted  # everything at 0: a big change


def test_inf_values_are_counted_not_compared():
    cur = ref_frame(50, 1)
    cur.loc[:4, "x"] = np.inf
    r = row(cur.aimon.drift(ref_frame()), "x")
    assert r.n_cur == 45 and "5 infinite" in r.note and np.isfinite(r.statistic)
    with pytest.raises(AimonError, match="infinite"):
        aimon.stats.ks([1.0, np.inf], [1.0])


def test_column_in_only_one_frame():
    cur = ref_frame(50, 1).assign(extra=1.0)
    ref = ref_frame().assign(gone=2.0)
    with pytest.warns(AimonWarning, match="not compared"):
        rep = cur.aimon.drift(ref)
    assert set(rep.skipped.column) == {"extra", "gone"}
    assert set(rep.table.column) == {"x", "c"}
    with pytest.raises(SchemaError, match="'extra' is not in the reference"):
        cur.aimon.drift(aimon.profile(ref), columns=["extra"])
    with pytest.raises(SchemaError, match="not in the frame"):
        cur.aimon.drift(ref, columns=["gone"])


def test_mismatched_dtypes_name_the_column_and_the_fix():
    cur = ref_frame(50, 1).assign(x=lambda d: d["x"].astype(str))
    with pytest.raises(SchemaError, match=r"'x' is numeric in the reference but categorical.*to_numeric"):
        cur.aimon.drift(ref_frame())


def test_categorical_with_100k_levels():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"id": rng.integers(0, 100_000, 200_000).astype(str)})
    cur = pd.DataFrame({"id": rng.integers(50_000, 150_000, 20_000).astype(str)})
    rep = cur.aimon.drift(ref)
    r = row(rep, "id")
    assert r.drifted and r.unseen > 0 and len(rep.unseen_categories["id"]) > 1000
    assert len(rep._repr_html_()) < 200_000


def test_booleans_and_datetimes_as_features():
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"b": rng.random(300) < 0.2,
                        "t": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 86400, 300), unit="s")})
    cur = pd.DataFrame({"b": rng.random(300) < 0.6,
                        "t": pd.Timestamp("2026-01-02") + pd.to_timedelta(rng.integers(0, 86400, 300), unit="s")})
    rep = cur.aimon.drift(ref, columns=["b", "t"])
    assert row(rep, "b").kind == "categorical" and row(rep, "b").drifted
    assert row(rep, "t").kind == "numeric" and row(rep, "t").drifted


def test_one_row_window_and_one_row_current():
    idx = pd.DatetimeIndex(["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-02 11:00"])
    df = pd.DataFrame({"x": [0.1, 0.2, 5.0], "c": ["a", "b", "a"]}, index=idx)
    tl = df.aimon.drift_over_time(ref_frame(), freq="1D")
    assert tl.table.n_cur.tolist() == [1, 2, 1, 2] or set(tl.table.n_cur) <= {1, 2}
    assert tl.table.statistic.notna().all() and np.isfinite(tl.table.threshold).all()
    rep = df.iloc[:1].aimon.drift(ref_frame())
    assert rep.table.statistic.notna().all()


def test_options_are_checked():
    cur, ref = ref_frame(50, 1), ref_frame()
    for kwargs, match in [({"alpha": 0}, "alpha"), ({"correction": "holm"}, "correction"),
                          ({"min_missing": 2}, "min_missing"), ({"method": "ks"}, "does not apply"),
                          ({"method": "bogus"}, "bogus"), ({"bins": 1}, "bins")]:
        with pytest.raises(AimonError, match=match):
            cur.aimon.drift(ref, **kwargs)
    with pytest.raises(SchemaError, match="reference must be a DataFrame or a Profile"):
        cur.aimon.drift([1, 2, 3])
    with pytest.raises(SchemaError, match="no feature"):
        pd.DataFrame({"latency_ms": [1.0]}).aimon.drift(pd.DataFrame({"latency_ms": [2.0]}))
