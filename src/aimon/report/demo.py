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

from ..errors import DataDroppedWarning
from .html import Report


@dataclass
class Context:
    """What every section may use: the log, its name, its ground-truth events, cached tables."""

    df: pd.DataFrame
    name: str
    events: pd.DataFrame | None
    tables: dict = field(default_factory=dict)
    pos_label: object = None   # the positive class of a binary label, when it cannot be inferred
    slo_ms: float | None = None  # the latency SLO target; None: from the first 7 days

    def ops(self, freq):
        from ..metrics.ops import ops

        return self.cached(("ops", freq), lambda: ops(self.df, freq))

    def quality(self, freq, by=None):
        from ..metrics.quality import quality

        return self.cached(("quality", freq, by), lambda: quality(self.df, freq, by=by, pos_label=self.pos_label))

    def latency_ms(self):
        """The latency column in ms (its unit converted, invalid values NaN), in the frame's row order."""
        from .._log import role_values

        r = self.df.aimon.roles
        return self.cached(("latency-ms",), lambda: role_values(self.df, r, "latency", np.arange(len(self.df)))[0])

    def cached(self, key, make):
        """The table ``make()`` computed once per key (sections share their tables)."""
        if key not in self.tables:
            import warnings

            from ..errors import AimonWarning, DataDroppedWarning

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataDroppedWarning)  # the report says what it leaves out
                warnings.simplefilter("ignore", AimonWarning)  # role doubts are said once, by run()
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
    if lat_col is not None and np.isfinite(ctx.latency_ms()).any():
        lat = ctx.latency_ms()
        lines.append(f"Latency p50 {_ms(np.nanpercentile(lat, 50))}, p95 {_ms(np.nanpercentile(lat, 95))}, "
                     f"p99 {_ms(np.nanpercentile(lat, 99))}.")
    if "error_rate" in daily:  # over the requests whose outcome is known, as error_rate is
        known = daily["requests"].sum() - daily.attrs["aimon"]["excluded"].get("error_unknown", 0)
        lines.append(f"Error rate {daily['errors'].sum() / max(known, 1):.2%}.")
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
        if not len(worst):
            lines.append(f"No {WINDOW} window has {MIN_REQUESTS}+ requests: too few to rank windows by {label}.")
            continue
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


def _ms(value) -> str:
    """A duration in ms, never in scientific notation: 1,234 ms, 46 ms, 0.35 ms."""
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.2g} ms" if abs(value) >= 0.001 else f"{value:.6f} ms"


def _fmt(column, value) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.1%}" if "rate" in column else _ms(value)


