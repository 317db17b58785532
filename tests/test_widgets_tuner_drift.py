"""The threshold tuner and the drift explorer, driven headless against the plain functions."""
import json

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.errors import AimonError, SchemaError
from aimon.widgets.drift import DriftState
from aimon.widgets.tuner import TunerState


@pytest.fixture(scope="module")
def credit():
    return aimon.datasets.load_credit_scoring()


def test_tuner_sliders_rethreshold_the_fitted_model(credit):
    tuner = aimon.widgets.ThresholdTuner(credit, metric="latency_p95", freq="15min")
    series = aimon.ops(credit, "15min")["latency_p95"]
    model = aimon.fit_thresholds(series, method="mstl", direction="up")
    base = model.detect(series)
    for width, mind, cool in ((1.5, 2, 120), (0.7, 3, 60), (2.0, 1, 0)):
        tuner.width.value, tuner.min_duration.value, tuner.cooldown.value = width, mind, cool
        want = base.rethreshold(width=width, policy=aimon.AlertPolicy(min_duration=mind, cooldown=f"{cool}min"))
        got = tuner.state.alerts()
        pd.testing.assert_frame_equal(got.table, want.table)
        ev = aimon.evaluate_alerts(want, credit.attrs["events"], columns="latency_ms", offset="15min").iloc[0]
        s = tuner.state.summary()
        assert s["alerts"] == want.n_alerts and s["recall"] == pytest.approx(ev["recall"])
        assert f"{want.n_alerts} alerts" in tuner.summary_out.outputs[0]["data"]["text/plain"]
        # the latest paged episodes say why they fired and what was expected at the time
        paged = want.table[~want.table["suppressed"]].tail(5)
        eps = tuner.state.episodes()
        assert eps["reason"].tolist() == paged["reason"].tolist()
        assert eps["expected"].tolist() == paged["expected"].round(2).tolist()
        if len(paged):
            assert paged["reason"].iloc[-1] in tuner.summary_out.outputs[0]["data"]["text/html"]
    assert len(tuner.state._models) == 1                       # sliders never refit


def test_tuner_export_reproduces_the_model(credit):
    tuner = aimon.widgets.ThresholdTuner(credit, metric="error_rate", freq="15min", width=1.3, min_duration=3)
    tuner.show_export()
    shown = tuner.export_out.outputs[0]["data"]["text/html"]
    assert "fit_thresholds" in shown and "min_duration=3" in shown and "model JSON" in shown
    ns = {"df": credit}
    exec(tuner.state.to_code(), ns)
    pd.testing.assert_frame_equal(ns["alerts"].table, tuner.state.alerts().table)
    restored = aimon.ThresholdModel.from_json(tuner.state.to_json())
    assert restored.width == pytest.approx(1.3) and restored.policy.min_duration == 3
    assert json.loads(tuner.state.to_json())


def test_tuner_metric_change_picks_its_direction_and_bad_settings_are_refused(credit):
    tuner = aimon.widgets.ThresholdTuner(credit, metric="latency_p95", freq="1h")
    tuner.metric.value = "requests"
    assert tuner.state.settings()["direction"] == "down" and tuner.direction.value == "down"
    tuner.direction.value = "both"
    assert tuner.state.settings()["direction"] == "both"
    state = TunerState(credit, metric="latency_p95", freq="1h")
    with pytest.raises(AimonError, match="Unknown setting"):
        state.set(colour="red")
    with pytest.raises(SchemaError, match="method="):
        state.set(method="prophet")
    with pytest.raises(SchemaError, match="width="):
        state.set(width=0)
    assert state.settings()["method"] == "mstl"


def test_drift_explorer_window_slider_selects_the_worst_column(credit):
    view = aimon.widgets.DriftExplorer(credit)
    ref = credit[credit.index < credit.attrs["reference_end"]]
    cur = credit[credit.index >= credit.attrs["reference_end"]]
    timeline = aimon.drift_over_time(cur, aimon.profile(ref), freq="1D").table
    for k in (2, 10):
        view.window.value = k
        window = view.state.windows[k]
        part = timeline[timeline["window"] == window].assign(ratio=lambda d: d["statistic"] / d["threshold"])
        want = part.sort_values("ratio", ascending=False)["column"].iloc[0]
        assert view.state.settings() == {"window": k, "column": want}
        assert view.column.value == want
        np.testing.assert_allclose(view.state.worst()["statistic"].to_numpy(),
                                   part.sort_values("ratio", ascending=False)["statistic"].to_numpy()[:10])
        assert view.figure_out.outputs[0]["data"]["image/png"]
    view.column.value = "income"
    assert view.state.settings()["column"] == "income" and "columns=['income']" in view.state.to_code()
    rows = view.state.window_rows()
    assert len(rows) == int(((cur.index >= view.state.windows[10]) &
                             (cur.index < view.state.windows[10] + pd.Timedelta("1D"))).sum())


def test_drift_state_errors(credit):
    no_ref = credit.iloc[:500].copy()
    no_ref.attrs = {}
    with pytest.raises(SchemaError, match="needs a reference"):
        DriftState(no_ref)
    state = DriftState(credit, freq="1D")
    with pytest.raises(SchemaError, match="window="):
        state.set(window=999)
    with pytest.raises(SchemaError, match="column="):
        state.set(column="nope")


def test_explorer_has_three_tabs_and_says_why_one_is_missing(credit):
    app = aimon.explore(credit, thresholds={"freq": "1h"})
    assert list(app.tabs) == ["Correlation", "Thresholds", "Drift"] and not app.skipped
    no_ref = credit.iloc[:4000].copy()
    no_ref.attrs = {}
    app = aimon.explore(no_ref, thresholds={"freq": "1h"})
    assert "Drift" in app.skipped and "reference" in app.skipped["Drift"]
    assert app.widget.get_title(2) == "Drift (unavailable)"


def test_drift_explorer_code_runs_on_df_alone(credit):
    view = aimon.widgets.DriftExplorer(credit)
    view.window.value = 4
    ns = {"df": credit}
    code = view.state.to_code().replace("report.plot()", "")
    exec(code, ns)
    got = ns["report"].table.set_index("column")["statistic"]
    col = view.state.settings()["column"]
    want = view.state.worst().set_index("column").loc[col, "statistic"]
    assert got.loc[col] == pytest.approx(want, rel=1e-9)


def test_explorer_builds_only_the_first_tab_until_another_is_selected(credit):
    app = aimon.explore(credit, thresholds={"freq": "1h"})
    assert list(app._built) == ["Correlation"]                      # the first view waits for one tab
    assert list(app.tabs) == ["Correlation", "Thresholds", "Drift"]
    app.widget.selected_index = 2                                    # the browser selects "Drift"
    assert set(app._built) == {"Correlation", "Drift"}
    assert app.widget.children[2] is app._built["Drift"].widget
    assert app.widget.titles == ("Correlation", "Thresholds", "Drift")
    tuner = app.tabs["Thresholds"]                                   # asking for a tab builds it
    assert tuner.state.settings()["freq"] == "1h" and app.widget.children[1] is tuner.widget
    eager = aimon.explore(credit, thresholds={"freq": "1h"}, lazy=False)
    assert set(eager._built) == {"Correlation", "Thresholds", "Drift"}
