"""Correlation of two windowed metrics at several lags, honest about autocorrelation.

Windowed monitoring metrics are autocorrelated (a slow hour follows a slow hour), so the usual
p-value of a correlation, which assumes independent points, is far too small. ``correlate``
reports the plain coefficient with a confidence interval and p-value computed from an *effective
sample size* (Bartlett's approximation as used by Pyper & Peterman 1998):

    1/n_eff = 1/n + (2/n) * sum_{j=1..n//5} (n - j)/n * rho_x(j) * rho_y(j)

where rho are the sample autocorrelations of the paired values, computed over the time grid of
windows so that a missing window leaves a gap rather than joining its neighbours (clipped to
``2 <= n_eff <= n``).
The p-value is the two-sided t-test of ``r`` with ``n_eff - 2`` degrees of freedom; the interval
is Fisher's z with standard error ``1/sqrt(n_eff - 3)``. With ``adjust=False`` they are the
textbook values (equal to ``scipy.stats.pearsonr`` / ``spearmanr``).

A lag ``k`` pairs ``x`` at window ``t`` with ``y`` at window ``t + k``: a positive best lag means
``x`` moves first.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..errors import SchemaError
from .windowed import MetricSource

METHODS = ("pearson", "spearman")


def _lag_aligned(x: np.ndarray, y: np.ndarray, lag: int):
    """``x[t]`` and ``y[t + lag]`` side by side, missing windows kept (as NaN) so that time gaps stay."""
    n = len(x)
    if abs(lag) >= n:
        return x[:0], y[:0]
    return (x[: n - lag], y[lag:]) if lag >= 0 else (x[-lag:], y[: n + lag])


def _lag_pairs(x: np.ndarray, y: np.ndarray, lag: int):
    a, b = _lag_aligned(x, y, lag)
    ok = np.isfinite(a) & np.isfinite(b)
    return a[ok], b[ok]


def _rank(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(v, method="average").astype(np.float64)


def autocorrelation(v: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations rho(1..max_lag) of ``v`` (biased estimator, mean removed), by FFT.

    NaN marks a missing window: it is left out of the mean and of every product, so lag ``j``
    still means ``j`` windows apart across a gap (only pairs present at both ends count)."""
    ok = np.isfinite(v)
    d = np.where(ok, v - (v[ok].mean() if ok.any() else 0.0), 0.0)
    den = float(d @ d)
    if max_lag < 1 or den == 0:
        return np.zeros(max(max_lag, 0))
    size = 1 << int(len(d) + max_lag).bit_length()   # zero-padded past max_lag: no wrap-around
    f = np.fft.rfft(d, size)
    acov = np.fft.irfft(f * np.conj(f), size)[1: max_lag + 1]
    return acov / den


def effective_n(a: np.ndarray, b: np.ndarray) -> float:
    """Bartlett / Pyper–Peterman effective number of independent pairs of two aligned series
    (NaN where a window is missing from either; ``n`` counts the complete pairs)."""
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(ok, a, np.nan), np.where(ok, b, np.nan)
    n = int(ok.sum())
    if n < 3:
        return float(n)
    m = n // 5
    j = np.arange(1, m + 1)
    s = float(np.sum((n - j) / n * autocorrelation(a, m) * autocorrelation(b, m)))
    inv = 1.0 / n + 2.0 / n * s
    return float(np.clip(1.0 / inv if inv > 0 else n, 2.0, n))


