"""Threshold tuner: pick a metric, baseline method, direction, sensitivity, minimum duration and
cooldown; see the band, the alerts per day and, when the log has ground-truth events, precision
and recall; export the code and JSON that reproduce the tuned model.

The baseline is fitted once per (metric, window, method, direction) and the history is judged
walk-forward once; sensitivity and policy sliders only re-threshold the stored scores.
"""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from ..analysis.windowed import MetricSource
from ..errors import AimonError, SchemaError
from ._render import LABEL

METHODS = ("mstl", "stl", "holt_winters", "rolling_quantile")
DIRECTIONS = ("up", "down", "both")
YSCALES = ("robust", "full", "log")
DOWN_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "requests", "throughput_rps",
                "mean_confidence", "label_coverage")
# which events a metric should catch: the role whose column the events name
EVENT_ROLE = {"latency": "latency", "ttft": "ttft", "error": "error", "requests": None, "throughput": None}


def default_direction(metric: str) -> str:
    return "down" if metric in DOWN_METRICS else "up"


class TunerState:
    """Settings, fitted model, alert log and evaluation of the tuner (no widgets)."""

    SETTINGS = ("metric", "freq", "method", "direction", "width", "min_duration", "cooldown_minutes", "yscale")

    def __init__(self, df: pd.DataFrame, metric="latency_p95", freq="5min", method="mstl", direction=None,
                 width=1.0, min_duration=2, cooldown_minutes=24 * 60, events="attrs", yscale="robust"):
        self.df = df
        self.events = df.attrs.get("events") if isinstance(events, str) and events == "attrs" else events
        self._source = MetricSource(df, freq)
        self._models: dict = {}
        self._values: dict = {}
        self.set(metric=metric, freq=freq, method=method, direction=direction or default_direction(metric),
                 width=width, min_duration=min_duration, cooldown_minutes=cooldown_minutes, yscale=yscale)

    def metrics(self) -> list[str]:
        return [n for n in self._source.available() if n not in self.df.columns]

    def settings(self) -> dict:
        return dict(self._values)

    def set(self, **changes) -> "TunerState":
        unknown = set(changes) - set(self.SETTINGS)
        if unknown:
            raise AimonError(f"Unknown setting(s) {sorted(unknown)}; settings: {', '.join(self.SETTINGS)}.")
        new = {**self._values, **changes}
        if new["method"] not in METHODS:
            raise SchemaError([f"method={new['method']!r}: choose one of {METHODS}."])
        if new["direction"] not in DIRECTIONS:
            raise SchemaError([f"direction={new['direction']!r}: choose one of {DIRECTIONS}."])
        if new["yscale"] not in YSCALES:
            raise SchemaError([f"yscale={new['yscale']!r}: choose one of {YSCALES}."])
        if not (isinstance(new["width"], (int, float)) and new["width"] > 0):
            raise SchemaError([f"width={new['width']!r}: the sensitivity must be a positive number."])
        for k in ("min_duration", "cooldown_minutes"):
            if not (isinstance(new[k], int) and new[k] >= (1 if k == "min_duration" else 0)):
                raise SchemaError([f"{k}={new[k]!r}: give a whole number (>= 1 for min_duration, >= 0 for cooldown)."])
        if new["freq"] != self._values.get("freq"):
            self._source = MetricSource(self.df, new["freq"])
        self._values = new
        return self

    def series(self) -> pd.Series:
        v = self._values
        t = self._source.get(v["metric"])
        return t["value"].rename(v["metric"])

    def _policy(self):
        from ..thresholds.policy import AlertPolicy

        v = self._values
        return AlertPolicy(min_duration=v["min_duration"], cooldown=f"{v['cooldown_minutes']}min")

    def _fitted(self):
        """(model, walk-forward AlertLog of the whole history), computed once per key."""
        from ..thresholds.model import ThresholdModel

        v = self._values
        key = (v["metric"], v["freq"], v["method"], v["direction"])
        if key not in self._models:
            s = self.series()
            model = ThresholdModel(method=v["method"], direction=v["direction"]).fit(s)
            self._models[key] = (model, model.detect(s))
        return self._models[key]

    def model(self):
        """The tuned :class:`~aimon.ThresholdModel` (fitted; width and policy as set)."""
        model, _ = self._fitted()
        out = model.copy()
        out.set_params(width=float(self._values["width"]), policy=self._policy())
        return out

    def alerts(self):
        """The walk-forward AlertLog of the history at the current sensitivity and policy."""
        _, log = self._fitted()
        return log.rethreshold(width=float(self._values["width"]), policy=self._policy())

    def _event_columns(self):
        roles = self.df.aimon.roles
        prefix = self._values["metric"].split("_")[0]
        role = EVENT_ROLE.get(prefix, "label")
        col = roles.get(role) if role else None
        return col

    def evaluation(self) -> pd.DataFrame | None:
        """Precision, recall, F1, delay and false alerts per day against the log's events (if any)."""
        from ..thresholds.evaluate import evaluate_alerts

        if self.events is None or not len(self.events):
            return None
        col = self._event_columns()
        if col is None:
            return None
        ev = self.events
        if "columns" in ev.columns and not ev["columns"].astype(str).str.contains(str(col), regex=False).any():
            return None
        # windows are labelled by their start; an alert is known when its window ends
        return evaluate_alerts(self.alerts(), ev, columns=col if "columns" in ev.columns else None,
                               offset=pd.tseries.frequencies.to_offset(self._values["freq"]))

    def summary(self) -> dict:
        log = self.alerts()
        out = {"alerts": log.n_alerts, "alerts_per_day": log.n_alerts / max(log.days, 1e-9)}
        ev = self.evaluation()
        if ev is not None:
            row = ev.iloc[0]
            out.update(precision=float(row["precision"]), recall=float(row["recall"]), f1=float(row["f1"]),
                       false_alerts_per_day=float(row["false_alerts_per_day"]))
        return out

    def notes(self) -> list[str]:
        """Why a control may change nothing for this metric (said next to the controls)."""
        v = self._values
        model, log = self._fitted()
        out = []
        seas = model.seasonality_
        if v["method"] != "rolling_quantile" and len(seas) and not seas["chosen"].any():
            why = "; ".join(f"{c}: {r}" for c, r in zip(seas["candidate"], seas["reason"]))
            out.append(f"No daily or weekly cycle found in {v['metric']} ({why}): mstl, stl and holt_winters "
                       "reduce to the same level baseline and draw the same band.")
        if v["direction"] in ("down", "both") and getattr(model, "nonnegative_", False):
            lower = log.bands["lower"].to_numpy(dtype=float)
            finite = np.isfinite(lower)
            if finite.any() and np.mean(lower[finite] <= 0) >= 0.99:
                out.append(f"The lower band sits at 0 ({v['metric']} cannot be negative), so "
                           f"'{v['direction']}' finds nothing below the band"
                           + (" and alerts like 'up'." if v["direction"] == "both" else "."))
        return out

    def figure(self):
        """The band plot of the current settings, with the y range chosen by ``yscale``:
        ``robust`` (the bulk of the series and band; points beyond are marked at the edge),
        ``full`` or ``log``."""
        from ._render import subplots

        log = self.alerts()
        fig, ax = subplots((11, 3.4))
        log.plot(ax=ax)
        title = ax.get_title()
        ax.set_title("")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=5, frameon=False, fontsize="small",
                  borderaxespad=0.1)
        hidden = _apply_yscale(ax, log, self._values["yscale"])
        ax.set_title(title + (f"\n{hidden}" if hidden else ""), loc="left", fontsize=10)
        return fig

    def episodes(self, last=5) -> pd.DataFrame:
        """The last alert episodes that paged: when, why (reason) and value against expected."""
        t = self.alerts().table
        t = t.loc[~t["suppressed"].astype(bool).to_numpy(), ["fired", "reason", "value", "expected", "peak_score"]]
        return t.tail(last).round({"value": 2, "expected": 2, "peak_score": 2}).reset_index(drop=True)

    def to_code(self) -> str:
        v = self._values
        ops_table = self._source._table("ops")
        table = "ops" if ops_table is not None and v["metric"] in ops_table.columns else "quality"
        return "\n".join([
            "import aimon",
            f"table = df.aimon.{table}({v['freq']!r})",
            f"model = table[{v['metric']!r}].aimon.fit_thresholds(method={v['method']!r}, "
            f"direction={v['direction']!r}, width={float(v['width']):.4g},",
            f"    policy=aimon.AlertPolicy(min_duration={v['min_duration']}, cooldown='{v['cooldown_minutes']}min'))",
            f"alerts = model.detect(table[{v['metric']!r}])   # walk-forward over the history",
        ])

    def to_json(self) -> str:
        """The tuned model as JSON (``aimon.ThresholdModel.from_json`` restores it)."""
        return self.model().to_json()


