"""df.attrs['events'] must not break the pandas calls that combine frames."""
import copy

import pandas as pd
import pytest

import aimon
from aimon.events import EventTable


@pytest.fixture(scope="module")
def log():
    return aimon.datasets.simulate(days=2, rps=0.05, seed=3)


def test_events_is_an_event_table(log):
    assert isinstance(log.attrs["events"], EventTable)


def test_concat_merge_join_of_slices_work(log):
    a, b = log.iloc[:50], log.iloc[50:100]
    both = pd.concat([a, b])
    pd.testing.assert_frame_equal(both, log.iloc[:100])
    assert both.attrs["events"].equals(log.attrs["events"])
    assert pd.concat([a["latency_ms"], a["score"]], axis=1).shape == (50, 2)
    assert a.merge(a[["request_id"]], on="request_id").shape[0] == 50
    assert a[["score"]].join(a[["label"]]).shape == (50, 2)


def test_equality_between_tables_is_one_bool_and_elementwise_otherwise(log):
    ev = log.attrs["events"]
    assert (copy.deepcopy(ev) == ev) is True
    other = ev.copy()
    other.loc[other.index[0], "magnitude"] = -1.0
    assert (other == ev) is False and (other != ev) is True
    elementwise = ev[["magnitude"]] == ev["magnitude"].iloc[0]
    assert isinstance(elementwise, pd.DataFrame) and elementwise.shape == (len(ev), 1)
    assert bool(elementwise.iloc[0, 0])
    assert isinstance(ev[ev["kind"] == ev["kind"].iloc[0]], EventTable)
