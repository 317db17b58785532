"""``df.aimon.drift(reference)``: one verdict per column, current data against a reference.

The reference (a DataFrame or a :class:`~aimon.datadrift.profile.Profile`) is profiled once; each
column is compared with the default method of its kind (Wasserstein distance in reference
standard deviations for numeric columns, Jensen-Shannon distance for categorical ones) or the
one asked for, against a threshold that stays sane at any sample size (see
:mod:`aimon.datadrift.calibrate`). The missing share of every column is tested too.
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from ..errors import AimonError, AimonWarning, SchemaError
from . import _evaluate, calibrate
from ._columns import check_same_kind
from .profile import Profile, profile, select_columns

COLUMNS = ["column", "kind", "method", "statistic", "p_value", "p_adjusted", "threshold", "drifted",
           "value_drifted", "missing_drifted", "effect_size", "n_ref", "n_cur", "missing_ref", "missing_cur",
           "missing_p_value", "unseen", "note"]


class DriftReport:
    """Drift of each column of the current data against a reference.

    Attributes
    ----------
    table : DataFrame
        One row per column, worst first: ``column, kind, method, statistic, p_value, p_adjusted,
        threshold, drifted, value_drifted, missing_drifted, effect_size, n_ref, n_cur,
        missing_ref, missing_cur, missing_p_value, unseen, note``. ``effect_size`` is the
        Wasserstein distance in reference sds (numeric) or the total variation (categorical).
    skipped : DataFrame
        Columns that could not be compared (``column, reason``).
    profile : Profile
        The reference profile used (reuse it for later calls).

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> ref = pd.DataFrame({"x": np.linspace(0, 1, 1000)})
    >>> report = pd.DataFrame({"x": np.linspace(0.5, 1.5, 300)}).aimon.drift(ref)
    >>> report.drifted_columns, report.summary().splitlines()[0]
    (['x'], '1 of 1 columns drifted')
    """

    def __init__(self, table: pd.DataFrame, profile: Profile, skipped: pd.DataFrame, current_unseen: dict,
                 current=None):
        self.table = table
        self.profile = profile
        self.skipped = skipped
        self.unseen_categories = current_unseen
        self._current = current  # per-column sorted values / counts for plots (not the input frame)

    @property
    def drifted_columns(self) -> list:
        return self.table.loc[self.table["drifted"], "column"].tolist()

    def summary(self) -> str:
        """One line per drifted column, plus a headline."""
        t = self.table
        lines = [f"{int(t['drifted'].sum())} of {len(t)} columns drifted"]
        for r in t[t["drifted"]].itertuples():
            why = []
            if r.value_drifted:
                why.append(f"{r.method} {r.statistic:.3g} > {r.threshold:.3g}" if np.isnan(r.p_value)
                           else f"{r.method} p_adj {r.p_adjusted:.2g}, effect {r.effect_size:.3g}")
            if r.missing_drifted:
                why.append(f"missing share {r.missing_ref:.1%} -> {r.missing_cur:.1%}")
            lines.append(f"  {r.column}: " + "; ".join(why))
        if len(self.skipped):
            lines.append(f"{len(self.skipped)} column(s) skipped: " + ", ".join(map(str, self.skipped["column"])))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "DriftReport\n" + self.summary()

    def plot(self, ax=None, columns=None, max_columns: int = 6):
        """Reference vs current distribution per column (worst first); returns the Axes (an array
        of Axes when several columns are drawn and ``ax`` is None)."""
        from ._plot import plot_report

        return plot_report(self, ax=ax, columns=columns, max_columns=max_columns)

    def _repr_html_(self) -> str:
        t = self.table
        rows = []
        for r in t.itertuples():
            style = ' style="background:#fde0dd"' if r.drifted else ""
            p = "" if np.isnan(r.p_value) else f"{r.p_value:.2g}"
            rows.append(f"<tr{style}><td>{html.escape(str(r.column))}</td><td>{html.escape(r.kind)}</td>"
                        f"<td>{html.escape(r.method)}</td><td>{r.statistic:.4g}</td><td>{p}</td>"
                        f"<td>{r.threshold:.4g}</td><td>{'yes' if r.drifted else ''}</td>"
                        f"<td>{r.missing_ref:.2%} &rarr; {r.missing_cur:.2%}</td><td>{html.escape(str(r.note))}</td></tr>")
        head = "".join(f"<th>{h}</th>" for h in ("column", "kind", "method", "statistic", "p-value", "threshold",
                                                 "drifted", "missing", "note"))
        return (f"<p><b>Drift report</b>: {int(t['drifted'].sum())} of {len(t)} columns drifted</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _as_profile(reference, columns, roles, bins, null_quantile, seed) -> Profile:
    if isinstance(reference, Profile):
        return reference
    if isinstance(reference, pd.DataFrame):
        if columns is None:
            columns = list(select_columns(reference, None, roles))
        else:
            columns = [c for c in ([columns] if isinstance(columns, (str, int)) else columns) if c in reference.columns]
        return profile(reference, columns=columns, bins=bins, null_quantile=null_quantile, seed=seed)
    raise SchemaError(f"reference must be a DataFrame or a Profile, got {type(reference).__name__}.")


def plan(df: pd.DataFrame, prof: Profile, columns, method, roles, what="drift"):
    """[(column profile, current Series, method)] and the skipped columns with reasons.

    Skipped columns are warned about (they are listed in the result's ``.skipped``); no column
    left to compare is a SchemaError."""
    if columns is None:
        wanted = list(select_columns(df, None, roles))
        wanted += [c for c in prof.names if c not in wanted and c in df.columns]
    else:
        wanted = select_columns(df, columns, roles)
    skipped = []
    items = []
    for name in wanted:
        if name not in prof:
            if columns is not None:
                raise SchemaError([f"Column {name!r} is not in the reference (profile columns: "
                                   f"{', '.join(map(repr, prof.names[:20]))}). Profile it or leave it out of columns=."],
                                  df.columns)
            skipped.append((name, "not in the reference"))
            continue
        cp = prof[name]
        check_same_kind(name, cp.kind, df[name], df.columns)
        m = method.get(name, method.get(cp.kind, "auto")) if isinstance(method, dict) else method
        items.append((cp, df[name], calibrate.check_method(m, cp.kind)))
    for name in prof.names:
        if name not in df.columns:
            skipped.append((name, "not in the current data"))
    if columns is None:  # output-like columns (p, pred_*, prob_*) are not inputs: said, not compared
        from ..roles import infer_roles

        skipped += [(c, "looks like a model output, not an input; pass features=[...] to compare it")
                    for c in infer_roles(df, **roles).held_out if c not in wanted]
    if skipped:
        warnings.warn(f"{what}: {len(skipped)} column(s) not compared (see .skipped): "
                      + ", ".join(f"{c!r} ({why})" for c, why in skipped), AimonWarning, stacklevel=3)
    if not items:
        raise SchemaError(["No column to compare: the current data and the reference share no feature "
                           "column. Pass columns=[...]."], df.columns)
    return items, pd.DataFrame(skipped, columns=["column", "reason"])


def check_options(alpha, correction, min_missing):
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise AimonError(f"alpha={alpha!r}: use a probability such as 0.05.")
    if correction not in ("bh", None):
        raise AimonError(f"correction={correction!r}: use 'bh' (Benjamini-Hochberg) or None.")
    if not (isinstance(min_missing, (int, float)) and 0 <= min_missing <= 1):
        raise AimonError(f"min_missing={min_missing!r}: use a share between 0 and 1.")


BATCH_VALUES = 40_000_000  # numeric columns are compared in batches of about this many values


def _batches(items):
    """Numeric columns in groups of at most ~BATCH_VALUES reference + current values, so that the
    working copies of a wide frame never all exist at once (peak memory stays near the data)."""
    batch, size = [], 0
    for it in items:
        n = it[0].n_valid + len(it[1])
        if batch and size + n > BATCH_VALUES:
            yield batch
            batch, size = [], 0
        batch.append(it)
        size += n
    if batch:
        yield batch


def run(items, prof, bounds, alpha, correction, min_effect, threshold, min_missing):
    num = [it for it in items if it[0].kind == "numeric"]
    cat = [it for it in items if it[0].kind == "categorical"]
    results = []
    for batch in _batches(num):
        results += _evaluate.compare_numeric(batch, bounds)
    results += _evaluate.compare_categorical(cat, bounds)
    profiles = [it[0] for it in num + cat]
    return _evaluate.decide(results, profiles, prof, alpha, correction, min_effect, threshold,
                            min_missing)


def drift(df: pd.DataFrame, reference, columns=None, method="auto", threshold=None, alpha: float = 0.05,
          correction="bh", min_effect=None, min_missing: float = calibrate.MIN_EFFECT["missing"],
          bins: int = 10, null_quantile: float = calibrate.NULL_QUANTILE, seed: int = 0, **roles) -> DriftReport:
    """Compare the distribution of each column of ``df`` with ``reference``.

    Parameters
    ----------
    df : DataFrame
        The current data.
    reference : DataFrame or Profile
        The reference data, or its profile (``ref.aimon.profile()``) to skip profiling.
    columns : list, optional
        Columns to compare; by default the features of ``df`` that the reference has (columns in
        only one of the two are listed in ``report.skipped``).
    method : str or dict
        'auto' (Wasserstein/sd for numeric, Jensen-Shannon for categorical columns) or one of
        ``ks, kuiper, wasserstein, energy, cramervonmises, anderson, mannwhitney, psi,
        jensenshannon, kl, hellinger, tv`` (numeric) and ``jensenshannon, psi, kl, hellinger, tv,
        chi2, gtest`` (categorical); a dict maps column names or kinds ('numeric', 'categorical') to
        methods, the others using 'auto'.
    threshold : float, optional
        A fixed threshold instead of the calibrated one (on the statistic, or on the p-value for
        test methods).
    alpha, correction : float, {'bh', None}
        Level of the tests (p-value methods and the missing-share test) and the correction across
        columns (Benjamini-Hochberg by default).
    min_effect : float, optional
        Smallest change worth flagging, in the unit of the statistic (defaults per method in
        ``calibrate.MIN_EFFECT``); for p-value methods a floor on ``effect_size``. 0 disables it.
    min_missing : float
        Smallest absolute change of the missing share that is flagged (0.02).
    bins, null_quantile, seed
        Profiling options when ``reference`` is a DataFrame (see :func:`aimon.profile`).
    **roles
        Role overrides (e.g. ``features=[...]``).

    Returns
    -------
    DriftReport

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b"], 2000)})
    >>> cur = pd.DataFrame({"x": rng.normal(1.0, 1.0, 500), "c": rng.choice(["a", "b"], 500)})
    >>> cur.aimon.drift(ref).table[["column", "drifted"]].values.tolist()
    [['x', True], ['c', False]]
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"drift() expects a pandas DataFrame, got {type(df).__name__}.")
    check_options(alpha, correction, min_missing)
    if len(df) == 0:
        raise AimonError("The current frame has no rows: nothing to compare with the reference.")
    prof = _as_profile(reference, columns, roles, bins, null_quantile, seed)
    items, skipped = plan(df, prof, columns, method, roles, "drift")
    bounds = np.array([0, len(df)], dtype=np.int64)
    results = run(items, prof, bounds, alpha, correction, min_effect, threshold, min_missing)
    rows = []
    unseen = {}
    for r in results:
        cp = prof[r["column"]]
        rows.append({"column": r["column"], "kind": r["kind"], "method": r["method"],
                     **{k: r[k][0] for k in ("statistic", "p_value", "p_adjusted", "threshold", "drifted",
                                             "value_drifted", "missing_drifted", "effect_size", "n_cur",
                                             "missing_cur", "missing_p_value", "unseen", "note")},
                     "n_ref": cp.n_valid, "missing_ref": r["missing_ref"]})
        if r["unseen_labels"]:
            unseen[r["column"]] = list(r["unseen_labels"])
    table = pd.DataFrame(rows)[COLUMNS]
    order = np.lexsort((-table["effect_size"].fillna(-1).to_numpy(), ~table["drifted"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    for c in ("drifted", "value_drifted", "missing_drifted"):
        table[c] = table[c].astype(bool)
    for c in ("n_ref", "n_cur", "unseen"):
        table[c] = table[c].astype(np.int64)
    return DriftReport(table, prof, skipped, unseen, current={it[0].name: it[1] for it in items})
