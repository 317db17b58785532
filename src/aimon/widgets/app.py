"""``df.aimon.explore()``: the explorer app, one tab per question."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


class _Tabs(Mapping):
    """Tab name -> explorer, each built the first time it is asked for (or its tab is selected)."""

    def __init__(self, app):
        self._app = app

    def __getitem__(self, name):
        self._app._build(name)
        if name in self._app.skipped_:
            raise KeyError(f"{name}: {self._app.skipped_[name]}")
        return self._app._built[name]

    def __iter__(self):
        return iter([n for n in self._app.names if n not in self._app.skipped_])

    def __len__(self):
        return len(list(iter(self)))


class Explorer:
    """Tabs of explorers over one log; ``.tabs`` maps a tab name to its explorer (each with ``.state``).

    Only the first tab is built when the app is shown; the others are built the first time they are
    selected (or asked for in ``.tabs``), so the first view does not wait for a threshold fit or a
    drift timeline. ``lazy=False`` builds every tab at once.
    """

    def __init__(self, df: pd.DataFrame, correlation=None, thresholds=None, drift=None, lazy=True):
        import ipywidgets as w

        from .correlation import CorrelationExplorer
        from .drift import DriftExplorer
        from .tuner import ThresholdTuner

        self._makers = {"Correlation": (CorrelationExplorer, correlation), "Thresholds": (ThresholdTuner, thresholds),
                        "Drift": (DriftExplorer, drift)}
        self._df = df
        self.names = list(self._makers)
        self._built: dict = {}
        self.skipped_: dict = {}
        self.tabs = _Tabs(self)
        self.widget = w.Tab(children=[w.HTML("<p>Select this tab to build it.</p>") for _ in self.names],
                            titles=tuple(self.names))
        self._build(self.names[0])
        self.widget.observe(self._selected, names="selected_index")
        if not lazy:
            self.build_all()

    @property
    def skipped(self) -> dict:
        """Tabs that cannot be built for this log, with the reason (builds the tabs not built yet)."""
        self.build_all()
        return dict(self.skipped_)

    def build_all(self) -> "Explorer":
        for name in self.names:
            self._build(name)
        return self

    def _selected(self, change):
        if change["new"] is not None:
            self._build(self.names[change["new"]])

    def _build(self, name):
        import html

        import ipywidgets as w

        from ..errors import AimonError

        if name in self._built or name in self.skipped_:
            return
        make, opts = self._makers[name]
        i = self.names.index(name)
        children, titles = list(self.widget.children), list(self.widget.titles)
        try:
            self._built[name] = make(self._df, **(opts or {}))
            children[i] = self._built[name].widget
        except AimonError as exc:   # e.g. no latency column, no reference period: say so in the app
            if name == self.names[0]:
                raise
            self.skipped_[name] = str(exc)
            children[i] = w.HTML(f"<pre>{html.escape(str(exc))}</pre>")
            titles[i] = f"{name} (unavailable)"
        self.widget.children = children
        self.widget.titles = tuple(titles)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def explore(df: pd.DataFrame, correlation=None, thresholds=None, drift=None, lazy=True) -> Explorer:
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
    lazy : bool, default True
        Build only the first tab now and each other tab when it is first selected (or asked for
        in ``.tabs``); ``False`` builds them all before returning.

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
    return Explorer(df, correlation=correlation, thresholds=thresholds, drift=drift, lazy=lazy)
