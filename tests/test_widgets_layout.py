"""What a person sees in the widgets: every label, tick and legend inside the canvas (matplotlib's
tight bounding box against the figure), readable font sizes, controls whose labels are not cut, a
y range that a single spike does not flatten, and a note when a control changes nothing."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.widgets._render import fit
from aimon.widgets.drift import DriftState
from aimon.widgets.tuner import ThresholdTuner, TunerState

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def df():
    return aimon.datasets.load_credit_scoring()


def _inside(fig, tol=0.02):
    import matplotlib.pyplot as plt

    fit(fig)
    bb = fig.get_tightbbox(fig.canvas.get_renderer())
    w, h = fig.get_size_inches()
    plt.close(fig)
    return bb.x0 >= -tol and bb.y0 >= -tol and bb.x1 <= w + tol and bb.y1 <= h + tol, (bb.bounds, (w, h))


def _min_font(fig):
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    return min(t.get_fontsize() for t in texts)


@pytest.mark.parametrize("y", ["latency_p95", "error_rate"])      # error_rate: wide tick labels
def test_correlation_figures_inside_the_canvas(df, y):
    state = aimon.widgets.CorrelationExplorer(df, x="requests", y=y).state
    for kind in ("overlay", "scatter", "lags"):
        ok, where = _inside(state.figure(kind))
        assert ok, (kind, where)


@pytest.mark.parametrize("yscale", ["robust", "full", "log"])
def test_tuner_figure_inside_the_canvas_with_every_y_range(df, yscale):
    state = TunerState(df, metric="latency_p95", freq="15min", yscale=yscale)
    ok, where = _inside(state.figure())
    assert ok, where


def test_drift_figures_inside_the_canvas_and_readable(df):
    state = DriftState(df)
    for fig in (state.heatmap_figure(), state.figure()):
        assert _min_font(fig) >= 8
        ok, where = _inside(fig)
        assert ok, where


def test_robust_y_range_keeps_the_band_visible_under_one_spike():
    t = pd.date_range("2026-01-01", periods=4 * 24 * 21, freq="15min")
    rng = np.random.default_rng(1)
    v = 100 + 10 * np.sin(2 * np.pi * np.arange(t.size) / 96) + rng.normal(0, 2, t.size)
    v[1500] = 3100.0                                               # one very slow window
    from aimon.thresholds.model import ThresholdModel

    s = pd.Series(v, index=t, name="latency_p95")
    log = ThresholdModel(direction="up").fit(s).detect(s)
    import matplotlib.pyplot as plt

    from aimon.widgets.tuner import _apply_yscale

    fig, ax = plt.subplots()
    log.plot(ax=ax)
    note = _apply_yscale(ax, log, "robust")
    lo, hi = ax.get_ylim()
    assert hi < 300 and "1 points above" in note and "3,100" in note   # the band is not flattened
    _apply_yscale(ax, log, "log")
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_control_labels_are_not_cut(df):
    view = ThresholdTuner(df, metric="latency_p95", freq="15min")
    assert view.cooldown.style.description_width == "initial" and "cooldown" in view.cooldown.description


def test_a_control_that_changes_nothing_says_why(df):
    view = ThresholdTuner(df, metric="latency_p99", freq="15min")
    before = view.figure_out.outputs[0]["data"]["image/png"]
    view.method.value = "holt_winters"
    assert "No daily or weekly cycle" in view.notes.value and "same band" in view.notes.value
    assert view.figure_out.outputs[0]["data"]["image/png"] == before   # it did change nothing
    view.metric.value = "error_rate"
    view.direction.value = "both"
    assert "lower band sits at 0" in view.notes.value
    view.metric.value = "requests"                                    # has a daily cycle: no note
    assert "No daily" not in view.notes.value