def corr_stats(a: np.ndarray, b: np.ndarray, method="pearson", adjust=True, confidence=0.95) -> dict:
    """r, n, n_eff, ci_low, ci_high, p_value and a note for the aligned series ``a``, ``b``
    (consecutive windows; NaN where a window is missing, left out of the pairs)."""
    from scipy.special import ndtri, stdtr   # scipy.special: scipy.stats costs seconds to import

    ok = np.isfinite(a) & np.isfinite(b)
    full_a, full_b = np.where(ok, a, np.nan), np.where(ok, b, np.nan)
    a, b = a[ok], b[ok]
    n = len(a)
    out = {"n": n, "n_eff": np.nan, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
           "note": ""}
    if n < 3:
        out["note"] = f"{n} paired windows: at least 3 are needed"
        return out
    if method == "spearman":
        a, b = _rank(a), _rank(b)
        full_a[ok], full_b[ok] = a, b
    da, db = a - a.mean(), b - b.mean()
    saa, sbb = float(da @ da), float(db @ db)
    if saa == 0 or sbb == 0:
        which = "x" if saa == 0 else "y"
        out["note"] = f"{which} does not vary over these windows: the correlation is undefined"
        return out
    r = float(np.clip((da @ db) / np.sqrt(saa * sbb), -1.0, 1.0))
    n_eff = effective_n(full_a, full_b) if adjust else float(n)
    out.update(r=r, n_eff=n_eff)
    dof = n_eff - 2.0
    if abs(r) == 1.0:
        out.update(p_value=0.0, ci_low=r, ci_high=r)
        return out
    if dof <= 0:
        out["note"] = f"effective sample size {n_eff:.1f} is too small for a p-value"
        return out
    tstat = r * np.sqrt(dof / (1.0 - r * r))
    out["p_value"] = float(2.0 * stdtr(dof, -abs(tstat)))
    if n_eff > 3:
        z, half = np.arctanh(r), ndtri(0.5 + confidence / 2.0) / np.sqrt(n_eff - 3.0)
        out["ci_low"], out["ci_high"] = float(np.tanh(z - half)), float(np.tanh(z + half))
    else:  # Fisher's standard error is infinite: the interval is the whole range (as scipy gives it)
        out["ci_low"], out["ci_high"] = -1.0, 1.0
        out["note"] = f"effective sample size {n_eff:.1f}: the interval is the whole range"
    return out


def _lags(lags) -> list[int]:
    if isinstance(lags, (int, np.integer)):
        values = [int(lags)]
    else:
        try:
            values = [int(v) for v in lags]
        except (TypeError, ValueError):
            values = []
        if not values or any(float(v) != int(float(v)) for v in lags):
            raise SchemaError([f"lags={lags!r}: give an integer or integers, e.g. lags=range(-6, 7)."])
    return sorted(set(values))


class Correlation:
    """Result of :func:`correlate`: ``.table`` (one row per segment and lag), ``.best``, ``.series``."""

    def __init__(self, x, y, freq, method, table, series, by):
        self.x, self.y, self.freq, self.method = x, y, freq, method
        self.table, self.series, self.by = table, series, by

    @property
    def best(self) -> pd.DataFrame:
        """The lag with the largest ``|r|`` (per segment)."""
        return self.table[self.table["best"]].reset_index(drop=True)

    def plot(self, kind=None, ax=None, segment=None):
        """``kind="lags"`` (r per lag with its interval), ``"overlay"`` (both metrics over time) or
        ``"scatter"`` (x against y at the best lag, with a least-squares line)."""
        from ._plot_correlate import plot_correlation

        return plot_correlation(self, kind, ax, segment)

    def __repr__(self):
        b = self.best
        lines = [f"Correlation of {self.x!r} and {self.y!r} per {self.freq} window ({self.method})"]
        if not len(b):
            notes = sorted(set(self.table["note"]) - {""})
            lines += [f"  no coefficient: {n}" for n in notes]
        for row in b.itertuples(index=False):
            seg = "".join(f"{c}={getattr(row, c)!r} " for c in (self.by or []))
            lines.append(f"  {seg}best lag {row.lag}: r = {row.r:.3f} [{row.ci_low:.3f}, {row.ci_high:.3f}], "
                         f"p = {row.p_value:.3g} (n = {row.n}, n_eff = {row.n_eff:.1f}) {row.note}".rstrip())
        return "\n".join(lines)

    def _repr_html_(self):
        head = (f"<p><b>Correlation</b> of <code>{html.escape(str(self.x))}</code> and "
                f"<code>{html.escape(str(self.y))}</code> per {html.escape(str(self.freq))} window "
                f"({html.escape(self.method)}); p-values and intervals use the effective sample size.</p>")
        shown = self.best if len(self.best) else self.table
        return head + shown.to_html(escape=True, index=False, float_format="{:.4g}".format, border=0)


