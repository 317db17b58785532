"""Reference profiles: content against numpy/pandas, persistence without pickle, merging."""
import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.datadrift.profile import Profile
from aimon.errors import AimonError, SchemaError


def frame(n=500, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "x": x,
        "k": rng.integers(0, 5, n),
        "c": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "s": rng.choice(["u", "v", None], n),
        "flag": rng.random(n) < 0.3,
    })


def test_profile_content_matches_numpy_and_pandas():
    df = frame()
    p = aimon.profile(df)
    x = p["x"]
    finite = np.sort(df["x"].dropna().to_numpy())
    np.testing.assert_array_equal(x.values, finite)
    assert x.n_missing == df["x"].isna().sum() and x.n_rows == len(df)
    np.testing.assert_allclose([x.mean, x.std], [finite.mean(), finite.std()], rtol=1e-12)
    np.testing.assert_allclose(x.edges, np.unique(np.quantile(finite, np.arange(1, 10) / 10)), rtol=0, atol=0)
    assert x.counts.sum() == finite.size
    s = p["s"]
    vc = df["s"].value_counts()
    assert dict(zip(s.categories, s.counts)) == {k: float(v) for k, v in vc.items()}
    assert s.n_missing == df["s"].isna().sum()
    assert p["flag"].kind == "categorical" and sorted(p["flag"].categories) == [False, True]
    assert p["c"].kind == "categorical" and p["k"].kind == "numeric"
    assert p["x"].null == {}  # null quantiles are computed on first use, then kept
    assert p.null("x", "wasserstein") > 0 and set(p["x"].null) == {"wasserstein"}


def _same(a: Profile, b: Profile):
    assert a.names == b.names
    for name in a.names:
        ca, cb = a[name], b[name]
        assert (ca.kind, ca.n_rows, ca.n_missing, ca.n_invalid, ca.categories) == \
            (cb.kind, cb.n_rows, cb.n_missing, cb.n_invalid, cb.categories)
        for key in ("values", "edges", "counts"):
            va, vb = getattr(ca, key), getattr(cb, key)
            assert (va is None) == (vb is None)
            if va is not None:
                np.testing.assert_array_equal(va, vb)
        assert ca.null == pytest.approx(cb.null)


def test_json_and_npz_round_trip(tmp_path):
    p = aimon.profile(frame())
    _same(p, Profile.from_json(p.to_json()))
    p.to_json(tmp_path / "p.json")
    _same(p, Profile.from_json(tmp_path / "p.json"))
    p.to_npz(tmp_path / "p.npz")
    _same(p, Profile.from_npz(tmp_path / "p.npz"))
    with np.load(tmp_path / "p.npz", allow_pickle=False) as data:  # no object arrays inside
        assert all(data[k].dtype != object for k in data.files)
    # a reloaded profile gives the same report
    cur = frame(300, seed=5)
    a = cur.aimon.drift(p).table
    b = cur.aimon.drift(Profile.from_npz(tmp_path / "p.npz")).table
    pd.testing.assert_frame_equal(a, b)


def test_not_a_profile():
    with pytest.raises(AimonError, match="Not an aimon profile"):
        Profile.from_json('{"format": "something-else"}')


def test_merge_equals_profile_of_concatenation():
    a, b = frame(400, 1), frame(300, 2)
    b.loc[b.index[:5], "s"] = "new"
    merged = aimon.profile(a).merge(aimon.profile(b))
    both = aimon.profile(pd.concat([a, b], ignore_index=True))
    for name in both.names:
        m, w = merged[name], both[name]
        assert (m.n_rows, m.n_missing) == (w.n_rows, w.n_missing)
        if m.kind == "numeric":
            np.testing.assert_array_equal(m.values, w.values)
            np.testing.assert_array_equal(m.edges, w.edges)
            assert m.null == pytest.approx(w.null)
        else:
            assert dict(zip(m.categories, m.counts)) == dict(zip(w.categories, w.counts))
    assert merged.n_rows == 700


def test_merge_refuses_different_kinds():
    a = aimon.profile(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    b = aimon.profile(pd.DataFrame({"x": ["a", "b", "c"]}))
    with pytest.raises(SchemaError, match="'x' is numeric in one profile"):
        a.merge(b)


def test_profile_options_and_inputs_checked():
    df = frame()
    with pytest.raises(AimonError, match="bins"):
        aimon.profile(df, bins=1)
    with pytest.raises(AimonError, match="null_quantile"):
        aimon.profile(df, null_quantile=1.5)
    with pytest.raises(SchemaError, match="not in the frame"):
        aimon.profile(df, columns=["nope"])
    with pytest.raises(SchemaError, match="DataFrame"):
        aimon.profile(df["x"])


def test_profile_does_not_mutate_and_html_escapes():
    df = frame().rename(columns={"x": "<b>x</b>"})
    before = df.copy()
    p = df.aimon.profile()
    pd.testing.assert_frame_equal(df, before)
    assert "<b>x</b>" not in p._repr_html_() and "&lt;b&gt;x&lt;/b&gt;" in p._repr_html_()


def test_profile_sorts_without_touching_the_input():
    """Columns of a 2-D block are gathered once and sorted in place; a column that is its own array
    is sorted as a copy. Neither changes the frame."""
    rng = np.random.default_rng(0)
    block = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"], copy=False)
    separate = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    for df in (block, separate):
        before = df.copy()
        prof = aimon.profile(df)
        pd.testing.assert_frame_equal(df, before)
        for name in df.columns:
            np.testing.assert_array_equal(prof[name].values, np.sort(before[name].to_numpy()))