def quality_section(ctx: Context, report: Report) -> list[str]:
    import matplotlib.pyplot as plt

    from ..plotting import plot_metric

    roles = ctx.df.aimon.roles
    if roles.get("label") is None:
        return []
    q = ctx.quality("1D")
    if "labelled" not in q:
        return []
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
    if key in labelled and labelled[key].notna().any():
        first = labelled[key].iloc[: max(1, min(7, len(labelled) // 3))]
        base = first.mean()
        worst = labelled.dropna(subset=[key]).nsmallest(3, key)
        days = f"the first {len(first)} days with 50+ labels" if len(first) > 1 else "the first day with 50+ labels"
        lines.append(f"Lowest daily {key} (mean of {days}: {base:.3f}):")
        for when, value in worst[key].items():
            ev = matching_event(ctx.events, when + pd.Timedelta("12h"), slack=pd.Timedelta("12h"),
                                kinds=["concept_drift", "covariate_shift", "rollout"])
            lines.append(f"  {when:%Y-%m-%d}  {key} {value:.3f}" + (f"  <- {ev}" if ev else ""))
    lines.append(_label_sentence(q))
    for line in lines:
        sec.text(line)
    sec.table(q.reset_index(), max_rows=40)
    return lines


def _label_sentence(q) -> str:
    """What the label coverage says: complete, arriving late (the last days lag), or partial."""
    cov = q["labelled"].sum() / max(q["requests"].sum(), 1)
    if q["unlabelled"].sum() == 0:
        return "Every request has its label."
    days = q[q["requests"] > 0]["label_coverage"]
    last, earlier = days.iloc[-1], days.iloc[:-1]
    if len(earlier) and last < earlier.median() - 0.05:
        return (f"Labels have arrived for {cov:.1%} of requests; the last day has {last:.1%} "
                f"(labels arrive late).")
    return f"Labels exist for {cov:.1%} of requests (the last day: {last:.1%})."


def llm_section(ctx: Context, report: Report) -> list[str]:
    """Time to first token, tokens, cost, fallback, hallucination and feedback, per model."""
    import matplotlib.pyplot as plt

    from ..plotting import plot_metric

    roles = ctx.df.aimon.roles
    llm_roles = ("ttft", "output_tokens", "cost", "hallucination", "feedback")
    if all(roles.get(k) is None for k in llm_roles):
        return []
    daily = ctx.ops("1D")
    by = roles.get("segment")
    q = ctx.quality("1D", by=by)
    sec = report.section("LLM assistant: time to first token, usage, cost and answer quality")
    lines = []
    if "ttft_p95" in daily:
        lines.append(f"TTFT p95 per day: median {_ms(daily['ttft_p95'].median())}, worst "
                     f"{_ms(daily['ttft_p95'].max())} on {daily['ttft_p95'].idxmax():%Y-%m-%d}.")
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


def slo_target(ctx: Context, quantile=0.95) -> tuple[float | None, str]:
    """The latency target: ``ctx.slo_ms``, else one the first 7 days meet (1.5x their p95, two
    significant digits); and how it was chosen. None when no latency is known."""
    if ctx.slo_ms is not None:
        return float(ctx.slo_ms), "target given with --slo-ms"
    lat = ctx.latency_ms()
    idx = ctx.df.index
    first = np.asarray(idx < idx.min() + pd.Timedelta("7D")) if isinstance(idx, pd.DatetimeIndex) and len(idx) else \
        np.ones(len(lat), bool)
    if not np.isfinite(lat[first]).any():
        return None, ""
    target = float(f"{1.5 * np.nanpercentile(lat[first], quantile * 100):.2g}")
    if not target > 0:
        return None, ""
    return target, f"target: 1.5x the p{quantile * 100:.0f} latency of the first 7 days, rounded"


def slo_section(ctx: Context, report: Report, latency_ms=None, quantile=0.95) -> list[str]:
    from ..metrics.slo import slo

    roles = ctx.df.aimon.roles
    if roles.get("latency") is None:
        return []
    how = "target given"
    if latency_ms is None:
        latency_ms, how = slo_target(ctx, quantile)
        if latency_ms is None:
            return []
    s = ctx.cached(("slo", latency_ms), lambda: slo(ctx.df, latency_ms=latency_ms, quantile=quantile, freq="1h"))
    sec = report.section(f"SLO: {quantile:.0%} of requests within {_ms(latency_ms)} and without error")
    judged = s[(s["good"] + s["bad"]) > 0]  # hours without a judged request neither meet nor miss it
    met = judged["slo_met"].mean() if len(judged) else np.nan
    pages = s[s["page_fast"] | s["page_slow"]]
    lines = [f"SLO p{quantile * 100:.0f} <= {_ms(latency_ms)} ({how}) met in {met:.1%} of the {len(judged)} hours "
             f"with requests; error budget "
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


def run(out_dir="aimon-demo", dataset="credit_scoring", df=None, echo=print, slo_ms=None, pos_label=None) -> Path:
    """Monitor a bundled log (or ``df``, named ``dataset``), print a summary, write ``<out_dir>/report.html``.

    A section that cannot run on the log (a role it needs holds values it cannot read) is left
    out with its reason, printed and written in the report; the other sections still run.
    """
    import warnings

    from .. import datasets
    from ..errors import AimonError, AimonWarning

    bundled = df is None
    if bundled:
        loaders = {"credit_scoring": datasets.load_credit_scoring, "chatbot": datasets.load_chatbot}
        if dataset not in loaders:
            raise AimonError(f"dataset={dataset!r}: choose one of {sorted(loaders)}.")
        df = loaders[dataset]()
    events = df.attrs.get("events")
    ctx = Context(df=df, name=dataset, events=events, pos_label=pos_label, slo_ms=slo_ms)
    report = Report(f"aimon monitoring report: {dataset}")
    echo(f"aimon demo: monitoring the bundled '{dataset}' inference log" if bundled else
         f"aimon report: monitoring {dataset} ({len(df):,} rows)")
    if not bundled:  # role doubts (units, near names) once, before the sections compute quietly
        from ..metrics.ops import ops

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AimonWarning)
            ops(df, "1D")
        for w in caught:
            if issubclass(w.category, AimonWarning) and not issubclass(w.category, DataDroppedWarning):
                echo(f"Note: {w.message}")
                report.section("Notes on the log").text(str(w.message))
    for name, section in SECTIONS:
        done = len(report.sections)
        try:
            lines = section(ctx, report)
        except AimonError as exc:
            del report.sections[done:]  # nothing half-written
            reason = str(exc).splitlines()[0]
            lines = [f"Section {name!r} left out: {reason}"]
            report.section(f"{name}: left out").text(reason)
        for line in lines:
            echo(line)
    path = report.save(Path(out_dir) / "report.html")
    echo(f"Report written to {path} ({path.stat().st_size / 1e6:.2f} MB).")
    return path
