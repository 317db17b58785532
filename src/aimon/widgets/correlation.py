"""Correlation explorer: pick two metrics, a window, a segment and a lag range; see the overlay,
the scatter at the best lag and the correlation per lag, with the code that reproduces them."""
from __future__ import annotations

import pandas as pd

from ..analysis.correlate import _lags, correlate_source
from ..analysis.windowed import MetricSource, is_slice_column
from ..errors import AimonError, SchemaError
from ._render import LABEL

FREQS = ("5min", "15min", "1h", "6h", "1D")


class _Unset:
    """The value of the "(none)" / "(first)" options: ipywidgets 8 shows a Dropdown whose value is
    ``None`` as an empty box (no selection), so the view never gives a Dropdown ``None``."""

    def __repr__(self):
        return "UNSET"


UNSET = _Unset()
METHODS = ("pearson", "spearman")


class CorrelationState:
    """What the correlation explorer shows, computed from the log; no widgets here.

    Window tables are computed once per (window, segment column) and reused when the metrics,
    the lag range or the segment value change.
    """

    def __init__(self, df: pd.DataFrame, x="requests", y="latency_p95", freq="1h", max_lag=6, by=None,
                 segment=None, method="pearson"):
        self.df = df
        self._sources: dict = {}
        self._values = {}
        self.set(x=x, y=y, freq=freq, max_lag=max_lag, by=by, segment=segment, method=method)

    # -- options the view offers
    def metrics(self) -> list[str]:
        return self._source().available()

    def by_columns(self) -> list[str]:
        return [c for c in self.df.columns if is_slice_column(self.df[c])]

    def segments(self) -> list:
        by = self._values["by"]
        return [] if by is None else sorted(self.df[by].dropna().unique().tolist(), key=str)

    # -- state
    def settings(self) -> dict:
        return dict(self._values)

    def set(self, **changes) -> "CorrelationState":
        new = {**self._values, **changes}
        unknown = set(changes) - {"x", "y", "freq", "max_lag", "by", "segment", "method"}
        if unknown:
            raise AimonError(f"Unknown setting(s) {sorted(unknown)}.")
        if new["method"] not in METHODS:
            raise SchemaError([f"method={new['method']!r}: choose one of {METHODS}."])
        if not (isinstance(new["max_lag"], int) and 0 <= new["max_lag"] <= 200):
            raise SchemaError([f"max_lag={new['max_lag']!r}: give a whole number from 0 to 200."])
        if new["by"] is not None and new["by"] not in self.df.columns:
            raise SchemaError([f"by={new['by']!r} is not a column of the log."], self.df.columns)
        if changes.get("by", self._values.get("by")) != self._values.get("by") and "segment" not in changes:
            new["segment"] = None
        self._values = new
        return self

    def _source(self, by=None) -> MetricSource:
        key = (self._values["freq"], by)
        if key not in self._sources:
            self._sources[key] = MetricSource(self.df, self._values["freq"], by=by)
        return self._sources[key]

    def result(self):
        """The :class:`~aimon.analysis.correlate.Correlation` for the current settings."""
        v = self._values
        key = tuple(v.items())
        if getattr(self, "_result_key", None) != key:   # one computation per change of settings
            lags = _lags(range(-v["max_lag"], v["max_lag"] + 1))
            self._result = correlate_source(self._source(v["by"]), v["x"], v["y"], lags, v["method"])
            self._result_key = key
        return self._result

    def _shown_segment(self, res):
        seg = self._values["segment"]
        if res.by and seg is None and len(res.table):
            seg = res.table[res.by[0]].iloc[0]
        return seg

    def view_key(self, kind) -> tuple:
        """What a figure depends on: the view redraws a figure only when its key changes."""
        v = self._values
        base = (v["x"], v["y"], v["freq"], v["by"], v["segment"])
        if kind == "overlay":
            return base
        res = self.result()
        seg = self._shown_segment(res)
        best = res.best
        if res.by:
            best = best[best[res.by[0]] == seg]
        lag = int(best["lag"].iloc[0]) if len(best) else 0
        # the scatter shows the raw pairs at the best lag: the method matters only through that lag
        return base + ((lag,) if kind == "scatter" else (v["method"], v["max_lag"]))

    def figure(self, kind="lags"):
        """One figure of the view: ``"overlay"``, ``"scatter"`` (at the best lag) or ``"lags"``."""
        from ._render import subplots

        res = self.result()
        # margins come from one tight layout pass when the figure is shown (widgets._render.fit)
        fig, ax = subplots((11, 2.6) if kind == "overlay" else (5.4, 2.8))
        res.plot(kind=kind, ax=ax, segment=self._shown_segment(res))
        return fig

    def to_code(self) -> str:
        v = self._values
        by = "" if v["by"] is None else f", by={v['by']!r}"
        return (f"df.aimon.correlate({v['x']!r}, {v['y']!r}, freq={v['freq']!r}, "
                f"lags=range({-v['max_lag']}, {v['max_lag'] + 1}), method={v['method']!r}{by})")


