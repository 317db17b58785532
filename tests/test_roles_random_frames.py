"""ops(), quality() and drift() on random logs a stranger might bring (issue 11, done-when): a
timestamp of some kind (strings, epoch numbers, mixed zones, garbage) and columns whose names
suggest roles (latency, error, status, prediction, score, label, ...) holding values of any kind.
The answer is a table or an AimonError (which names what to fix), never another exception."""
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import AimonError
from random_columns import column

ROLE_NAMES = ["latency_ms", "duration", "latency_s", "error", "is_error", "http_status", "status_code",
              "prediction", "y_hat", "score", "p", "proba", "label", "y", "y_true", "input_tokens",
              "cost_usd", "model_version", "region", "x"]
VALUE_KINDS = ["unit", "float_bad", "int01", "int", "bool", "yesno", "str", "mixed", "missing", "negative",
               "status"]
TIME_KINDS = ["index", "iso", "iso_tz_mixed", "epoch", "garbage", "datetime"]


def _times(kind, n, rng):
    base = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 3 * 86400, size=n)), unit="s")
    if kind in ("index", "datetime"):
        return base
    if kind == "iso":
        return base.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    if kind == "iso_tz_mixed":
        s = base.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
        return np.array([v + ("+02:00" if i % 3 == 0 else "") for i, v in enumerate(s)], dtype=object)
    if kind == "epoch":
        return base.asi8 // 10 ** 9
    return np.array([["not a time", "2024-01-01 00:00", None][i % 3] for i in range(n)], dtype=object)


@st.composite
def logs(draw):
    n = draw(st.integers(0, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    names = draw(st.lists(st.sampled_from(ROLE_NAMES), min_size=1, max_size=6, unique=True))
    df = pd.DataFrame({name: column(draw(st.sampled_from(VALUE_KINDS)), n, rng) for name in names})
    tkind = draw(st.sampled_from(TIME_KINDS))
    times = _times(tkind, n, rng)
    if tkind == "index":
        df.index = pd.DatetimeIndex(times)
    else:
        df.insert(0, "ts", times)
    return df


def _answer(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = call()
        except AimonError:
            return None
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=logs(), freq=st.sampled_from(["1h", "1D"]))
def test_ops_quality_and_drift_answer_or_raise_an_aimon_error(df, freq):
    before = df.copy()
    out = _answer(lambda: aimon.ops(df, freq))
    if out is not None:
        assert isinstance(out, pd.DataFrame) and "requests" in out.columns
    out = _answer(lambda: aimon.quality(df, freq))
    if out is not None:
        assert isinstance(out, pd.DataFrame)
    half = len(df) // 2
    _answer(lambda: aimon.drift(df.iloc[half:], df.iloc[:half]))
    pd.testing.assert_frame_equal(df, before)
