"""Root cause: which features explain a degraded period?

Two kinds of evidence, each measured against its own noise level so that they can be added:

- **drift** — the feature's distribution moved (covariate shift): ``drift_ratio`` is the drift
  statistic over its calibrated threshold from :func:`aimon.drift_over_time` (>= 1: drifted);
- **link to errors** — the feature separates bad outcomes (wrong predictions, failed or slow
  requests) from good ones more than it did in the reference (concept drift, a broken segment):
  the separation is the Kolmogorov–Smirnov distance (numeric) or total-variation distance
  (categorical) between the feature on bad rows and on good rows, and ``link_ratio`` is its rise
  over the reference divided by the 95% quantile of the separation under random relabelling of
  the window's rows (>= 1: more than noise).

``score = max(drift_ratio, 0) + max(link_ratio, 0)`` ranks the features of each window.
"""
from __future__ import annotations

import html
import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd

from .._log import prepare, windows
from ..errors import DataDroppedWarning, SchemaError
from ..roles import infer_roles, require
from .outcomes import RATES, estimate, outcomes
from .segments import _split

PERMUTATIONS = 50
MIN_CLASS = 5   # fewest bad (and good) rows for a separation


def bad_outcomes(df, metric, ref_df, **roles):
    """1.0 where the request had a bad outcome for ``metric``, 0.0 for a good one, NaN if unknown.

    Rates: the outcome itself (or 1 - outcome where higher is better, e.g. accuracy). Quantiles
    and means: above the reference's value of the metric (e.g. slower than the reference p95).
    """
    oc = outcomes(df, metric, **roles)
    if oc.kind == "rate":
        v = oc.values if oc.higher_is_worse else 1.0 - oc.values
        return v, oc
    ref = outcomes(ref_df, metric, **roles)
    _, cut, _ = estimate(ref.values, ref.kind, ref.q)
    v = np.where(np.isnan(oc.values), np.nan, (oc.values > cut if oc.higher_is_worse else oc.values < cut) * 1.0)
    return v, oc


def _codes(s: pd.Series):
    """(numeric values or category codes, is_numeric); NaN / -1 for missing."""
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        codes, _ = pd.factorize(s.astype(object), sort=True)
        return codes.astype(np.int64), False
    return s.to_numpy(dtype=np.float64, na_value=np.nan), True


def separation(x: np.ndarray, bad: np.ndarray, numeric: bool) -> float:
    """KS (numeric) or total-variation (categorical) distance between ``x[bad]`` and ``x[~bad]``."""
    nb = int(bad.sum())
    ng = bad.size - nb
    if nb == 0 or ng == 0:
        return np.nan
    if numeric:
        order = np.argsort(x, kind="stable")
        xs, b = x[order], bad[order].astype(np.float64)
        last = np.flatnonzero(np.r_[xs[1:] != xs[:-1], True])
        cb, cg = np.cumsum(b)[last] / nb, np.cumsum(1.0 - b)[last] / ng
        return float(np.max(np.abs(cb - cg)))
    k = int(x.max()) + 1 if x.size else 1
    pb = np.bincount(x[bad], minlength=k) / nb
    pg = np.bincount(x[~bad], minlength=k) / ng
    return float(0.5 * np.abs(pb - pg).sum())


def null_quantile(x, bad, numeric, rng, draws=PERMUTATIONS, q=0.95) -> float:
    """The ``q`` quantile of the separation when the bad/good labels are shuffled.

    All ``draws`` relabellings are scored at once: row ``d`` of ``rng.permuted(labels, axis=1)``
    is one shuffle, and the separation of each row is computed as :func:`separation` does.
    """
    nb = int(bad.sum())
    ng = bad.size - nb
    if nb == 0 or ng == 0:
        return np.nan
    if numeric:  # sort once: a shuffle of the labels keeps the order of x
        order = np.argsort(x, kind="stable")
        x, bad = x[order], bad[order]
    shuffled = rng.permuted(np.broadcast_to(bad, (draws, bad.size)), axis=1)
    if numeric:
        last = np.flatnonzero(np.r_[x[1:] != x[:-1], True])
        cum_bad = np.cumsum(shuffled, axis=1, dtype=np.float64)[:, last]
        sims = np.abs(cum_bad / nb - (last + 1 - cum_bad) / ng).max(axis=1)
    else:
        k = int(x.max()) + 1
        total = np.bincount(x, minlength=k)
        offsets = (np.arange(draws)[:, None] * k + x[None, :])[shuffled]
        cb = np.bincount(offsets, minlength=draws * k).reshape(draws, k)
        sims = 0.5 * np.abs(cb / nb - (total - cb) / ng).sum(axis=1)
    return float(np.quantile(sims, q))


