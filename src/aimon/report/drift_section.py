"""The drift section of the ``aimon demo`` report: which inputs moved, and when."""
from __future__ import annotations

import pandas as pd


def _runs(days):
    """Consecutive days as (first, last) pairs."""
    out = []
    for d in sorted(days):
        if out and d - out[-1][1] <= pd.Timedelta("1D"):
            out[-1][1] = d
        else:
            out.append([d, d])
    return out


def drift_section(ctx, report) -> list[str]:
    """Daily drift of every feature against the reference period (``attrs['reference_end']``, or
    the first 7 days), with the ground-truth input events that explain it."""
    from .demo import matching_event

    df = ctx.df
    if not isinstance(df.index, pd.DatetimeIndex) or not df.aimon.roles["features"]:
        return []
    end = df.attrs.get("reference_end")
    end = pd.Timestamp(end) if end is not None else df.index[0] + pd.Timedelta("7D")
    ref = df[df.index < end]
    if len(ref) < 100:
        return []
    tl = ctx.cached(("drift", "1D"), lambda: df.aimon.drift_over_time(ref.aimon.profile(), freq="1D"))
    sec = report.section("Input drift: features against the reference period, per day")
    flagged = tl.table[tl.table["drifted"] & (tl.table["window"] >= end)]
    lines = [f"Input drift (reference: {len(ref):,} rows before {end:%Y-%m-%d}; Wasserstein/sd for numeric, "
             f"Jensen-Shannon for categorical features, thresholds calibrated per day): "
             f"{flagged['column'].nunique()} of {tl.table['column'].nunique()} features drifted."]
    for col, g in flagged.groupby("column", sort=False):
        for first, last in _runs(g["window"]):
            kinds = "missing share" if g["missing_drifted"].all() and not g["value_drifted"].any() else "distribution"
            ev = matching_event(ctx.events, first + pd.Timedelta("12h"), slack=pd.Timedelta("12h"),
                                kinds=["covariate_shift", "category_mix_change", "missing_surge"])
            lines.append(f"  {col}: {kinds} drift {first:%m-%d} .. {last:%m-%d}" + (f"  <- {ev}" if ev else ""))
    for line in lines:
        sec.text(line)
    ax = tl.plot()
    sec.figure(ax.figure, alt="drift heatmap")
    shown = ["window", "column", "method", "statistic", "threshold", "missing_cur", "note"]
    sec.text("Drifted (day, feature) cells:").table(flagged[shown], max_rows=30)
    return lines
