"""``df.aimon.explore()``: the explorer app, one tab per question."""
from __future__ import annotations

import pandas as pd


class Explorer:
    """Tabs of explorers over one log; ``.tabs`` maps a tab name to its explorer (each with ``.state``)."""

    def __init__(self, df: pd.DataFrame, correlation=None):
        import ipywidgets as w

        from .correlation import CorrelationExplorer

        self.tabs = {"Correlation": CorrelationExplorer(df, **(correlation or {}))}
        self.widget = w.Tab(children=[t.widget for t in self.tabs.values()])
        for i, name in enumerate(self.tabs):
            self.widget.set_title(i, name)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def explore(df: pd.DataFrame, correlation=None) -> Explorer:
    """The explorer app for an inference log, in the notebook.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    correlation : dict, optional
        Initial settings of the correlation tab (``x``, ``y``, ``freq``, ``max_lag``, ``by``,
        ``segment``, ``method``).

    Returns
    -------
    Explorer
        Displays as a tab widget; ``.tabs["Correlation"].state`` holds the settings and results,
        ``.state.to_code()`` the call that reproduces the view.

    Examples
    --------
    >>> import aimon
    >>> app = aimon.datasets.load_credit_scoring().aimon.explore()
    >>> app.tabs["Correlation"].state.to_code()
    "df.aimon.correlate('requests', 'latency_p95', freq='1h', lags=range(-6, 7), method='pearson')"
    """
    return Explorer(df, correlation=correlation)