class Explanation:
    """Result of :func:`explain`: ``.windows`` (the metric per window), ``.table`` (window × feature
    evidence), ``.top(start, end)`` (features ranked over a period), ``.plot()``."""

    def __init__(self, metric, windows_table, table, freq):
        self.metric, self.windows, self.table, self.freq = metric, windows_table, table, freq

    def degraded_windows(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.windows.index[self.windows["degraded"]])

    def top(self, start=None, end=None, k=5) -> pd.DataFrame:
        """Features ranked by their mean score over the windows from ``start`` to ``end`` (default:
        the degraded windows)."""
        t = self.table
        if start is None and end is None:
            sel = t["window"].isin(self.degraded_windows())
        else:
            w = t["window"]
            lo = pd.Timestamp(start) if start is not None else w.min()
            hi = pd.Timestamp(end) if end is not None else w.max()
            if w.dt.tz is not None:
                lo = lo.tz_localize(w.dt.tz) if lo.tz is None else lo
                hi = hi.tz_localize(w.dt.tz) if hi.tz is None else hi
            sel = (w >= lo) & (w <= hi)
        part = t[sel]
        if not len(part):
            return pd.DataFrame(columns=["feature", "score", "drift_ratio", "link_ratio", "windows"])
        agg = part.groupby("feature", sort=False).agg(score=("score", "mean"), drift_ratio=("drift_ratio", "mean"),
                                                       link_ratio=("link_ratio", "mean"), windows=("window", "nunique"))
        return agg.sort_values("score", ascending=False).head(k).reset_index()

    def plot(self, ax=None, k=8):
        """Heatmap of the score per window (columns) and feature (rows), degraded windows marked."""
        from ..plotting import _axes

        wide = self.table.pivot(index="feature", columns="window", values="score")
        wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index[:k]]
        ax = _axes(ax, figsize=(10, 0.4 * len(wide) + 1.5))
        im = ax.imshow(wide.to_numpy(float), aspect="auto", cmap="magma_r", vmin=0)
        ax.set_yticks(range(len(wide)), [str(f) for f in wide.index], fontsize=7)
        cols = list(wide.columns)
        step = max(1, len(cols) // 10)
        ax.set_xticks(range(0, len(cols), step), [pd.Timestamp(c).strftime("%m-%d") for c in cols[::step]],
                      fontsize=7)
        for j, c in enumerate(cols):
            if c in set(self.degraded_windows()):
                ax.axvline(j, color="tab:blue", alpha=0.25, lw=4)
        ax.figure.colorbar(im, ax=ax, label="score (drift + link to errors)")
        ax.set_title(f"What explains {self.metric}? (blue: degraded windows)", fontsize=10)
        return ax

    def __repr__(self):
        d = self.degraded_windows()
        top = self.top()
        lines = [f"Explanation of {self.metric} per {self.freq}: {len(d)} degraded window(s)"]
        for row in top.itertuples(index=False):
            lines.append(f"  {row.feature}: score {row.score:.2f} (drift {row.drift_ratio:.2f}, "
                         f"link to errors {row.link_ratio:.2f})")
        return "\n".join(lines)

    def _repr_html_(self):
        d = self.degraded_windows()
        return (f"<p><b>What explains {html.escape(self.metric)}?</b> {len(d)} degraded window(s) of "
                f"{html.escape(str(self.freq))}; features ranked over them.</p>"
                + self.top(k=10).to_html(escape=True, index=False, float_format="{:.3g}".format, border=0))


def explain(df: pd.DataFrame, metric, reference=None, freq="1D", columns=None, confidence=0.95, seed=0,
            resources=None, **roles) -> Explanation:
    """Rank the features behind a degraded metric, window by window, with the evidence.

    Parameters
    ----------
    df : DataFrame
        The inference log (or only its current part when ``reference`` is a frame).
    metric : str
        A per-request metric (``accuracy``, ``error_rate``, ``latency_p95``, …); see
        :mod:`aimon.analysis.outcomes`.
    reference : DataFrame or timestamp
        Rows of a healthy period, or a time that splits ``df`` (earlier rows are the reference).
    freq : str
        Window length.
    columns : list of str, optional
        Features to rank (default: the ``features`` role).
    confidence : float
        A window is *degraded* when the metric is worse than the reference by more than this
        two-sided interval.
    seed : int
        Seed of the relabelling null (results are reproducible).
    resources : DataFrame, optional
        Resource series (GPU utilisation, queue depth, ...): each request gets the latest sample
        at or before its time, and the series are ranked as features beside the others.

    Returns
    -------
    Explanation
        ``.windows``: per window ``value``, ``reference``, ``n``, ``degraded``; ``.table``: per
        window and feature ``drift_statistic``, ``drift_threshold``, ``drift_ratio``, ``drifted``,
        ``separation_ref``, ``separation``, ``separation_null``, ``link_ratio``, ``score``,
        ``rank``, ``note``.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> ex = df.aimon.explain("accuracy", reference=df.attrs["reference_end"], freq="1D")
    >>> sorted(ex.top("2026-03-11", "2026-03-13")["feature"].tolist()[:2])
    ['debt_ratio', 'loan_amount']
    """
    from ..datadrift.timeline import drift_over_time

    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise SchemaError([f"confidence={confidence!r}: give a number between 0 and 1."])
    if resources is not None:
        from ..metrics.resources import attach_roles

        df, reference = attach_roles(df, reference, resources, roles)
    cur, ref, _ = _split(df, reference, roles)
    if ref is None:
        hint = (f" (this log has df.attrs['reference_end'] = {df.attrs['reference_end']!r})"
                if isinstance(df, pd.DataFrame) and "reference_end" in df.attrs else "")
        raise SchemaError([f"explain() needs a reference, reference=: a frame of healthy rows or a timestamp that splits "
                           f"the log, e.g. reference='2024-03-01'{hint}."])
    r = infer_roles(cur, **roles)
    require(r, ["timestamp"], cur, "explain()")
    feats = list(columns) if columns is not None else list(r["features"])
    absent = [c for c in feats if c not in cur.columns or c not in ref.columns]
    if absent:
        raise SchemaError([f"explain(): feature column(s) {absent!r} are missing from the log or the reference."],
                          cur.columns)
    if not feats:
        raise SchemaError(["explain(): no feature columns; pass columns=[...]."], cur.columns)
    bad, oc = bad_outcomes(cur, metric, ref, **roles)
    bad_ref, _ = bad_outcomes(ref, metric, ref, **roles)
    ref_oc = outcomes(ref, metric, **roles)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    _, ref_value, ref_se = estimate(ref_oc.values, ref_oc.kind, ref_oc.q, z)
    sign = 1.0 if oc.higher_is_worse else -1.0
    log = prepare(cur, r)
    win = windows(log.times, freq)
    bounds = win.bounds(log.i8)
    order = log.order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        timeline = drift_over_time(cur, ref, freq=freq, columns=feats, **roles)
    drift = timeline.table.set_index(["window", "column"])
    rng = np.random.default_rng(seed)
    # per-window metric and its degradation
    wrows = []
    values = oc.values[order]
    for k, label in enumerate(win.labels):
        n, v, se = estimate(values[bounds[k]:bounds[k + 1]], oc.kind, oc.q, z)
        deg = sign * (v - ref_value)
        wrows.append({"window": label, "value": v, "reference": ref_value, "n": n,
                      "degraded": bool(np.isfinite(deg) and deg > z * np.hypot(se, ref_se))})
    wtable = pd.DataFrame(wrows).set_index("window")
    # per-window, per-feature evidence
    rows = []
    b_sorted = bad[order]
    for f in feats:
        x_cur, numeric = _codes(cur[f])
        x_ref, _ = _codes(ref[f]) if numeric else (None, False)
        if not numeric:  # one set of category codes for both frames
            both = pd.concat([cur[f].astype(object), ref[f].astype(object)], ignore_index=True)
            codes, _ = pd.factorize(both, sort=True)
            x_cur, x_ref = codes[:len(cur)].astype(np.int64), codes[len(cur):].astype(np.int64)
        known_ref = ~np.isnan(bad_ref) & (~np.isnan(x_ref) if numeric else x_ref >= 0)
        sep_ref = separation(x_ref[known_ref], bad_ref[known_ref] > 0.5, numeric)
        xs = x_cur[order]
        for k, label in enumerate(win.labels):
            a, b = bounds[k], bounds[k + 1]
            xw, bw = xs[a:b], b_sorted[a:b]
            known = ~np.isnan(bw) & (~np.isnan(xw) if numeric else xw >= 0)
            xw, bw = xw[known], bw[known] > 0.5
            nb = int(bw.sum())
            note = ""
            if nb < MIN_CLASS or bw.size - nb < MIN_CLASS:
                sep = null = link = np.nan
                note = f"fewer than {MIN_CLASS} bad or good rows with this feature"
            else:
                sep = separation(xw, bw, numeric)
                null = null_quantile(xw, bw, numeric, rng)
                link = (sep - sep_ref) / null if null > 0 else np.nan
            key = (label, f)
            stat = drift.loc[key, "statistic"] if key in drift.index else np.nan
            thr = drift.loc[key, "threshold"] if key in drift.index else np.nan
            ratio = stat / thr if np.isfinite(thr) and thr > 0 else np.nan
            rows.append({"window": label, "feature": f, "drift_statistic": stat, "drift_threshold": thr,
                         "drift_ratio": ratio, "drifted": bool(drift.loc[key, "drifted"]) if key in drift.index else False,
                         "separation_ref": sep_ref, "separation": sep, "separation_null": null, "link_ratio": link,
                         "note": note})
    table = pd.DataFrame(rows)
    table["score"] = table["drift_ratio"].clip(lower=0).fillna(0) + table["link_ratio"].clip(lower=0).fillna(0)
    table["rank"] = table.groupby("window")["score"].rank(ascending=False, method="first").astype(np.int64)
    table = table[["window", "feature", "drift_statistic", "drift_threshold", "drift_ratio", "drifted",
                   "separation_ref", "separation", "separation_null", "link_ratio", "score", "rank", "note"]]
    table = table.sort_values(["window", "rank"], kind="stable").reset_index(drop=True)
    return Explanation(oc.name, wtable, table, str(freq))


__all__ = ["explain", "Explanation", "separation", "bad_outcomes", "RATES"]
