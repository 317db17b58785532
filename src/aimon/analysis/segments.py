"""Where did it degrade? Rank slices of the log by how much a metric got worse.

For each slicing column in ``by`` (and their crossing), every slice's metric in the current data
is compared with the same slice in the reference. Small slices are noisy, so the ranking does not
use the raw differences: they are *shrunk* towards the common change with an empirical-Bayes
normal model (DerSimonian–Laird estimate of the between-slice variance ``tau2``): a slice's
difference moves towards the weighted mean by the factor ``se2 / (se2 + tau2)``, which is close
to 1 for a slice of 40 requests and close to 0 for one of 40,000. Intervals of the raw difference
are reported next to it; slices with fewer than ``min_count`` rows in either period are listed
but not ranked.
"""
from __future__ import annotations

import html
import textwrap
from statistics import NormalDist

import numpy as np
import pandas as pd

from .._log import _timestamps
from ..errors import SchemaError
from ..roles import infer_roles, require
from .outcomes import estimate, outcomes

MISSING, OTHER = "(missing)", "(other)"
RANK_BY = ("shrunk", "ci_low", "impact")


def dersimonian_laird(d: np.ndarray, se: np.ndarray):
    """(mu, tau2, shrunk d) of a random-effects model of estimates ``d`` with standard errors ``se``."""
    w = 1.0 / se ** 2
    mu_fixed = float(np.sum(w * d) / np.sum(w))
    q = float(np.sum(w * (d - mu_fixed) ** 2))
    c = float(np.sum(w) - np.sum(w ** 2) / np.sum(w))
    tau2 = max(0.0, (q - (len(d) - 1)) / c) if c > 0 else 0.0
    ws = 1.0 / (se ** 2 + tau2)
    mu = float(np.sum(ws * d) / np.sum(ws))
    return mu, tau2, mu + tau2 / (tau2 + se ** 2) * (d - mu)


def _labels(frame: pd.DataFrame, cols) -> np.ndarray:
    parts = []
    for c in cols:
        s = frame[c]
        text = s.astype(object).where(s.notna(), MISSING).astype(str).to_numpy()
        parts.append(text)
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out.astype(str), " / "), p.astype(str))
    return np.asarray(out, dtype=object)


def _split(df, reference, roles):
    """(current frame, reference frame or None for 'the rest of the log', description)."""
    if reference is None:
        return df, None, "the rest of the log"
    if isinstance(reference, pd.DataFrame):
        return df, reference, "the reference frame"
    try:
        at = pd.Timestamp(reference)
    except (TypeError, ValueError):
        raise SchemaError([f"reference={reference!r}: give a DataFrame, a timestamp that splits the log "
                           f"(rows before it are the reference), or None."]) from None
    r = infer_roles(df, **roles)
    require(r, ["timestamp"], df, "segments() with a time split")
    times, _ = _timestamps(df, r["timestamp"])
    if times.tz is not None and at.tz is None:
        at = at.tz_localize(times.tz)
    elif times.tz is None and at.tz is not None:
        at = at.tz_convert(None)
    before = np.asarray(times < at)
    after = np.asarray(times >= at)
    return df[after], df[before], f"rows before {at}"


TIE_NOTE = ("Equal ranks are ties: those slices do not differ from each other beyond noise, so "
            "shrinkage gives each the same (common) degradation; their own changes and intervals are "
            "in .table (delta, ci_low, ci_high).")


