"""Report section: change detections on the error and misclassification streams, and the retraining signal."""
from __future__ import annotations

import pandas as pd


def changes_section(ctx, report) -> list[str]:
    """Detections (DDM on misclassifications, HDDM-A on request errors) matched to the
    ground-truth events, then the retraining decision. Latency is left to the seasonal
    thresholds: its daily cycle is a change of the mean every day for a sequential detector."""
    import matplotlib.pyplot as plt

    from ..analysis.retraining import retraining_signal
    from ..detectors.changepoints import changepoints
    from .demo import matching_event

    roles = ctx.df.aimon.roles
    plans = []
    if roles.get("label") is not None and roles.get("prediction") is not None:
        plans.append(("misclassified", "ddm", ["concept_drift", "covariate_shift", "rollout"]))
    if roles.get("error") is not None:
        plans.append((roles["error"], "hddm_a", ["error_burst"]))
    if not plans:
        return []
    sec = report.section("Change detection and the retraining signal")
    lines = []
    fig, axes = plt.subplots(len(plans), 1, figsize=(11, 2.6 * len(plans)), sharex=True, layout="constrained",
                             squeeze=False)
    for ax, (column, method, kinds) in zip(axes[:, 0], plans):
        res = ctx.cached(("changepoints", column, method), lambda c=column, m=method: changepoints(
            ctx.df, c, method=m, cooldown="2h"))
        res.plot(ax=ax)
        lines.append(f"{method} on {column}: {len(res)} changes detected.")
        rows = []
        for j, t in enumerate(res.table["time"]):
            ev = matching_event(ctx.events, t, slack=pd.Timedelta("12h"), kinds=kinds)
            if j < 10:
                lines.append(f"  {t:%Y-%m-%d %H:%M}" + (f"  <- {ev}" if ev else ""))
            rows.append({"time": f"{t:%Y-%m-%d %H:%M}", "ground truth": ev})
        sec.text(f"{method} on {column}:").table(res.table.assign(**{"ground truth": [r["ground truth"] for r in rows]}))
    sec.figure(fig, alt="rolling streams with detected changes")
    if roles.get("label") is not None and roles.get("prediction") is not None:
        sig = ctx.cached(("retraining",), lambda: retraining_signal(ctx.df))
        lines.append(f"Retraining signal: {'retrain' if sig.retrain else 'no retraining needed'}. {sig.reason}")
        sec.text(f"Retraining signal: {sig.reason}")
        sec.table(sig.decision)
        sec.text("Evidence:").table(sig.evidence, max_rows=40)
        fig2, ax2 = plt.subplots(figsize=(11, 3), layout="constrained")
        sig.plot(ax=ax2)
        sec.figure(fig2, alt="retraining signal")
    return lines
