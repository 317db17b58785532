"""aimon.join_labels against a plain pandas merge (tests/naive_quality.py::join_ref)."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import aimon
from aimon.errors import SchemaError
from naive_quality import join_ref

BASE = pd.Timestamp("2026-02-02")
TZS = [None, "UTC", "Europe/Paris"]


def run_join(pred, labels, **kwargs):
    """aimon.join_labels, checking that neither input frame (nor its attrs) changes."""
    before_p, before_l = copy.deepcopy(pred), copy.deepcopy(labels)
    out = aimon.join_labels(pred, labels, **kwargs)
    pd.testing.assert_frame_equal(pred, before_p)
    pd.testing.assert_frame_equal(labels, before_l)
    assert pred.attrs == before_p.attrs and labels.attrs == before_l.attrs
    return out


def same_values(got, want):
    """Element by element, NaT/NaN equal to each other (Timestamps: naive never equals aware)."""
    got = list(got)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (pd.isna(g) and pd.isna(w)) or (not pd.isna(g) and g == w), (got, want)


@st.composite
def join_case(draw):
    tz = draw(st.sampled_from(TZS))
    n = draw(st.integers(0, 15))
    keys = draw(st.permutations(list(range(100, 100 + n))))
    minutes = draw(st.lists(st.integers(0, 2 * 24 * 60), min_size=n, max_size=n))
    t = pd.DatetimeIndex(BASE + pd.to_timedelta(np.array(minutes, dtype=np.int64), unit="min"))
    t = t.tz_localize(tz) if tz else t
    in_index = draw(st.booleans())
    cols = {"request_id": keys, "score": [draw(st.sampled_from([0.1, 0.5, 0.9])) for _ in range(n)]}
    existing = draw(st.sampled_from(["none", "label", "label_and_time"]))
    if existing != "none":
        cols["label"] = [draw(st.sampled_from([0.0, 1.0, np.nan])) for _ in range(n)]
    if existing == "label_and_time":
        cols["label_time"] = pd.DatetimeIndex([pd.NaT if np.isnan(v) else ts + pd.Timedelta(hours=1)
                                               for v, ts in zip(cols["label"], t)], tz=tz, dtype=None)
    pred = pd.DataFrame(cols, index=t) if in_index else pd.DataFrame({"timestamp": t, **cols})
    pred.attrs = {"model": {"name": "m1"}}
    m = draw(st.integers(0, 20))
    lkeys = [draw(st.integers(95, 100 + n + 3)) for _ in range(m)]          # some unknown keys, repeats
    hours = draw(st.lists(st.integers(-2, 5 * 24), min_size=m, max_size=m))  # ties and early labels too
    lt = pd.DatetimeIndex(BASE + pd.to_timedelta(np.array(hours, dtype=np.int64), unit="h"))
    labels = pd.DataFrame({"request_id": lkeys, "label": [draw(st.sampled_from([0, 1])) for _ in range(m)],
                           "label_time": lt.tz_localize(tz) if tz else lt})
    as_of = draw(st.one_of(st.none(), st.integers(0, 5 * 24).map(lambda h: BASE + pd.Timedelta(hours=h))))
    if as_of is not None and tz:
        as_of = as_of.tz_localize(tz)
    max_delay = draw(st.sampled_from([None, "1h", "12h", pd.Timedelta(days=2)]))
    return pred, labels, None if in_index else "timestamp", as_of, max_delay


@settings(max_examples=60, deadline=None)
@given(join_case())
def test_join_labels_matches_pandas_merge(case):
    pred, labels, time, as_of, max_delay = case
    out = run_join(pred, labels, as_of=as_of, max_delay=max_delay)
    want, counts = join_ref(pred, labels, time=time, as_of=as_of, max_delay=max_delay)
    assert out.attrs["aimon_join"] == counts
    assert out.attrs["model"] == {"name": "m1"}
    assert_allclose(out["label"].to_numpy(dtype=np.float64), np.array(want["label"], dtype=np.float64))
    same_values(out["label_time"], want["label_time"])
    assert out["label_time"].dt.tz == labels["label_time"].dt.tz
    same_values(out["label_delay"], want["label_delay"])
    assert pd.api.types.is_timedelta64_dtype(out["label_delay"].dtype)
    # every other column and the index come through unchanged
    rest = [c for c in pred.columns if c not in ("label", "label_time")]
    pd.testing.assert_frame_equal(out[rest], pred[rest])


def test_latest_label_wins_and_delay_by_hand():
    p = pd.DataFrame({"request_id": [1, 2, 3], "score": [0.9, 0.2, 0.6]},
                     index=pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00", "2026-01-01 12:00"]))
    lab = pd.DataFrame({"request_id": [2, 2, 7, 1], "label": [1, 0, 1, 1],
                        "label_time": pd.to_datetime(["2026-01-03 11:00", "2026-01-02 11:00",
                                                      "2026-01-02 00:00", "2026-01-01 10:30"])})
    out = run_join(p, lab)
    assert out["label"].tolist()[:2] == [1, 1] and np.isnan(out["label"].iloc[2])
    assert out["label_delay"].tolist()[:2] == [pd.Timedelta("30min"), pd.Timedelta("2D")]
    assert out["label_delay"].isna().iloc[2]
    assert out.attrs["aimon_join"] == {"labels": 4, "duplicates": 1, "unmatched": 1, "matched": 2}


def test_last_row_wins_without_label_time():
    p = pd.DataFrame({"request_id": ["a", "b"], "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    lab = pd.DataFrame({"request_id": ["b", "a", "b"], "label": ["cat", "dog", "bird"]})
    out = run_join(p, lab)
    assert out["label"].tolist() == ["dog", "bird"]
    assert "label_delay" not in out.columns
    assert out.attrs["aimon_join"] == {"labels": 3, "duplicates": 1, "unmatched": 0, "matched": 2}


def test_existing_labels_and_times_kept_when_nothing_new_matches():
    t = pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00"]).tz_localize("UTC")
    p = pd.DataFrame({"request_id": [1, 2], "label": [1.0, np.nan],
                      "label_time": pd.to_datetime(["2026-01-01 12:00", None]).tz_localize("UTC")}, index=t)
    lab = pd.DataFrame({"request_id": [2, 1], "label": [0, 0],
                        "label_time": pd.to_datetime(["2026-01-01 13:00", "2026-01-09 00:00"]).tz_localize("UTC")})
    out = run_join(p, lab, max_delay="1D")   # the new label of 1 is too late: the old one stays
    assert out["label"].tolist() == [1.0, 0.0]
    assert out["label_time"].tolist() == list(pd.to_datetime(["2026-01-01 12:00", "2026-01-01 13:00"],
                                                             utc=True))
    assert out["label_delay"].tolist() == [pd.Timedelta("2h"), pd.Timedelta("2h")]
    assert out.attrs["aimon_join"]["too_late"] == 1 and out.attrs["aimon_join"]["matched"] == 1


def test_as_of_counts_labels_not_yet_arrived_naive_and_aware():
    for tz in (None, "Asia/Tokyo"):
        t = pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00"])
        lt = pd.to_datetime(["2026-01-01 12:00", "2026-01-05 00:00"])
        p = pd.DataFrame({"request_id": [1, 2]}, index=t.tz_localize(tz) if tz else t)
        lab = pd.DataFrame({"request_id": [1, 2], "label": [1, 0], "label_time": lt.tz_localize(tz) if tz else lt})
        out = run_join(p, lab, as_of="2026-01-02")  # a naive as_of is read in the labels' time zone
        assert out.attrs["aimon_join"]["not_arrived"] == 1 and out.attrs["aimon_join"]["matched"] == 1
        assert out["label"].iloc[0] == 1 and np.isnan(out["label"].iloc[1])
        assert out["label_delay"].iloc[0] == pd.Timedelta("2h")


def test_duplicate_timestamps_in_index():
    t = pd.to_datetime(["2026-01-01 10:00", "2026-01-01 10:00", "2026-01-01 09:00"])
    p = pd.DataFrame({"request_id": [1, 2, 3]}, index=t)
    lab = pd.DataFrame({"request_id": [3, 1], "label": [1, 0],
                        "label_time": pd.to_datetime(["2026-01-01 09:30", "2026-01-01 10:15"])})
    out = run_join(p, lab)
    assert out["label_delay"].tolist()[0] == pd.Timedelta("15min")
    assert out["label_delay"].isna().tolist()[1]
    assert out["label_delay"].tolist()[2] == pd.Timedelta("30min")


# ---------------------------------------------------------------- errors
P = pd.DataFrame({"request_id": [1, 2], "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"])})
L = pd.DataFrame({"request_id": [1], "label": [1], "label_time": pd.to_datetime(["2026-01-03"])})


def test_missing_key_column_names_it_and_the_keyword():
    with pytest.raises(SchemaError, match=r"'rid'.*on='") as err:
        aimon.join_labels(P, L, on="rid")
    assert "request_id" in str(err.value)   # lists what is there
    with pytest.raises(SchemaError, match=r"'request_id' is not in labels.*on='"):
        aimon.join_labels(P, L.rename(columns={"request_id": "id"}))


def test_non_unique_prediction_keys():
    with pytest.raises(SchemaError, match=r"'request_id' is not unique in predictions"):
        aimon.join_labels(P.assign(request_id=[1, 1]), L)


def test_missing_label_column():
    with pytest.raises(SchemaError, match=r"no 'y' column.*label='"):
        aimon.join_labels(P, L, label="y")


def test_as_of_or_max_delay_without_label_time():
    for kw in ({"as_of": "2026-01-02"}, {"max_delay": "1D"}):
        with pytest.raises(SchemaError, match=r"'label_time'.*label_time='"):
            aimon.join_labels(P, L.drop(columns="label_time"), **kw)


def test_time_zone_mismatch_and_missing_timestamp():
    with pytest.raises(SchemaError, match="time-zone"):
        aimon.join_labels(P, L.assign(label_time=L["label_time"].dt.tz_localize("UTC")))
    with pytest.raises(SchemaError, match="timestamp="):
        aimon.join_labels(P.drop(columns="timestamp"), L)


def test_not_a_dataframe():
    with pytest.raises(SchemaError, match="labels must be a DataFrame"):
        aimon.join_labels(P, [1, 2])


def test_duplicate_label_without_time_does_not_beat_a_timed_one():
    p = pd.DataFrame({"request_id": [1]}, index=pd.to_datetime(["2026-01-01 10:00"]))
    feed = pd.DataFrame({"request_id": [1, 1], "label": [1.0, 0.0],
                         "label_time": pd.to_datetime(["2026-01-02 10:00", None])})
    out = aimon.join_labels(p, feed)
    assert out["label"].iloc[0] == 1.0
    assert out["label_delay"].iloc[0] == pd.Timedelta("1D")
    assert out.attrs["aimon_join"]["duplicates"] == 1