def correlate(df: pd.DataFrame, x, y, freq="1h", lags=0, method="pearson", by=None, adjust=True,
              confidence=0.95, resources=None, **roles) -> Correlation:
    """Correlate two metrics of an inference log over time windows, at one or several lags.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    x, y : str
        A numeric column (averaged per window), an :func:`aimon.ops` metric (``"latency_p95"``,
        ``"error_rate"``) or an :func:`aimon.quality` metric (``"accuracy"``; ``"correct"`` is an
        alias of it when the log has no such column).
    freq : str
        Window length (a pandas frequency).
    lags : int or iterable of int
        Window lags; lag ``k`` pairs ``x[t]`` with ``y[t + k]``.
    method : {"pearson", "spearman"}
    by : str or list of str, optional
        Segment column(s): one correlation per segment, computed on that segment's windows.
    adjust : bool
        Use the effective sample size for p-values and intervals (default); ``False`` treats
        windows as independent.
    confidence : float
        Level of the interval.
    resources : DataFrame, optional
        Resource series (see :func:`aimon.ops`): their names (``"gpu_util"``, averaged per
        window) and every resource column of ``ops`` (``"gpu_util_max"``, ``"idle_share"``) can be
        ``x`` or ``y``.

    Returns
    -------
    Correlation
        ``.table`` with segment columns, ``lag``, ``n`` (paired windows), ``n_eff``, ``r``,
        ``ci_low``, ``ci_high``, ``p_value``, ``best`` (the lag with the largest ``|r|`` among the
        lags that pair at least half as many windows as the best-paired one) and ``note`` (why a
        value is missing);
        ``.series`` holds the window values.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> c = df.aimon.correlate("requests", "latency_p95", freq="1h", lags=range(-2, 3))
    >>> best = c.best.iloc[0]
    >>> int(best["lag"]), bool(best["r"] > 0.5), bool(best["n_eff"] < best["n"] / 5)
    (0, True, True)
    """
    if method not in METHODS:
        raise SchemaError([f"method={method!r}: choose one of {METHODS}."])
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise SchemaError([f"confidence={confidence!r}: give a number between 0 and 1, e.g. 0.95."])
    lag_list = _lags(lags)
    src = MetricSource(df, freq, by=by, resources=resources, **roles)
    return correlate_source(src, x, y, lag_list, method, adjust, confidence)


def correlate_source(src: MetricSource, x, y, lags, method="pearson", adjust=True, confidence=0.95) -> Correlation:
    """:func:`correlate` on an existing :class:`MetricSource` (whose tables are computed once and
    reused, e.g. by a widget whose lag slider moves)."""
    xs, ys = src.get(x), src.get(y)
    by_cols = src.by or []
    series = xs.rename(columns={"value": "x"})
    series["y"] = ys["value"].to_numpy()
    rows = []
    groups = [((), series)] if not by_cols else list(series.groupby(by_cols, sort=True, observed=True, dropna=False))
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        xv, yv = part["x"].to_numpy(np.float64), part["y"].to_numpy(np.float64)
        for lag in lags:
            a, b = _lag_aligned(xv, yv, lag)
            rows.append({**dict(zip(by_cols, key)), "lag": lag, **corr_stats(a, b, method, adjust, confidence)})
    table = pd.DataFrame(rows, columns=by_cols + ["lag", "n", "n_eff", "r", "ci_low", "ci_high", "p_value", "note"])
    table["n"] = table["n"].astype(np.int64)
    best = np.zeros(len(table), dtype=bool)
    seg = table[by_cols].astype(str).agg("|".join, axis=1) if by_cols else pd.Series("", index=table.index)
    for _, idx in table.groupby(seg, sort=False).groups.items():
        n = table.loc[idx, "n"]
        mag = table.loc[idx, "r"].abs().where(n >= n.max() / 2)  # a far lag with few pairs cannot win
        if mag.notna().any():
            best[table.index.get_loc(mag.idxmax())] = True
    table.insert(table.columns.get_loc("note"), "best", best)
    return Correlation(x, y, src.freq, method, table, series, by_cols or None)
