"""drift() on random frames a user might bring (issue 11, done-when): columns of every kind
(floats with NaN/inf, ints, booleans, strings, mixed objects, all-missing, constant, times), odd
names, tiny or empty samples. The answer is a DriftReport or an AimonError, never another
exception, and the inputs are left as they were."""
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import AimonError
from random_columns import column

KINDS = ["normal", "float_bad", "small_int", "bool", "str", "mixed", "missing", "constant", "time"]
NAMES = ["x", "amount", "<b>v</b>", "region", "y_hat", "p", "label", "feature 1", "ts2", "error"]


@st.composite
def frames(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    kinds = [draw(st.sampled_from(KINDS)) for _ in names]
    cur_kinds = list(kinds)
    if draw(st.booleans()):  # sometimes a column changes kind between the two periods
        i = draw(st.integers(0, len(names) - 1))
        cur_kinds[i] = draw(st.sampled_from(KINDS))
    n_ref, n_cur = draw(st.integers(0, 40)), draw(st.integers(0, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    ref = pd.DataFrame({n: column(k, n_ref, rng) for n, k in zip(names, kinds)})
    cur = pd.DataFrame({n: column(k, n_cur, rng) for n, k in zip(names, cur_kinds)})
    if draw(st.booleans()) and len(names) > 1:
        cur = cur.drop(columns=names[-1])
    return ref, cur, draw(st.sampled_from([None, "auto", "ks", "psi", "jensenshannon", "chi2"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_drift_of_any_frame_is_a_report_or_an_aimon_error(case):
    ref, cur, method = case
    ref0, cur0 = ref.copy(), cur.copy()
    kwargs = {} if method is None else {"method": method}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rep = aimon.drift(cur, ref, **kwargs)
        except AimonError:
            pass
        else:
            table = rep.table
            assert set(table["column"]) <= set(cur.columns) & set(ref.columns)
            assert table["drifted"].dtype == bool
    pd.testing.assert_frame_equal(ref, ref0)
    pd.testing.assert_frame_equal(cur, cur0)
