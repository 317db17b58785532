"""``df.aimon.explore()``: the explorer app, one tab per question."""
from __future__ import annotations

import pandas as pd


class Explorer:
    """Tabs of explorers over one log; ``.tabs`` maps a tab name to its explorer (each with ``.state``)."""

    def __init__(self, df: pd.DataFrame, correlation=None, thresholds=None, drift=None):
        import ipywidgets as w

        from ..errors import AimonError
        from .correlation import CorrelationExplorer
        from .drift import DriftExplorer
        from .tuner import ThresholdTuner

        self.tabs = {"Correlation": CorrelationExplorer(df, **(correlation or {}))}
        self.skipped = {}
        for name, make, opts in (("Thresholds", ThresholdTuner, thresholds), ("Drift", DriftExplorer, drift)):
            try:
                self.tabs[name] = make(df, **(opts or {}))
            except AimonError as exc:   # e.g. no latency column, no reference period: say so in the app
                self.skipped[name] = str(exc)
        children = [t.widget for t in self.tabs.values()]
        titles = list(self.tabs)
        for name, why in self.skipped.items():
            children.append(w.HTML(f"<pre>{__import__('html').escape(why)}</pre>"))
            titles.append(f"{name} (unavailable)")
        self.widget = w.Tab(children=children)
        for i, name in enumerate(titles):
            self.widget.set_title(i, name)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def explore(df: pd.DataFrame, correlation=None, thresholds=None, drift=None) -> Explorer:
    """The explorer app for an inference log, in the notebook.

    Tabs: *Correlation* (two metrics, window, lags, segment), *Thresholds* (the threshold tuner:
    metric, method, direction, sensitivity, minimum duration, cooldown; precision and recall
    against ``df.attrs["events"]``; export) and *Drift* (window slider over the drift timeline
    against ``df.attrs["reference_end"]`` or the ``reference`` given in ``drift``). A tab that
    cannot be built for this log is shown with the reason.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    correlation, thresholds, drift : dict, optional
        Initial settings of each tab (keywords of :class:`~aimon.widgets.CorrelationExplorer`,
        :class:`~aimon.widgets.ThresholdTuner` and :class:`~aimon.widgets.DriftExplorer`).

    Returns
    -------
    Explorer
        Displays as a tab widget; ``.tabs[name].state`` holds each tab's settings and results,
        ``.state.to_code()`` the calls that reproduce the view.

    Examples
    --------
    >>> import aimon
    >>> app = aimon.datasets.load_credit_scoring().aimon.explore(thresholds={"freq": "15min"})
    >>> list(app.tabs)
    ['Correlation', 'Thresholds', 'Drift']
    >>> app.tabs["Correlation"].state.to_code()
    "df.aimon.correlate('requests', 'latency_p95', freq='1h', lags=range(-6, 7), method='pearson')"
    """
    return Explorer(df, correlation=correlation, thresholds=thresholds, drift=drift)
