"""The correlation explorer, driven headless: widget values change the state, figures and code."""
import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.widgets.correlation import CorrelationState
from aimon.errors import AimonError


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(0)
    t = pd.date_range("2026-01-01", periods=6000, freq="2min")
    load = np.repeat(rng.gamma(2.0, 1.0, 6000 // 30), 30)
    return pd.DataFrame({"latency_ms": 40 + 20 * load + rng.normal(0, 4, 6000), "error": rng.random(6000) < 0.03,
                         "model_version": np.where(np.arange(6000) % 4 == 0, "v2", "v1"),
                         "size_kb": rng.normal(5, 1, 6000)}, index=t)


def test_widget_values_drive_state_figures_and_code(df):
    app = aimon.explore(df, correlation={"x": "latency_mean", "y": "error_rate"})
    view = app.tabs["Correlation"]
    assert app.widget.get_title(0) == "Correlation"
    png = {k: o.outputs[0]["data"]["image/png"] for k, o in view.outputs.items()}
    assert all(len(v) > 1000 for v in png.values())
    view.max_lag.value = 3
    assert view.state.settings()["max_lag"] == 3
    assert view.outputs["overlay"].outputs[0]["data"]["image/png"] == png["overlay"]   # not redrawn
    assert view.outputs["lags"].outputs[0]["data"]["image/png"] != png["lags"]         # redrawn
    want = aimon.correlate(df, "latency_mean", "error_rate", freq="1h", lags=range(-3, 4))
    pd.testing.assert_frame_equal(view.state.result().table, want.table)
    assert view.state.to_code() == ("df.aimon.correlate('latency_mean', 'error_rate', freq='1h', "
                                    "lags=range(-3, 4), method='pearson')")
    assert "range(-3, 4)" in view.code.value
    view.by.value = "model_version"
    assert [o[0] for o in view.segment.options] == ["(first)", "v1", "v2"]
    assert view.segment.label == "(first)" and view.segment.index == 0   # shown, not an empty box
    assert view.state.settings()["segment"] is None
    view.segment.value = "v2"
    assert view.state.settings()["segment"] == "v2" and "by='model_version'" in view.state.to_code()
    code = view.state.to_code()
    got = eval(code, {"df": df})                                   # the exported code reproduces the view
    pd.testing.assert_frame_equal(got.table, view.state.result().table)
    view.freq.value = "15min"
    assert view.state.result().freq == "15min"
    view.method.value = "spearman"
    assert view.state.result().method == "spearman"


def test_errors_show_in_the_app_not_as_tracebacks(df):
    view = aimon.explore(df.assign(const=1.0), correlation={"x": "const", "y": "latency_mean"}).tabs["Correlation"]
    assert "does not vary" in view.table_out.outputs[0]["data"]["text/plain"]
    view.x.value = "size_kb"
    assert np.isfinite(view.state.result().table["r"]).all()


def test_state_validates_settings(df):
    s = CorrelationState(df, x="latency_mean", y="error_rate")
    with pytest.raises(AimonError, match="max_lag"):
        s.set(max_lag=-1)
    with pytest.raises(AimonError, match="method"):
        s.set(method="kendall")
    with pytest.raises(AimonError, match="Unknown setting"):
        s.set(colour="red")
    with pytest.raises(AimonError, match="by="):
        s.set(by="nope")
    assert s.settings()["max_lag"] == 6                              # a refused change changes nothing
    assert "latency_p95" in s.metrics() and "size_kb" in s.metrics()


def test_none_options_are_shown_not_blank(df):
    """ipywidgets 8 shows a Dropdown whose value is None as an empty box: "(none)" and "(first)" are
    selected options (index 0), before and after changes, and map to None in the state."""
    view = aimon.explore(df).tabs["Correlation"]
    for dd, label in ((view.by, "(none)"), (view.segment, "(first)")):
        assert dd.index == 0 and dd.label == label and dd.value is not None
    assert view.state.settings()["by"] is None and view.state.settings()["segment"] is None
    view.by.value = "model_version"
    view.by.index = 0                                               # back to "(none)"
    assert view.by.label == "(none)" and view.state.settings()["by"] is None
    assert view.segment.index == 0 and view.segment.label == "(first)"
    assert "by=" not in view.state.to_code()
