"""Report section: seasonal dynamic thresholds on latency and error rate, alerts vs ground truth."""
from __future__ import annotations

import pandas as pd

WINDOW = "15min"   # the credit-scoring log has ~0.05 requests/s: 5-minute windows are mostly noise
TRAIN = pd.Timedelta("3D")


def _matched(events, fired, kinds) -> str:
    """'kind #id' of the incidents an alert on the window starting at ``fired`` detects, as
    :func:`aimon.evaluate_alerts` with ``offset=WINDOW, tolerance=WINDOW`` counts it."""
    if events is None or not len(events):
        return ""
    known = fired + pd.Timedelta(WINDOW)
    hit = events[events["kind"].isin(kinds) & (events["start"] <= known)
                 & (known <= events["end"] + pd.Timedelta(WINDOW))]
    return ", ".join(f"{k} #{i}" for k, i in zip(hit["kind"], hit["event_id"]))


def thresholds_section(ctx, report) -> list[str]:
    """Fit thresholds on the first days, judge the rest walk-forward, list the alerts."""
    import matplotlib.pyplot as plt

    from ..thresholds import evaluate_alerts, fit_thresholds
    from .demo import _fmt_time

    t = ctx.ops(WINDOW)
    metrics = [(c, k) for c, k in (("latency_p95", ["latency_spike", "latency_degradation"]),
                                   ("error_rate", ["error_burst"])) if c in t]
    if not metrics or len(t) < 4 * 96:
        return []
    sec = report.section(f"Dynamic thresholds: seasonal bands and alerts ({WINDOW} windows)")
    cut = t.index[0] + TRAIN
    fig, axes = plt.subplots(len(metrics), 1, figsize=(11, 3.2 * len(metrics)), layout="constrained", squeeze=False)
    lines = []
    for ax, (col, kinds) in zip(axes[:, 0], metrics):
        s = t[col]
        model = ctx.cached(("thresholds", col), lambda: fit_thresholds(s[s.index < cut], direction="up"))
        log = ctx.cached(("alerts", col), lambda: model.detect(s[s.index >= cut]))
        log.plot(ax=ax)
        lines.append(f"Dynamic thresholds on {col}: periods {model.periods_} (auto), fitted on the first "
                     f"{TRAIN.days} days, judged walk-forward: {log.n_alerts} alerts in {log.days:.0f} days.")
        for row in log.table.itertuples():
            if row.suppressed:
                continue
            ev = _matched(ctx.events, row.fired, kinds)
            lines.append(f"  alert {_fmt_time(row.fired)}  peak score {row.peak_score:4.1f}  "
                         f"({row.severity})" + (f"  <- {ev}" if ev else ""))
        if ctx.events is not None and len(ctx.events):
            # the same matching as the list above: an alert on a window is known at the window's end
            # (offset), may come one window after a short incident (tolerance), and only incidents
            # of the judged period count (start)
            r = evaluate_alerts(log, ctx.events, kinds=kinds, start=cut, tolerance=WINDOW, offset=WINDOW).iloc[0]
            lines.append(f"  vs ground truth ({', '.join(kinds)}): {r['detected']} of {r['windows']} incidents "
                         f"detected (recall {r['recall']:.2f}), {r['false_episodes']} false alerts "
                         f"({r['false_alerts_per_day']:.2f}/day)")
    sec.figure(fig, alt="metrics with their seasonal bands and alert episodes")
    for line in lines:
        sec.text(line)
    return lines