class SegmentReport:
    """Result of :func:`segments`: ``.table`` (ranked slices), ``.overall``, ``.plot()``."""

    def __init__(self, metric, table, overall, against, min_count):
        self.metric, self.table, self.overall, self.against, self.min_count = metric, table, overall, against, min_count

    def top(self, k=10) -> pd.DataFrame:
        """The ``k`` worst ranked slices."""
        return self.table[self.table["rank"].notna()].head(k)

    def plot(self, ax=None, k=10):
        """Horizontal bars: raw degradation with its interval, and the shrunk estimate, worst first."""
        from ..plotting import _axes

        t = self.top(k).iloc[::-1]
        ax = _axes(ax, figsize=(7, 0.35 * max(len(t), 3) + 1))
        y = np.arange(len(t))
        deg = t["degradation"].to_numpy(float)
        err = np.vstack([deg - t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float) - deg])
        ax.barh(y, deg, xerr=np.nan_to_num(err), color="tab:orange", alpha=0.6, label="raw (interval)")
        ax.plot(t["shrunk"].to_numpy(float), y, "k|", ms=12, label="shrunk")
        ax.set_yticks(y, [f"{d}: {s}" for d, s in zip(t["dimension"], t["segment"])], fontsize=7)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_xlabel(f"degradation of {self.metric} (> 0: worse)")
        ax.legend(fontsize=7, frameon=False)
        return ax

    def __repr__(self):
        o = self.overall
        lines = [f"Segments by degradation of {self.metric!r} against {self.against}: overall "
                 f"{o['ref']:.4g} -> {o['cur']:.4g} (n = {o['n_ref']} -> {o['n_cur']})"]
        top = self.top(5)
        for row in top.itertuples(index=False):
            lines.append(f"  {int(row.rank)}. {row.dimension}={row.segment}: {row.ref:.4g} -> {row.cur:.4g} "
                         f"(shrunk degradation {row.shrunk:+.4g}, n = {row.n_cur})")
        if top["rank"].duplicated().any():
            lines += textwrap.wrap(TIE_NOTE, 100, initial_indent="  ", subsequent_indent="  ")
        return "\n".join(lines)

    def _repr_html_(self):
        o = self.overall
        head = (f"<p><b>Segments</b> ranked by the shrunk degradation of <code>{html.escape(self.metric)}</code> "
                f"against {html.escape(self.against)}; overall {o['ref']:.4g} &rarr; {o['cur']:.4g}.</p>")
        top = self.top(15)
        if top["rank"].duplicated().any():
            head += f"<p>{html.escape(TIE_NOTE)}</p>"
        return head + top.to_html(escape=True, index=False, float_format="{:.4g}".format, border=0)


