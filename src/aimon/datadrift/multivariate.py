"""Multivariate drift: changes in the joint distribution that no single column shows.

Two complementary signals per time window, on the numeric features standardised by the
reference (missing values imputed with the reference mean, and counted):

* **PCA reconstruction error.** Principal axes are fitted on one half of the reference (numpy
  SVD) with enough components for ``variance`` of the variance; the mean squared reconstruction
  error of each window is compared with its value on the other reference half. A broken
  correlation raises the error even when every marginal is unchanged. Threshold: the held-out
  mean plus ``z`` standard errors for the window's size, and at least ``min_increase`` above it.
* **Domain classifier.** A logistic regression (numpy Newton iterations, L2 penalty) learns to
  tell the window's rows from as many reference rows; its two-fold cross-validated ROC AUC is
  0.5 when nothing changed. Threshold: 0.5 plus ``z`` null standard deviations of the AUC, at
  least ``min_auc``. (Logistic rather than gradient boosting: numpy suffices, no dependency.)
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from .._log import prepare, windows
from ..errors import AimonError, AimonWarning, SchemaError
from ..roles import infer_roles, require
from ._columns import kind_of, numeric_values


Z_999 = 3.090232306167813  # standard normal 0.999 quantile


class MultivariateDrift:
    """Per-window multivariate drift: ``.table`` with ``window, n_cur, reconstruction_error,
    error_threshold, error_drifted, auc, auc_threshold, auc_drifted, drifted``; ``.plot()``."""

    def __init__(self, table: pd.DataFrame, columns: list, n_components: int, reference_error: float,
                 imputed: dict):
        self.table = table
        self.columns = columns
        self.n_components = n_components
        self.reference_error = reference_error
        self.imputed = imputed

    def plot(self, ax=None):
        """Reconstruction error and its threshold per window (drifted windows marked)."""
        from ..plotting import _axes

        ax = _axes(ax)
        t = self.table
        ax.plot(t["window"], t["reconstruction_error"], lw=1, label="reconstruction error")
        ax.plot(t["window"], t["error_threshold"], lw=1, ls="--", label="threshold")
        d = t[t["drifted"]]
        ax.scatter(d["window"], d["reconstruction_error"], color="tab:red", s=15, label="drifted", zorder=3)
        ax.set_title(f"multivariate drift ({len(self.columns)} features, {self.n_components} components)",
                     fontsize=10)
        ax.legend(fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
        return ax

    def __repr__(self) -> str:
        return (f"MultivariateDrift({len(self.table)} windows, {int(self.table['drifted'].sum())} drifted, "
                f"{len(self.columns)} features)")

    def _repr_html_(self) -> str:
        cols = html.escape(", ".join(map(str, self.columns)))
        return f"<p><b>{html.escape(repr(self))}</b><br>features: {cols}</p>" + self.table.to_html(max_rows=40)


def _matrix(df: pd.DataFrame, columns, mean=None):
    """Float matrix of ``columns``; missing/invalid cells counted and imputed with ``mean``."""
    cols, imputed = [], {}
    for c in columns:
        v, n_missing, n_invalid = numeric_values(df[c])
        cols.append(v)
        imputed[c] = n_missing + n_invalid
    x = np.column_stack(cols) if cols else np.zeros((len(df), 0))
    if mean is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(x, axis=0)
    bad = np.isnan(x)
    if bad.any():
        x = np.where(bad, mean, x)
    return x, mean, imputed


def pca_axes(z: np.ndarray, variance: float) -> np.ndarray:
    """Principal axes (features x k) of the centred rows ``z`` explaining ``variance`` of it."""
    _, s, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    share = np.cumsum(s ** 2) / max(np.sum(s ** 2), 1e-300)
    k = int(np.searchsorted(share, variance) + 1)
    return vt[: min(k, vt.shape[0])].T


def reconstruction_error(z: np.ndarray, axes: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Mean squared error per row of projecting ``z`` on ``axes`` (through ``centre``) and back."""
    c = z - centre
    back = (c @ axes) @ axes.T
    return np.mean((c - back) ** 2, axis=1)


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = 1.0, iters: int = 50, tol: float = 1e-10):
    """L2-penalised logistic regression by Newton's method; minimises
    0.5 |w|^2 + c * sum(logloss), the intercept unpenalised (as scikit-learn's ``C=c``).
    Returns (w, b)."""
    n, d = x.shape
    xb = np.column_stack([x, np.ones(n)])
    beta = np.zeros(d + 1)
    pen = np.ones(d + 1)
    pen[-1] = 0.0
    for _ in range(iters):
        eta = xb @ beta
        p = 0.5 * (1.0 + np.tanh(0.5 * eta))  # the logistic function without overflow
        grad = c * (xb.T @ (p - y)) + pen * beta
        hess = c * (xb.T * (p * (1 - p))) @ xb + np.diag(pen + 1e-12)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < tol:
            break
    return beta[:-1], beta[-1]


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC with tied scores counted half (the Mann-Whitney U form)."""
    from .._kernels.ranking import window_auc

    return float(window_auc(np.asarray(scores, dtype=np.float64), positive.astype(np.float64),
                            np.array([0, scores.size], dtype=np.int64))[0])


def domain_auc(ref: np.ndarray, cur: np.ndarray, seed: int = 0) -> float:
    """Two-fold cross-validated AUC of a logistic classifier telling ``cur`` rows from ``ref`` rows."""
    rng = np.random.default_rng(seed)
    x = np.vstack([ref, cur])
    y = np.r_[np.zeros(len(ref)), np.ones(len(cur))]
    fold = rng.permutation(len(y)) % 2
    scores = np.empty(len(y))
    for f in (0, 1):
        train, test = fold != f, fold == f
        w, b = fit_logistic(x[train], y[train])
        scores[test] = x[test] @ w + b
    return auc(scores, y)


def multivariate_drift(df: pd.DataFrame, reference: pd.DataFrame, freq="1D", columns=None,
                       variance: float = 0.9, z: float = Z_999, min_increase: float = 0.1,
                       min_auc: float = 0.55, classifier: bool = True, max_reference_rows: int = 100_000,
                       seed: int = 0, **roles) -> MultivariateDrift:
    """Multivariate drift of ``df`` per window of ``freq`` against the ``reference`` rows.

    Parameters
    ----------
    df, reference : DataFrame
        The log (with a timestamp) and the reference rows (a DataFrame; profiles hold marginals only).
    columns : list, optional
        Numeric features to use (default: the numeric features both frames have).
    variance : float
        Share of the reference variance the principal components keep.
    z, min_increase : float
        Error threshold = held-out reference error * (1 + min_increase) at least, and the held-out
        mean + z standard errors for the window's size.
    min_auc, classifier : float, bool
        Floor of the AUC threshold; ``classifier=False`` skips the domain classifier.
    max_reference_rows, seed : int
        Reference rows used (a seeded sample when there are more).

    Returns
    -------
    MultivariateDrift

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=4000)
    >>> ref = pd.DataFrame({"x": a, "y": a + 0.1 * rng.normal(size=4000)})
    >>> b = rng.normal(size=2000)
    >>> y = np.r_[b[:1000] + 0.1 * rng.normal(size=1000), -b[1000:]]   # correlation flips on day 2
    >>> cur = pd.DataFrame({"x": b, "y": y}, index=pd.date_range("2026-01-01", periods=2000, freq="86.4s"))
    >>> cur.aimon.multivariate_drift(ref, freq="1D").table["drifted"].tolist()
    [False, True]
    """
    if not isinstance(df, pd.DataFrame) or not isinstance(reference, pd.DataFrame):
        raise SchemaError("multivariate_drift() needs the log and the reference as DataFrames.")
    if not 0 < variance < 1:
        raise AimonError(f"variance={variance!r}: use a share such as 0.9.")
    role_names = {k: v for k, v in roles.items() if k != "features"}
    r = infer_roles(df, **role_names, **({"features": roles["features"]} if "features" in roles else {}))
    require(r, ["timestamp"], df, "multivariate_drift")
    if columns is None:
        columns = [c for c in r["features"] if c in reference.columns and kind_of(df[c]) == "numeric"
                   and kind_of(reference[c]) == "numeric"]
    else:
        absent = [c for c in columns if c not in df.columns or c not in reference.columns]
        if absent:
            raise SchemaError([f"columns=: {absent!r} missing from the log or the reference."], df.columns)
        wrong = [c for c in columns if kind_of(df[c]) != "numeric" or kind_of(reference[c]) != "numeric"]
        if wrong:
            raise SchemaError([f"columns=: {wrong!r} are not numeric; multivariate drift uses numeric features."],
                              df.columns)
    if len(columns) < 2:
        raise SchemaError([f"multivariate_drift needs at least 2 numeric features, found {list(columns)!r}. "
                           "Pass columns=[...]."], df.columns)
    if len(reference) < 20:
        raise AimonError(f"The reference has {len(reference)} rows; multivariate drift needs at least 20.")
    ref = reference
    if len(ref) > max_reference_rows:
        ref = ref.sample(max_reference_rows, random_state=seed)
    xr, mean, imputed_ref = _matrix(ref, columns)
    sd = xr.std(axis=0)
    sd[~(sd > 0)] = 1.0
    zr = (xr - mean) / sd
    rng = np.random.default_rng(seed)
    half = rng.permutation(len(zr)) % 2 == 0
    axes = pca_axes(zr[half], variance)
    centre = zr[half].mean(axis=0)
    held = reconstruction_error(zr[~half], axes, centre)
    mu, sigma = float(held.mean()), float(held.std())
    log = prepare(df, r)
    win = windows(log.times, freq)
    bounds = win.bounds(log.i8)
    xc, _, imputed_cur = _matrix(df.iloc[log.rows] if not isinstance(log.rows, slice) else df, columns, mean)
    zc = (xc - mean) / sd
    err = reconstruction_error(zc, axes, centre)
    rows = []
    for k, label in enumerate(win.labels):
        a, b = bounds[k], bounds[k + 1]
        n = b - a
        e = float(err[a:b].mean()) if n else np.nan
        thr = max(mu * (1 + min_increase), mu + z * sigma / np.sqrt(n)) if n else np.nan
        row = {"window": label, "n_cur": n, "reconstruction_error": e, "error_threshold": thr,
               "error_drifted": bool(n and e > thr)}
        if classifier:
            au, at = np.nan, np.nan
            if n >= 10:
                m = min(n, len(zr))
                pick = rng.choice(len(zr), m, replace=False)
                au = domain_auc(zr[pick], zc[a:b], seed + k)
                sd_auc = np.sqrt((m + n + 1) / (12.0 * m * n))
                at = max(min_auc, 0.5 + z * sd_auc)
            row.update({"auc": au, "auc_threshold": at, "auc_drifted": bool(n >= 10 and au > at)})
        rows.append(row)
    table = pd.DataFrame(rows)
    table["drifted"] = table["error_drifted"] | (table["auc_drifted"] if classifier else False)
    imputed = {c: imputed_ref[c] + imputed_cur[c] for c in columns if imputed_ref[c] + imputed_cur[c]}
    if imputed:
        warnings.warn(f"multivariate_drift: missing values imputed with the reference mean: {imputed}",
                      AimonWarning, stacklevel=2)
    return MultivariateDrift(table, list(columns), axes.shape[1], mu, imputed)
