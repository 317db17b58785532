"""Report section: estimated performance of the days whose labels have not arrived yet."""
from __future__ import annotations

MIN_COVERAGE = 0.9   # days with fewer labels than this get an estimate line


def estimation_section(ctx, report) -> list[str]:
    """One line per day that still lacks most labels: the estimate, its band and the reference range."""
    from ..estimation.estimate import estimate_performance

    df = ctx.df
    roles = df.aimon.roles
    end = df.attrs.get("reference_end")
    if roles.get("label") is None or roles.get("score") is None or end is None:
        return []
    ref, cur = df[df.index < end], df[df.index >= end]
    if not len(cur) or ref[roles["label"]].notna().sum() < 100:
        return []
    est = ctx.cached(("estimate", "1D"), lambda: estimate_performance(cur, reference=ref, metrics=["roc_auc", "accuracy"],
                                                                      freq="1D", min_label_coverage=MIN_COVERAGE))
    t = est.table
    waiting = t[(t["rows"] > 0) & (t["label_coverage"] < MIN_COVERAGE)]
    if waiting.empty:
        return []
    sec = report.section("Estimated performance while labels are missing")
    lines = []
    for when, row in waiting.iterrows():
        lines.append(f"Estimated performance {when:%Y-%m-%d} ({row['label_coverage']:.0%} labelled): "
                     f"roc_auc {row['roc_auc_estimate']:.3f} [{row['roc_auc_lower']:.3f}, {row['roc_auc_upper']:.3f}], "
                     f"accuracy {row['accuracy_estimate']:.3f} [{row['accuracy_lower']:.3f}, {row['accuracy_upper']:.3f}]"
                     + ("  ALERT: below the reference range" if row["alert"] else ""))
    if t["concept_drift"].any():
        last = t.index[t["concept_drift"].to_numpy()][-1]
        lines.append(f"  Caution: realized values left the band on {int(t['concept_drift'].sum())} labelled day(s), "
                     f"the latest {last:%Y-%m-%d}; the estimates assume no concept drift (see changepoints and "
                     f"retraining_signal).")
    fig = est.plot().figure
    sec.figure(fig, alt="estimated ROC AUC with its band and the realized values")
    for line in lines:
        sec.text(line)
    return lines