def _shown(value):
    return UNSET if value is None else value


class CorrelationExplorer:
    """The view: dropdowns for the metrics, window, method and segment, a lag slider, the figures,
    the best-lag table and the code. ``.state`` holds everything; ``.widget`` is the VBox.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    **settings
        Initial settings of :class:`CorrelationState`: ``x``, ``y``, ``freq``, ``max_lag``, ``by``,
        ``segment``, ``method``.

    Examples
    --------
    >>> import aimon
    >>> view = aimon.widgets.CorrelationExplorer(aimon.datasets.load_credit_scoring(), max_lag=3)
    >>> view.max_lag.value = 2
    >>> view.state.to_code()
    "df.aimon.correlate('requests', 'latency_p95', freq='1h', lags=range(-2, 3), method='pearson')"
    """

    def __init__(self, df: pd.DataFrame, **settings):
        import ipywidgets as w

        self.state = CorrelationState(df, **settings)
        s = self.state.settings()
        names = self.state.metrics()
        self.x = w.Dropdown(options=names, value=s["x"], description="x")
        self.y = w.Dropdown(options=names, value=s["y"], description="y")
        self.freq = w.Dropdown(options=list(dict.fromkeys((*FREQS, s["freq"]))), value=s["freq"], description="window")
        self.method = w.ToggleButtons(options=list(METHODS), value=s["method"])
        self.max_lag = w.IntSlider(value=s["max_lag"], min=0, max=48, description="max lag")
        self.by = w.Dropdown(options=[("(none)", UNSET)] + [(str(c), c) for c in self.state.by_columns()],
                             value=_shown(s["by"]), description="segment by", style=LABEL)
        self.segment = w.Dropdown(options=self._segment_options(), value=_shown(s["segment"]), description="segment",
                                  style=LABEL)
        self.outputs = {kind: w.Output() for kind in ("overlay", "scatter", "lags")}
        self._drawn: dict = {}
        self.table_out = w.Output()
        self.code = w.HTML()
        controls = [self.x, self.y, self.freq, self.method, self.max_lag, self.by, self.segment]
        for c in controls:
            c.observe(self._changed, names="value")
        self.widget = w.VBox([w.HBox(controls[:3]), w.HBox(controls[3:5]), w.HBox(controls[5:]),
                              self.outputs["overlay"], w.HBox([self.outputs["scatter"], self.outputs["lags"]]),
                              self.table_out, self.code])
        self.render()

    def _segment_options(self):
        return [("(first)", UNSET)] + [(str(v), v) for v in self.state.segments()]

    def _changed(self, change):
        names = {self.x: "x", self.y: "y", self.freq: "freq", self.method: "method", self.max_lag: "max_lag",
                 self.by: "by", self.segment: "segment"}
        new = None if change["new"] is UNSET else change["new"]
        self.state.set(**{names[change["owner"]]: new})
        if change["owner"] is self.by:
            self.segment.unobserve(self._changed, names="value")
            self.segment.options = self._segment_options()
            self.segment.value = UNSET
            self.segment.observe(self._changed, names="value")
        self.render()

    def render(self):
        from ._render import error_output, figure_output, html_output, show

        import html as _html

        try:
            res = self.state.result()
            for kind, out in self.outputs.items():
                key = self.state.view_key(kind)
                if self._drawn.get(kind) != key:
                    show(out, figure_output(self.state.figure(kind)))
                    self._drawn[kind] = key
            show(self.table_out, html_output(res._repr_html_(), repr(res)))
        except AimonError as exc:
            show(self.outputs["overlay"], error_output(exc))
            for kind in ("scatter", "lags"):
                show(self.outputs[kind])
            self._drawn.clear()
            show(self.table_out)
        self.code.value = f"<pre>{_html.escape(self.state.to_code())}</pre>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
