"""Drift explorer: a window slider over the drift timeline, the worst columns of that window and
the reference-vs-current distribution of the selected column.

The reference is profiled once and the whole timeline computed once; moving the slider only
selects rows and draws one distribution.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..errors import AimonError, SchemaError
from ..roles import infer_roles


class DriftState:
    """Timeline, selected window and column of the drift explorer (no widgets)."""

    def __init__(self, df: pd.DataFrame, reference=None, freq="1D", columns=None, window=None, column=None):
        from ..analysis.segments import _split
        from ..datadrift.profile import Profile, profile
        from ..datadrift.timeline import drift_over_time

        if reference is None:
            reference = df.attrs.get("reference_end")
            if reference is None:
                raise SchemaError(["The drift explorer needs a reference: a frame, a Profile, or a timestamp "
                                   "that splits the log (df.attrs['reference_end'] is not set)."])
        self._reference = reference
        if isinstance(reference, Profile):
            self.current, self.profile = df, reference
        else:
            self.current, ref, _ = _split(df, reference, {})
            self.profile = profile(ref, columns=columns)
        self.freq, self.columns = freq, columns
        self.timeline = drift_over_time(self.current, self.profile, freq=freq, columns=columns)
        t = self.timeline.table
        self.windows = pd.DatetimeIndex(sorted(t["window"].unique()))
        self._values = {}
        self.set(window=window if window is not None else self._worst_window(), column=column)

    def _worst_window(self) -> int:
        t = self.timeline.table.assign(ratio=lambda d: d["statistic"] / d["threshold"])
        per = t.groupby("window")["ratio"].max()
        return int(self.windows.get_loc(per.idxmax())) if per.notna().any() else 0

    def settings(self) -> dict:
        return dict(self._values)

    def set(self, window=None, column=None) -> "DriftState":
        k = self._values.get("window", 0) if window is None else window
        if not (isinstance(k, (int, np.integer)) and 0 <= k < len(self.windows)):
            raise SchemaError([f"window={k!r}: give a window number from 0 to {len(self.windows) - 1}."])
        cols = list(dict.fromkeys(self.timeline.table["column"]))
        col = column if column is not None else (self._values.get("column") if window is None else None)
        if col is None:
            col = self.worst(int(k))["column"].iloc[0]
        if col not in cols:
            raise SchemaError([f"column={col!r} is not in the timeline; columns: {cols}."])
        self._values = {"window": int(k), "column": col}
        return self

    def worst(self, k=None, n=10) -> pd.DataFrame:
        """The columns of window ``k`` (default: the selected one), worst first (statistic / threshold)."""
        k = self._values["window"] if k is None else k
        t = self.timeline.table
        part = t[t["window"] == self.windows[k]].copy()
        part["ratio"] = part["statistic"] / part["threshold"]
        part = part.sort_values("ratio", ascending=False, na_position="last")
        return part[["column", "kind", "method", "statistic", "threshold", "ratio", "drifted", "n_cur", "note"]].head(n)

    def window_rows(self) -> pd.DataFrame:
        k = self._values["window"]
        r = infer_roles(self.current)
        times = self.current.index if r["timestamp"] == "<index>" else pd.DatetimeIndex(self.current[r["timestamp"]])
        lo = self.windows[k]
        hi = self.windows[k + 1] if k + 1 < len(self.windows) else lo + pd.tseries.frequencies.to_offset(self.freq)
        return self.current[np.asarray((times >= lo) & (times < hi))]

    def report(self):
        """The drift report of the selected window for the selected column."""
        from ..datadrift.report import drift

        return drift(self.window_rows(), self.profile, columns=[self._values["column"]])

    def heatmap_figure(self):
        """The window x column heatmap of the whole timeline."""
        from ._render import subplots

        fig, ax = subplots((11, 0.32 * max(3, len(set(self.timeline.table["column"]))) + 1.4))
        self.timeline.plot(ax=ax)
        return fig

    def figure(self):
        from ._render import subplots

        fig, ax = subplots((7, 3.2))
        rows = self.window_rows()
        if len(rows):
            self.report().plot(ax=ax, columns=[self._values["column"]])
        ax.set_title(f"{self._values['column']}: window {self.windows[self._values['window']]:%Y-%m-%d %H:%M}",
                     fontsize=10)
        return fig

    def to_code(self) -> str:
        """Code that reproduces the selected view from ``df`` (the log given to the explorer)."""
        from ..datadrift.profile import Profile

        w, ref = self.windows[self._values["window"]], self._reference
        cols = "" if self.columns is None else f"columns={list(self.columns)!r}"
        lines = ["import pandas as pd"]
        if isinstance(ref, Profile):
            lines += ["# profile: the Profile given to the explorer", "current = df"]
        elif isinstance(ref, pd.DataFrame):
            lines += ["# reference: the frame given to the explorer", "current = df",
                      f"profile = reference.aimon.profile({cols})"]
        else:
            at = str(pd.Timestamp(ref))
            lines += [f"reference = df[df.index < {at!r}]", f"current = df[df.index >= {at!r}]",
                      f"profile = reference.aimon.profile({cols})"]
        start = f"pd.Timestamp({str(w)!r})"
        return "\n".join(lines + [
            f"timeline = current.aimon.drift_over_time(profile, freq={self.freq!r})",
            f"window = current[(current.index >= {start}) & "
            f"(current.index < {start} + pd.tseries.frequencies.to_offset({self.freq!r}))]",
            f"report = window.aimon.drift(profile, columns=[{self._values['column']!r}])",
            "report.plot()",
        ])


class DriftExplorer:
    """The view of :class:`DriftState`: a window slider, the worst columns, a column picker and
    the distribution overlay.

    Parameters
    ----------
    df : DataFrame
        Inference log (or its current part when ``reference`` is a frame or a Profile).
    reference : DataFrame, Profile or timestamp, optional
        Default: ``df.attrs["reference_end"]`` splits the log.
    freq : str
        Window length of the timeline.
    **settings
        ``columns``, ``window`` (a window number) and ``column`` of :class:`DriftState`.

    Examples
    --------
    >>> import aimon
    >>> view = aimon.widgets.DriftExplorer(aimon.datasets.load_credit_scoring())
    >>> view.window.value = 3
    >>> view.state.settings()
    {'window': 3, 'column': 'loan_amount'}
    """

    def __init__(self, df: pd.DataFrame, reference=None, freq="1D", **settings):
        import ipywidgets as w

        self.state = DriftState(df, reference=reference, freq=freq, **settings)
        s = self.state.settings()
        self.window = w.IntSlider(value=s["window"], min=0, max=max(len(self.state.windows) - 1, 0),
                                  description="window", continuous_update=False)
        cols = list(dict.fromkeys(self.state.timeline.table["column"]))
        self.column = w.Dropdown(options=cols, value=s["column"], description="column")
        self.heatmap_out, self.table_out, self.figure_out = w.Output(), w.Output(), w.Output()
        self.label = w.HTML()
        self.code = w.HTML()
        self.window.observe(self._window_changed, names="value")
        self.column.observe(self._column_changed, names="value")
        # the distribution below the table, at its own size (beside it, it was scaled down to fit)
        self.widget = w.VBox([self.heatmap_out, w.HBox([self.window, self.label]), self.column,
                              self.figure_out, self.table_out, self.code])
        self._draw_heatmap()
        self.render()

    def _draw_heatmap(self):
        from ._render import figure_output, show

        show(self.heatmap_out, figure_output(self.state.heatmap_figure()))

    def _window_changed(self, change):
        self.state.set(window=change["new"])
        self.column.unobserve(self._column_changed, names="value")
        self.column.value = self.state.settings()["column"]     # the worst column of the new window
        self.column.observe(self._column_changed, names="value")
        self.render()

    def _column_changed(self, change):
        self.state.set(column=change["new"])
        self.render()

    def render(self):
        from ._render import error_output, figure_output, html_output, show

        s = self.state.settings()
        self.label.value = html.escape(f"{self.state.windows[s['window']]:%Y-%m-%d %H:%M} ({self.state.freq})")
        try:
            worst = self.state.worst()
            show(self.table_out, html_output(worst.to_html(escape=True, index=False, float_format="{:.3g}".format,
                                                            border=0), worst.to_string(index=False)))
            show(self.figure_out, figure_output(self.state.figure()))
        except AimonError as exc:
            show(self.figure_out, error_output(exc))
        self.code.value = f"<pre>{html.escape(self.state.to_code())}</pre>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