def _apply_yscale(ax, log, yscale):
    """Set the y range; returns a note on the points left above it (or None)."""
    values = np.asarray(log.values, dtype=float)
    if yscale == "log":
        ax.set_yscale("log" if np.nanmin(values) > 0 else "symlog")
        return None
    if yscale != "robust":
        return None
    b = log.bands
    pool = np.concatenate([values, b["lower"].to_numpy(float), b["upper"].to_numpy(float)])
    pool = pool[np.isfinite(pool)]
    if not len(pool):
        return None
    lo, hi = np.quantile(pool, [0.002, 0.995])
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    lo, hi = lo - pad, hi + pad
    over = np.isfinite(values) & (values > hi)
    if not over.any():
        return None
    ax.set_ylim(lo, hi)
    from ..thresholds._plot import _date_numbers

    x = np.asarray(_date_numbers(log.index))
    ax.scatter(x[over], np.full(over.sum(), hi), marker="^", s=24, color="tab:red", zorder=4, clip_on=False)
    return f"{int(over.sum())} points above the range shown (max {np.nanmax(values):,.4g}; y range 'full' shows them)"


class ThresholdTuner:
    """The view of :class:`TunerState`: controls, the band plot, the alert summary, export.

    Parameters
    ----------
    df : DataFrame
        Inference log; ``df.attrs["events"]``, when present, gives precision and recall.
    metric : str
        An :func:`aimon.ops` or :func:`aimon.quality` metric.
    freq : str
        Window length of the metric.
    **settings
        ``method``, ``direction``, ``width``, ``min_duration``, ``cooldown_minutes``, ``events``
        of :class:`TunerState`.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> tuner = aimon.widgets.ThresholdTuner(df, metric="latency_p95", freq="15min")
    >>> tuner.width.value = 2.0
    >>> tuner.state.settings()["width"]
    2.0
    """

    def __init__(self, df: pd.DataFrame, metric="latency_p95", freq="5min", **settings):
        import ipywidgets as w

        self.state = TunerState(df, metric=metric, freq=freq, **settings)
        s = self.state.settings()
        self.metric = w.Dropdown(options=self.state.metrics(), value=s["metric"], description="metric")
        self.method = w.Dropdown(options=list(METHODS), value=s["method"], description="method")
        self.direction = w.ToggleButtons(options=list(DIRECTIONS), value=s["direction"])
        self.width = w.FloatLogSlider(value=s["width"], base=2, min=-2, max=3, step=0.05, description="width")
        self.min_duration = w.IntSlider(value=s["min_duration"], min=1, max=24, description="min points",
                                        style=LABEL)
        self.cooldown = w.IntSlider(value=s["cooldown_minutes"], min=0, max=24 * 60, step=15,
                                    description="cooldown (min)", style=LABEL)
        self.yscale = w.ToggleButtons(options=list(YSCALES), value=s["yscale"], tooltips=[
            "the bulk of the series and band; larger points marked at the top edge", "every point", "log scale"])
        self.export = w.Button(description="export", icon="download")
        self.figure_out, self.summary_out, self.export_out = w.Output(), w.Output(), w.Output()
        self.notes = w.HTML()
        self._names = {self.metric: "metric", self.method: "method", self.direction: "direction",
                       self.width: "width", self.min_duration: "min_duration", self.cooldown: "cooldown_minutes",
                       self.yscale: "yscale"}
        for c in self._names:
            c.observe(self._changed, names="value")
        self.export.on_click(lambda _: self.show_export())
        self.widget = w.VBox([w.HBox([self.metric, self.method, self.direction]),
                              w.HBox([self.width, self.min_duration, self.cooldown, self.export]),
                              w.HBox([w.Label("y range"), self.yscale]), self.notes,
                              self.figure_out, self.summary_out, self.export_out])
        self.render()

    def _changed(self, change):
        name = self._names[change["owner"]]
        if name == "metric":  # a new metric gets its natural direction
            self.direction.unobserve(self._changed, names="value")
            self.direction.value = default_direction(change["new"])
            self.direction.observe(self._changed, names="value")
            self.state.set(metric=change["new"], direction=self.direction.value)
        else:
            self.state.set(**{name: change["new"]})
        self.render()

    def render(self):
        from ._render import error_output, figure_output, html_output, show

        try:
            show(self.figure_out, figure_output(self.state.figure()))
            notes = self.state.notes()
            self.notes.value = "".join(f"<p style='color:#8a5a00;margin:2px 0'>Note: {html.escape(n)}</p>"
                                       for n in notes)
            s = self.state.summary()
            text = f"{s['alerts']} alerts, {s['alerts_per_day']:.2f} per day"
            if "recall" in s:
                text += (f"; against the log's events: precision {s['precision']:.2f}, recall {s['recall']:.2f}, "
                         f"F1 {s['f1']:.2f}, false alerts per day {s['false_alerts_per_day']:.2f}")
            eps = self.state.episodes()
            table = eps.to_html(escape=True, index=False) if len(eps) else ""   # why each alert fired
            show(self.summary_out, html_output(f"<p>{html.escape(text)}</p>{table}",
                                               text + ("\n" + eps.to_string(index=False) if len(eps) else "")))
        except AimonError as exc:
            show(self.figure_out, error_output(exc))
            show(self.summary_out)
            self.notes.value = ""

    def show_export(self):
        from ._render import html_output, show

        code = self.state.to_code()
        doc = json.dumps(json.loads(self.state.to_json()), indent=1)
        frag = (f"<p>Code that reproduces this model:</p><pre>{html.escape(code)}</pre>"
                f"<details><summary>model JSON ({len(doc):,} characters)</summary><pre>{html.escape(doc)}</pre></details>")
        show(self.export_out, html_output(frag, code))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
