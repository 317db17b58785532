"""The main job: monitor a bundled inference log, print a summary, write an HTML report.

``aimon demo`` (or ``python -m aimon demo``) runs :func:`run`. Each section of the report is a
function ``(context, report) -> list of summary lines`` in :data:`SECTIONS`; later capabilities
(drift, thresholds, diagnosis) add theirs to that list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .html import Report


@dataclass
class Context:
    """What every section may use: the log, its name, its ground-truth events, cached tables."""

    df: pd.DataFrame
    name: str
    events: pd.DataFrame | None
    tables: dict = field(default_factory=dict)

    def ops(self, freq):
        from ..metrics.ops import ops

        return self.cached(("ops", freq), lambda: ops(self.df, freq))

    def quality(self, freq):
        from ..metrics.quality import quality

        return self.cached(("quality", freq), lambda: quality(self.df, freq))

    def cached(self, key, make):
        """The table ``make()`` computed once per key (sections share their tables)."""
        if key not in self.tables:
            import warnings

            from ..errors import DataDroppedWarning

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataDroppedWarning)
                self.tables[key] = make()
        return self.tables[key]


def matching_event(events, when, slack=pd.Timedelta("10min"), kinds=None) -> str:
    """'kind #id' of the ground-truth event whose span contains ``when`` (with slack), else ''."""
    if events is None or len(events) == 0:
        return ""
    hit = events[(events["start"] - slack <= when) & (when <= events["end"] + slack)]
    if kinds is not None:
        hit = hit[hit["kind"].isin(kinds)]
    return "" if hit.empty else ", ".join(f"{k} #{i}" for k, i in zip(hit["kind"], hit["event_id"]))


WINDOW = "15min"   # windows of the worst-window search and the latency plot
MIN_REQUESTS = 20  # a window's p95 or error rate is only ranked with at least this many requests


def worst_windows(table, column, n=5, min_requests=MIN_REQUESTS, separation=pd.Timedelta("2h"), largest=True):
    """The ``n`` worst windows by ``column``, at most one per ``separation`` (one per incident)."""
    t = table[table["requests"] >= min_requests].dropna(subset=[column])
    t = t.sort_values(column, ascending=not largest, kind="stable")
    picked = []
    for when in t.index:
        if all(abs(when - p) >= separation for p in picked):
            picked.append(when)
        if len(picked) == n:
            break
    return t.loc[picked]


def _fmt_time(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


def overview_section(ctx: Context, report: Report) -> list[str]:
    df = ctx.df
    daily = ctx.ops("1D")
    start, end = daily.index[0], daily.index[-1]
    lines = [f"{len(df):,} requests from {start:%Y-%m-%d} to {end:%Y-%m-%d} ({len(daily)} days)."]
    lat_col = df.aimon.roles.get("latency")
    if lat_col is not None:
        lat = pd.to_numeric(df[lat_col], errors="coerce")
        lines.append(f"Latency p50 {np.nanpercentile(lat, 50):.0f} ms, p95 {np.nanpercentile(lat, 95):.0f} ms, "
                     f"p99 {np.nanpercentile(lat, 99):.0f} ms.")
    if "error_rate" in daily:
        lines.append(f"Error rate {daily['errors'].sum() / daily['requests'].sum():.2%}.")
    sec = report.section("Overview")
    for line in lines:
        sec.text(line)
    sec.table(df.aimon.roles.table.dropna(subset=["column"]), max_rows=40)
    if ctx.events is not None and len(ctx.events):
        ev = ctx.events.copy()
        ev["start"] = ev["start"].dt.strftime("%Y-%m-%d %H:%M")
        ev["end"] = ev["end"].dt.strftime("%Y-%m-%d %H:%M")
        sec.text("Ground-truth events injected into this log (what monitoring should find):")
        sec.table(ev, max_rows=50)
    return lines


def ops_section(ctx: Context, report: Report) -> list[str]:
    import matplotlib.pyplot as plt

    from ..plotting import plot_metric

    t5 = ctx.ops(WINDOW)
    hourly = ctx.ops("1h")
    sec = report.section("Operations: traffic, errors, latency")
    fig, axes = plt.subplots(3, 1, figsize=(11, 7), sharex=True, layout="constrained")
    plot_metric(hourly, ["throughput_rps"], ax=axes[0], title="Throughput (req/s, hourly)")
    cols = [c for c in ("latency_p50", "latency_p95") if c in t5]
    if cols:
        plot_metric(t5, cols, ax=axes[1], events=ctx.events,
                    event_kinds=["latency_spike", "latency_degradation"], title=f"Latency (ms, {WINDOW} windows)")
    if "error_rate" in t5:
        plot_metric(t5, ["error_rate"], ax=axes[2], events=ctx.events, event_kinds=["error_burst"],
                    title=f"Error rate ({WINDOW} windows)")
    sec.figure(fig, alt="throughput, latency and error rate over time")
    lines = []
    for column, label, kinds in (("latency_p95", "latency p95", ["latency_spike", "latency_degradation"]),
                                 ("error_rate", "error rate", ["error_burst"])):
        if column not in t5:
            continue
        worst = worst_windows(t5, column)
        typical = t5.loc[t5["requests"] >= MIN_REQUESTS, column].median()
        lines.append(f"Worst {WINDOW} windows by {label} (median window: {_fmt(column, typical)}):")
        rows = []
        for when, value in worst[column].items():
            ev = matching_event(ctx.events, when, kinds=kinds)
            times = f"{value / typical:5.1f}x" if typical else ""
            lines.append(f"  {_fmt_time(when)}  {_fmt(column, value):>9}  {times}" + (f"  <- {ev}" if ev else ""))
            rows.append({"window": _fmt_time(when), label: value, "requests": int(worst.loc[when, "requests"]),
                         "ground truth": ev})
        sec.text(f"Worst {WINDOW} windows by {label} (at least {MIN_REQUESTS} requests):").table(pd.DataFrame(rows))
    sec.text("Hourly operational metrics (first rows):").table(hourly.reset_index(), max_rows=12)
    return lines


def _fmt(column, value) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.1%}" if "rate" in column else f"{value:,.0f} ms"


def quality_section(ctx: Context, report: Report) -> list[str]:
    import matplotlib.pyplot as plt

    from ..plotting import plot_metric

    roles = ctx.df.aimon.roles
    if roles.get("label") is None:
        return []
    q = ctx.quality("1D")
    sec = report.section("Model quality (daily, labelled rows only)")
    metrics = [c for c in ("accuracy", "f1", "roc_auc") if c in q]
    fig, axes = plt.subplots(2, 1, figsize=(11, 5), sharex=True, layout="constrained")
    plot_metric(q, metrics, ax=axes[0], events=ctx.events, event_kinds=["concept_drift"], title="Quality per day",
                centre=True)
    extra = [c for c in ("ece", "label_coverage", "low_confidence_share") if c in q]
    plot_metric(q, extra, ax=axes[1], title="Calibration error, label coverage, low-confidence share", centre=True)
    sec.figure(fig, alt="daily quality metrics")
    lines = []
    key = "roc_auc" if "roc_auc" in q else "accuracy"
    labelled = q[q["labelled"] >= 50]
    if len(labelled):
        base = labelled[key].iloc[: max(1, min(7, len(labelled) // 3))].mean()
        worst = labelled.nsmallest(3, key)
        lines.append(f"Lowest daily {key} (first week: {base:.3f}):")
        for when, value in worst[key].items():
            ev = matching_event(ctx.events, when + pd.Timedelta("12h"), slack=pd.Timedelta("12h"),
                                kinds=["concept_drift", "covariate_shift", "rollout"])
            lines.append(f"  {when:%Y-%m-%d}  {key} {value:.3f}" + (f"  <- {ev}" if ev else ""))
    cov = q["labelled"].sum() / max(q["requests"].sum(), 1)
    lines.append(f"Labels have arrived for {cov:.1%} of requests; the last day has "
                 f"{q['label_coverage'].iloc[-1]:.1%} (labels arrive late).")
    for line in lines:
        sec.text(line)
    sec.table(q.reset_index(), max_rows=40)
    return lines


def llm_section(ctx: Context, report: Report) -> list[str]:
    """Time to first token, tokens, cost, fallback, hallucination and feedback, per model."""
    import matplotlib.pyplot as plt

    from ..metrics.quality import quality
    from ..plotting import plot_metric

    roles = ctx.df.aimon.roles
    llm_roles = ("ttft", "output_tokens", "cost", "hallucination", "feedback")
    if all(roles.get(k) is None for k in llm_roles):
        return []
    daily = ctx.ops("1D")
    by = roles.get("segment")
    q = ctx.cached(("quality-by", by), lambda: quality(ctx.df, "1D", by=by))
    sec = report.section("LLM assistant: time to first token, usage, cost and answer quality")
    lines = []
    if "ttft_p95" in daily:
        lines.append(f"TTFT p95 per day: median {daily['ttft_p95'].median():,.0f} ms, worst "
                     f"{daily['ttft_p95'].max():,.0f} ms on {daily['ttft_p95'].idxmax():%Y-%m-%d}.")
    if "cost" in daily:
        lines.append(f"Cost: {daily['cost'].sum():,.2f} USD in total, "
                     f"{daily['cost'].sum() / max(daily['requests'].sum(), 1) * 1000:.2f} USD per 1,000 requests.")
    if "hallucination_rate" in q and by is not None:
        graded = q[q["evaluated"] >= 50].copy()  # a daily rate from fewer graded answers is noise
        if len(graded):
            graded["ratio"] = graded["hallucination_rate"] / graded.groupby(by, observed=True)[
                "hallucination_rate"].transform("median")
            day = graded["ratio"].idxmax()
            row = graded.loc[[day]].sort_values("ratio").iloc[-1]
            ev = matching_event(ctx.events, day + pd.Timedelta("12h"), slack=pd.Timedelta("12h"),
                                kinds=["hallucination_increase"])
            lines.append(f"Largest hallucination-rate rise: {row[by]} on {day:%Y-%m-%d}, {row['hallucination_rate']:.1%} "
                         f"of {int(row['evaluated'])} graded answers, {row['ratio']:.1f}x its median day"
                         + (f"  <- {ev}" if ev else ""))
    fig, axes = plt.subplots(2, 1, figsize=(11, 5), sharex=True, layout="constrained")
    cols = [c for c in ("ttft_p50", "ttft_p95") if c in daily]
    if cols:
        plot_metric(daily, cols, ax=axes[0], title="Time to first token per day (ms)", centre=True)
    if "hallucination_rate" in q and by is not None:
        wide = q.pivot_table(index=q.index, columns=by, values="hallucination_rate", observed=True)
        plot_metric(wide, list(wide.columns), ax=axes[1], events=ctx.events, event_kinds=["hallucination_increase"],
                    title="Hallucination rate per model (graded sample)", centre=True)
    sec.figure(fig, alt="time to first token and hallucination rate")
    for line in lines:
        sec.text(line)
    sec.table(q.reset_index(), max_rows=60)
    return lines


def slo_section(ctx: Context, report: Report, latency_ms=None, quantile=0.95) -> list[str]:
    from ..metrics.slo import slo

    roles = ctx.df.aimon.roles
    if roles.get("latency") is None:
        return []
    if latency_ms is None:  # a target the healthy first week meets: 1.5x its p95, rounded
        lat = pd.to_numeric(ctx.df[roles["latency"]], errors="coerce")
        first = ctx.df.index < ctx.df.index[0] + pd.Timedelta("7D") if isinstance(ctx.df.index, pd.DatetimeIndex) else slice(None)
        latency_ms = float(np.round(1.5 * np.nanpercentile(lat[first], 95), -1))
    s = ctx.cached(("slo", latency_ms), lambda: slo(ctx.df, latency_ms=latency_ms, quantile=quantile, freq="1h"))
    sec = report.section(f"SLO: {quantile:.0%} of requests within {latency_ms:.0f} ms and without error")
    met = s["slo_met"].mean()
    pages = s[s["page_fast"] | s["page_slow"]]
    lines = [f"SLO p{quantile * 100:.0f} <= {latency_ms:.0f} ms met in {met:.1%} of hours; error budget "
             f"consumed over the log: {s['budget_consumed'].iloc[-1]:.0%}; burn-rate pages in {len(pages)} hours."]
    episodes = _episodes(pages.index, pd.Timedelta("1h"))
    for start, end in episodes[:8]:
        ev = matching_event(ctx.events, start, slack=pd.Timedelta("1h"),
                            kinds=["latency_spike", "latency_degradation", "error_burst"])
        lines.append(f"  page {_fmt_time(start)} .. {_fmt_time(end)}" + (f"  <- {ev}" if ev else ""))
    for line in lines:
        sec.text(line)
    shown = ["requests", "compliance", "burn_rate", "burn_rate_1h", "burn_rate_5min", "page_fast", "page_slow",
             "budget_remaining"]
    sec.text("Hours with a burn-rate page:").table(pages[shown].reset_index(), max_rows=20)
    return lines


def _episodes(times, gap):
    out = []
    for t in times:
        if out and t - out[-1][1] <= gap:
            out[-1][1] = t
        else:
            out.append([t, t])
    return [tuple(e) for e in out]


#: (name, section function), in the order of the report: what happened operationally, then the
#: model, then why. Sections of later capabilities live in their own modules.
SECTIONS = [("overview", overview_section), ("ops", ops_section), ("slo", slo_section)]


def _register_sections():
    from .changes import changes_section
    from .diagnosis import diagnosis_section
    from .drift_section import drift_section
    from .estimation_section import estimation_section
    from .thresholds_section import thresholds_section

    SECTIONS.insert(3, ("thresholds", thresholds_section))
    SECTIONS.extend([("quality", quality_section), ("estimation", estimation_section), ("llm", llm_section),
                     ("drift", drift_section),
                     ("changes", changes_section), ("diagnosis", diagnosis_section)])


_register_sections()


def run(out_dir="aimon-demo", dataset="credit_scoring", df=None, echo=print) -> Path:
    """Monitor a bundled log (or ``df``), print a summary, write ``<out_dir>/report.html``."""
    from .. import datasets

    if df is None:
        loaders = {"credit_scoring": datasets.load_credit_scoring, "chatbot": datasets.load_chatbot}
        if dataset not in loaders:
            from ..errors import AimonError

            raise AimonError(f"dataset={dataset!r}: choose one of {sorted(loaders)}.")
        df = loaders[dataset]()
    events = df.attrs.get("events")
    ctx = Context(df=df, name=dataset, events=events)
    report = Report(f"aimon monitoring report: {dataset}")
    echo(f"aimon demo: monitoring the bundled '{dataset}' inference log")
    for name, section in SECTIONS:
        for line in section(ctx, report):
            echo(line)
    path = report.save(Path(out_dir) / "report.html")
    echo(f"Report written to {path} ({path.stat().st_size / 1e6:.2f} MB).")
    return path