def segments(df: pd.DataFrame, metric, by, reference=None, min_count=30, max_levels=30, combinations=True,
             confidence=0.95, rank_by="shrunk", higher_is_worse=None, **roles) -> SegmentReport:
    """Rank slices (model version, region, channel, …) by how much ``metric`` degraded.

    Parameters
    ----------
    df : DataFrame
        The current inference log (or the whole log, with ``reference`` a timestamp).
    metric : str
        A per-request metric: ``accuracy`` (``correct``), ``error_rate``, ``latency_p95``,
        ``latency_mean``, ``fallback_rate``, … or any numeric column (its mean); see
        :mod:`aimon.analysis.outcomes`.
    by : str or list of str
        Slicing columns. Each is ranked on its own, and their crossing too when ``combinations``.
    reference : DataFrame, timestamp or None
        The baseline: a frame of earlier rows, a time that splits ``df`` (earlier rows are the
        reference), or None to compare each slice with the rest of ``df``.
    min_count : int
        Slices with fewer rows (with a known outcome) in either period are not ranked.
    max_levels : int
        Levels per column beyond the most frequent ones are pooled into "(other)".
    rank_by : {"shrunk", "ci_low", "impact"}
        The shrunk degradation (default), the lower end of its interval, or the impact (the
        degradation weighted by the slice's share of current rows: what it adds to the overall change).
        Slices with equal values share a rank (when the slices of a column do not differ beyond
        noise, shrinkage gives them all the common change: a tie, not an order).
    higher_is_worse : bool, optional
        Direction of the metric; known for named metrics (accuracy: lower is worse), True for columns.

    Returns
    -------
    SegmentReport
        ``.table`` with ``dimension``, ``segment``, ``n_ref``, ``n_cur``, ``ref``, ``cur``, ``delta``
        (cur - ref), ``degradation`` (delta signed so that > 0 is worse), ``ci_low``, ``ci_high``,
        ``shrunk``, ``impact``, ``rank`` and ``note``; ``.overall``.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> rep = df.aimon.segments("latency_p95", by=["channel", "region"], reference="2026-03-08")
    >>> list(rep.table.columns[:4])
    ['dimension', 'segment', 'n_ref', 'n_cur']
    """
    if rank_by not in RANK_BY:
        raise SchemaError([f"rank_by={rank_by!r}: choose one of {RANK_BY}."])
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise SchemaError([f"confidence={confidence!r}: give a number between 0 and 1."])
    if not (isinstance(min_count, (int, np.integer)) and min_count >= 2):
        raise SchemaError([f"min_count={min_count!r}: give a whole number >= 2."])
    by = [by] if isinstance(by, str) else list(by or [])
    if not by:
        raise SchemaError(["by=: name at least one column to slice by, e.g. by=['region', 'channel']."])
    absent = [c for c in by if c not in df.columns]
    if absent:
        raise SchemaError([f"by=: column(s) {absent!r} do not exist."], df.columns)
    cur, ref, against = _split(df, reference, roles)
    if ref is not None:
        absent = [c for c in by if c not in ref.columns]
        if absent:
            raise SchemaError([f"The reference has no column(s) {absent!r} to slice by."], ref.columns)
    oc = outcomes(cur, metric, **roles)
    orf = outcomes(ref, metric, **roles) if ref is not None else None
    worse = oc.higher_is_worse if higher_is_worse is None else bool(higher_is_worse)
    sign = 1.0 if worse else -1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    dims = [[c] for c in by] + ([by] if combinations and len(by) > 1 else [])
    n_cur_total = int(np.count_nonzero(~np.isnan(oc.values)))
    rows = []
    for cols in dims:
        lab_c = _labels(cur, cols)
        lab_r = _labels(ref, cols) if ref is not None else None
        levels = pd.Series(lab_c[~np.isnan(oc.values)]).value_counts()
        keep = set(levels.index[:max_levels])
        if len(levels) > max_levels:
            lab_c = np.where(np.isin(lab_c, list(keep)), lab_c, OTHER)
            if lab_r is not None:
                lab_r = np.where(np.isin(lab_r, list(keep)), lab_r, OTHER)
        for level in list(levels.index[:max_levels]) + ([OTHER] if len(levels) > max_levels else []):
            in_c = lab_c == level
            if ref is not None:
                ref_values = orf.values[lab_r == level]
            else:
                ref_values = oc.values[~in_c]
            n_c, v_c, se_c = estimate(oc.values[in_c], oc.kind, oc.q, z)
            n_r, v_r, se_r = estimate(ref_values, oc.kind, oc.q, z)
            delta = v_c - v_r
            se = float(np.hypot(se_c, se_r))
            note = ""
            if n_r == 0 and ref is not None:
                note = "absent from the reference (a new slice): nothing to compare with"
            elif n_c < min_count or n_r < min_count:
                note = f"fewer than min_count={min_count} rows in {'the current data' if n_c < min_count else 'the reference'}"
            elif not np.isfinite(se) or se == 0:
                note = "no variation in this slice: no interval"
            rows.append({"dimension": " × ".join(map(str, cols)), "segment": level, "n_ref": n_r, "n_cur": n_c,
                         "ref": v_r, "cur": v_c, "delta": delta, "degradation": sign * delta,
                         "ci_low": sign * delta - z * se, "ci_high": sign * delta + z * se,
                         "se": se, "note": note,
                         "impact": sign * delta * n_c / n_cur_total if oc.kind != "quantile" and n_cur_total else np.nan})
    table = pd.DataFrame(rows, columns=["dimension", "segment", "n_ref", "n_cur", "ref", "cur", "delta",
                                        "degradation", "ci_low", "ci_high", "se", "note", "impact"])
    table["shrunk"] = np.nan
    ranked = table["note"] == ""
    for _, idx in table[ranked].groupby("dimension", sort=False).groups.items():
        d, se = table.loc[idx, "degradation"].to_numpy(float), table.loc[idx, "se"].to_numpy(float)
        table.loc[idx, "shrunk"] = dersimonian_laird(d, se)[2] if len(idx) > 1 else d
    table["rank"] = np.nan
    order = table[ranked].sort_values([rank_by, "degradation"], ascending=False, kind="stable").index
    # equal keys (e.g. every slice of a column shrunk to the common change when tau2 = 0) share a rank
    key = table.loc[order, rank_by].round(12)
    table.loc[order, "rank"] = key.rank(method="min", ascending=False).to_numpy()
    table = pd.concat([table.loc[order], table[~ranked]]).reset_index(drop=True)
    table = table[["dimension", "segment", "n_ref", "n_cur", "ref", "cur", "delta", "degradation", "ci_low",
                   "ci_high", "shrunk", "impact", "rank", "note"]]
    all_ref = orf.values if ref is not None else oc.values
    n_r, v_r, _ = estimate(all_ref, oc.kind, oc.q, z)
    n_c, v_c, _ = estimate(oc.values, oc.kind, oc.q, z)
    overall = {"n_ref": n_r, "n_cur": n_c, "ref": v_r, "cur": v_c, "degradation": sign * (v_c - v_r),
               "rows_without_outcome": {"current": int(np.isnan(oc.values).sum()),
                                        "reference": int(np.isnan(all_ref).sum()) if ref is not None else 0}}
    table.attrs["aimon"] = {"metric": oc.name, "against": against, "overall": overall}
    return SegmentReport(oc.name, table, overall, against, min_count)
