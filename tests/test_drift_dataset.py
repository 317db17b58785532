"""On the bundled credit-scoring log, the daily drift timeline finds the injected input events on
the days they start and nothing else (ground truth: df.attrs["events"])."""
import numpy as np
import pandas as pd
import pytest

import aimon


@pytest.fixture(scope="module")
def timeline():
    df = aimon.datasets.load_credit_scoring()
    ref = df[df.index < df.attrs["reference_end"]]
    return df, df.aimon.drift_over_time(ref.aimon.profile(), freq="1D")


def _days(events, column):
    """Window starts (days) that overlap an event touching ``column``."""
    out = set()
    for ev in events.itertuples():
        if column in str(ev.columns).split(","):
            out |= set(pd.date_range(ev.start.floor("D"), (ev.end - pd.Timedelta(1, "ns")).floor("D"), freq="D"))
    return out


def test_input_events_flagged_on_their_first_day(timeline):
    df, tl = timeline
    events = df.attrs["events"]
    flagged = tl.table[tl.table["drifted"]]
    for kind in ("covariate_shift", "category_mix_change"):
        for ev in events[events.kind == kind].itertuples():
            for col in ev.columns.split(","):
                day = ev.start.floor("D")
                hit = flagged[(flagged.column == col) & (flagged.window == day)]
                assert len(hit) == 1 and hit.value_drifted.all(), (kind, col, day)


def test_missing_surge_counts_as_missing_drift_of_income(timeline):
    df, tl = timeline
    ev = df.attrs["events"].query("kind == 'missing_surge'").iloc[0]
    row = tl.table[(tl.table.column == "income") & (tl.table.window == ev.start.floor("D"))].iloc[0]
    assert row.missing_drifted and row.drifted and not row.value_drifted


def test_no_untouched_feature_is_ever_flagged_and_touched_ones_only_during_their_events(timeline):
    df, tl = timeline
    events = df.attrs["events"]
    features = aimon.infer_roles(df)["features"]
    assert "model_version" not in features  # the rollout changes a segment, not a model input
    assert set(tl.table.column) == set(features)
    for col in features:
        days = set(tl.table[(tl.table.column == col) & tl.table.drifted].window)
        assert days <= _days(events, col), (col, sorted(days - _days(events, col)))
    untouched = [c for c in features if not _days(events, c)]
    assert untouched and not tl.table[tl.table.column.isin(untouched)].drifted.any()


def test_demo_report_has_a_drift_section(tmp_path):
    from aimon.report import demo

    lines = []
    demo.run(out_dir=tmp_path, echo=lines.append)
    text = "\n".join(lines)
    assert "debt_ratio: distribution drift 03-10 .. 03-14  <- covariate_shift #3" in text
    assert "channel: distribution drift 03-17 .. 03-20  <- category_mix_change #6" in text
    assert "Input drift" in (tmp_path / "report.html").read_text()
