"""Report section: how system and model metrics move together, and where the damage is."""
from __future__ import annotations

import pandas as pd

from .html import Report

PAIRS = (("requests", "latency_p95", "1h"), ("latency_p95", "error_rate", "1h"),
         ("latency_mean", "accuracy", "1D"), ("mean_confidence", "accuracy", "1D"),
         ("output_tokens", "ttft_p95", "1h"))


def _slice_columns(df, roles, max_levels=50):
    from ..analysis.windowed import is_slice_column

    cols = [roles["segment"]] if roles.get("segment") is not None else []
    for c in roles.get("features") or []:
        s = df[c]
        if is_slice_column(s) and not pd.api.types.is_bool_dtype(s.dtype) and s.nunique() <= max_levels:
            cols.append(c)
    return cols


def reference_split(df):
    """Where the clean reference period ends: ``attrs['reference_end']``, else after a quarter of the log."""
    end = df.attrs.get("reference_end")
    if end is not None:
        return pd.Timestamp(end)
    idx = df.index if isinstance(df.index, pd.DatetimeIndex) else None
    return None if idx is None or not len(idx) else idx.min() + (idx.max() - idx.min()) / 4


def _val(metric, value) -> str:
    """A metric value as the summary prints it: durations in ms (never 1.994e+04), others to 4 digits."""
    from .demo import _ms

    return _ms(value) if metric.startswith(("latency", "ttft")) else f"{value:.4g}"


def diagnosis_section(ctx, report: Report) -> list[str]:
    from ..analysis.correlate import correlate
    from ..analysis.segments import segments
    from ..errors import SchemaError

    df = ctx.df
    roles = df.aimon.roles
    rows, lines, best = [], [], None
    for x, y, freq in PAIRS:
        try:
            c = ctx.cached(("correlate", x, y, freq), lambda: correlate(df, x, y, freq=freq, lags=range(-3, 4)))
        except SchemaError:
            continue  # a metric this log does not have
        b = c.best
        if not len(b):
            continue
        row = b.iloc[0]
        rows.append({"x": x, "y": y, "window": freq, "best lag": int(row["lag"]), "r": row["r"],
                     "95% interval": f"[{row['ci_low']:.2f}, {row['ci_high']:.2f}]", "p (effective n)": row["p_value"],
                     "windows": int(row["n"]), "effective n": row["n_eff"]})
        if best is None or abs(row["r"]) > abs(best[1]["r"]):
            best = (c, row)
    if not rows:
        return []
    sec = report.section("Diagnosis: correlated metrics and the worst segments")
    sec.text("Correlation of window aggregates at lags -3..3 (lag > 0: x moves first). p-values and intervals use "
             "the effective number of independent windows, because windowed metrics are autocorrelated.")
    sec.table(pd.DataFrame(rows))
    lines.append("Links between metrics (best lag, r, p from the effective number of windows):")
    for r in rows:
        lines.append(f"  {r['x']} ~ {r['y']} per {r['window']}: lag {r['best lag']}, r = {r['r']:+.2f}, "
                     f"p = {r['p (effective n)']:.2g} with n_eff = {r['effective n']:.0f} of {r['windows']}")
    if best is not None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), layout="constrained")
        best[0].plot(kind="lags", ax=axes[0])
        best[0].plot(kind="scatter", ax=axes[1])
        sec.figure(fig, alt="lag correlation of the most strongly linked pair")
    split = reference_split(df)
    cols = _slice_columns(df, roles)
    if split is None or not cols:
        return lines
    for metric in ("accuracy", "latency_p95", "error_rate"):
        try:
            rep = ctx.cached(("segments", metric), lambda: segments(df, metric, by=cols, reference=split,
                                                                     combinations=False))
        except SchemaError:
            continue
        top = rep.top(5)
        if not len(top):
            continue
        o = rep.overall
        sec.text(f"Worst segments by {metric}: overall {_val(metric, o['ref'])} before {split:%Y-%m-%d} -> "
                 f"{_val(metric, o['cur'])} after "
                 f"(ranked by the shrunk degradation, so small slices do not win on noise).")
        sec.table(top[["dimension", "segment", "n_ref", "n_cur", "ref", "cur", "degradation", "ci_low", "ci_high",
                       "shrunk"]])
        first = top.iloc[0]
        lines.append(f"Worst segment by {metric}: {first['dimension']}={first['segment']} "
                     f"({_val(metric, first['ref'])} -> {_val(metric, first['cur'])}, n = {int(first['n_cur'])})")
    return lines
