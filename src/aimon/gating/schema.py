"""Schema and data checks of a batch against a reference :class:`~aimon.Profile`.

The profile (``ref.aimon.profile()``, or its JSON/npz file) says which columns the model was
trained on, their kind (numeric or categorical) and dtype, the range of numeric values, the
categories seen and the share of missing values. A batch fails when a column is missing or of
the wrong kind, when more than ``max_share`` of its rows lie outside the training range widened
by ``range_tolerance`` x (max - min) or carry categories never seen in training, when its missing
share grows by more than ``max_missing_increase``, and (``drift="fail"``) when the drift engine's
calibrated verdict says the column's distribution moved. Every failure names the column and the
number of rows.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..datadrift._columns import category_codes, kind_of, numeric_values
from ..datadrift.profile import Profile
from ..errors import AimonError, SchemaError
from .result import make, row

ON_OFF = ("fail", "warn", "off")


def load_profile(schema) -> Profile:
    """A Profile from a Profile, a DataFrame (profiled), or the path of a saved profile."""
    if isinstance(schema, Profile):
        return schema
    if isinstance(schema, pd.DataFrame):
        from ..datadrift.profile import profile

        return profile(schema)
    if isinstance(schema, (str, Path)):
        path = Path(schema)
        if not path.exists():
            raise AimonError(f"schema={str(schema)!r}: no such file. Save a profile with "
                             "ref.aimon.profile().to_json('ref.json').")
        try:
            return Profile.from_npz(path) if path.suffix == ".npz" else Profile.from_json(path)
        except AimonError:
            raise
        except Exception as exc:  # unreadable file: say which
            raise AimonError(f"schema={str(schema)!r} is not a readable aimon profile ({exc}).") from exc
    raise AimonError(f"schema= must be a Profile, a DataFrame or a profile file path, got {type(schema).__name__}.")


def _family(dtype) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype) or str(dtype).startswith("datetime"):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype) or str(dtype).startswith("timedelta"):
        return "timedelta"
    if str(dtype) in ("bool", "boolean"):
        return "boolean"
    return "other"


def _pct(k, n) -> str:
    return f"{k:,} of {n:,} rows ({k / n:.1%})" if n else f"{k} rows"


def schema_rows(df: pd.DataFrame, prof: Profile, range_tolerance: float = 0.1, max_share: float = 0.01,
                max_missing_increase: float = 0.05, drift: str = "fail", alpha: float = 0.05,
                ignore=()) -> list:
    """The schema/data check rows of ``df`` against ``prof`` (see the module docstring)."""
    if drift not in ON_OFF:
        raise AimonError(f"drift={drift!r}: use 'fail', 'warn' or 'off'.")
    for name, v, hi in (("range_tolerance", range_tolerance, np.inf), ("max_share", max_share, 1.0),
                        ("max_missing_increase", max_missing_increase, 1.0)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= hi:
            raise AimonError(f"{name}={v!r}: use a number between 0 and {hi}.")
    n = len(df)
    rows = []
    absent = [c for c in prof.names if c not in df.columns]
    rows.append(row("schema.columns", "fail" if absent else "pass", len(absent), 0,
                    f"missing column(s): {', '.join(map(repr, absent))} (all {n:,} rows lack them)" if absent
                    else f"all {len(prof.names)} profiled columns present", "column names"))
    extra = [c for c in df.columns if c not in prof and c not in set(ignore)]
    if extra:
        rows.append(row("schema.extra_columns", "warn", len(extra), 0,
                        f"column(s) not in the profile: {', '.join(map(repr, extra[:20]))}"
                        + (" …" if len(extra) > 20 else ""), "column names"))
    ok = []
    bad_kind, out_range, unseen_rows, missing_rows = [], [], [], []
    for name in prof.names:
        if name not in df.columns:
            continue
        cp, s = prof[name], df[name]
        kind = kind_of(s)
        if kind != cp.kind or (_family(cp.dtype) != _family(s.dtype) and "other" not in (_family(cp.dtype),
                                                                                        _family(s.dtype))):
            bad_kind.append(row(f"schema.dtype[{name}]", "fail", np.nan, np.nan,
                                f"column {name!r} is {cp.kind} ({cp.dtype}) in the profile but {kind} ({s.dtype}) "
                                f"here: all {n:,} rows affected", "kind and dtype"))
            continue
        ok.append(name)
        n_miss = int(s.isna().sum())
        ref_share = cp.n_missing / cp.n_rows if cp.n_rows else 0.0
        cur_share = n_miss / n if n else 0.0
        if cur_share - ref_share > max_missing_increase:
            missing_rows.append(row(f"schema.missing[{name}]", "fail", cur_share, ref_share + max_missing_increase,
                                    f"missing share {ref_share:.1%} in the profile, {cur_share:.1%} here: "
                                    f"{_pct(n_miss, n)} missing", "missing share"))
        if cp.kind == "numeric":
            rng = cp.value_range
            if rng is None:
                continue
            vals, _, n_inf = numeric_values(s)
            lo, hi = rng
            span = hi - lo if hi > lo else max(abs(lo), 1.0)
            lo_t, hi_t = lo - range_tolerance * span, hi + range_tolerance * span
            with np.errstate(invalid="ignore"):
                k = int(np.sum((vals < lo_t) | (vals > hi_t))) + n_inf
            if k:
                status = "fail" if k > max_share * n else "warn"
                out_range.append(row(f"schema.range[{name}]", status, k / n, max_share,
                                     f"{_pct(k, n)} outside the training range [{lo:.4g}, {hi:.4g}] widened by "
                                     f"{range_tolerance:g} x its width", "range"))
        else:
            _, unseen = category_codes(s, list(cp.categories or []))
            k = int(unseen.sum())
            if k:
                status = "fail" if k > max_share * n else "warn"
                shown = ", ".join(repr(c) for c in unseen.sort_values(ascending=False).index[:5])
                unseen_rows.append(row(f"schema.categories[{name}]", status, k / n, max_share,
                                       f"{_pct(k, n)} with categories never seen in training: {shown}",
                                       "allowed categories"))
    rows += bad_kind
    if not bad_kind:
        rows.append(row("schema.dtypes", "pass", 0, 0, f"{len(ok)} columns of the profiled kind", "kind and dtype"))
    for group, label, test in ((out_range, "schema.ranges", "range"), (unseen_rows, "schema.categories", "allowed categories"),
                               (missing_rows, "schema.missing", "missing share")):
        rows += group
        if not any(r["status"] == "fail" for r in group):
            rows.append(row(label, "pass", 0, 0, "no column beyond its limit", test))
    if drift != "off" and ok and n:
        rows += _drift_rows(df, prof, ok, drift, alpha)
    return rows


def _drift_rows(df, prof, columns, on_drift, alpha) -> list:
    from ..datadrift.report import drift

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rep = drift(df, prof, columns=columns, alpha=alpha)
        except SchemaError as exc:
            return [row("data.drift", "warn", evidence=f"drift not computed: {exc}", test="aimon.drift")]
    rows = []
    for r in rep.table[rep.table["drifted"]].itertuples(index=False):
        why = []
        if r.value_drifted:
            why.append(f"{r.method} {r.statistic:.3g} > {r.threshold:.3g}" if np.isnan(r.p_value)
                       else f"{r.method} adjusted p {r.p_adjusted:.2g}")
        if r.missing_drifted:
            why.append(f"missing share {r.missing_ref:.1%} -> {r.missing_cur:.1%}")
        rows.append(row(f"data.drift[{r.column}]", on_drift, r.effect_size, np.nan,
                        f"distribution of {r.column!r} moved ({'; '.join(why)}; {r.n_cur:,} rows)",
                        "aimon.drift (calibrated)", r.p_adjusted))
    if not rows:
        rows.append(row("data.drift", "pass", 0, 0, f"no drift in {len(rep.table)} columns", "aimon.drift (calibrated)"))
    return rows


def check(df: pd.DataFrame, profile, range_tolerance: float = 0.1, max_share: float = 0.01,
          max_missing_increase: float = 0.05, drift: str = "fail", alpha: float = 0.05, **roles):
    """Check a batch of model inputs against the reference profile the model was trained on.

    Parameters
    ----------
    df : DataFrame
        The batch to validate.
    profile : Profile, DataFrame or path
        The reference (``ref.aimon.profile()``, the training frame itself, or a profile saved
        with ``Profile.to_json`` / ``to_npz``).
    range_tolerance : float
        Numeric values may exceed the training range by this fraction of its width (0.1).
    max_share : float
        Share of rows out of range or with unseen categories that fails a column (0.01); any
        such row is at least a warning.
    max_missing_increase : float
        Largest allowed growth of a column's missing share (0.05).
    drift : {'fail', 'warn', 'off'}
        What a drifted column (the calibrated verdict of :func:`aimon.drift`) does to the gate.
    alpha : float
        Level of the drift tests.
    **roles
        Role overrides; columns playing a role (timestamp, prediction, ...) are not reported
        as extra columns.

    Returns
    -------
    GateResult

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> ref = pd.DataFrame({"x": np.linspace(0, 1, 500), "c": ["a", "b"] * 250})
    >>> batch = pd.DataFrame({"x": [0.2, 0.5, 3.0] * 10, "c": ["a", "b", "z"] * 10})
    >>> res = batch.aimon.check(ref.aimon.profile(), drift="off")
    >>> res.passed, res.failed["check"].tolist()
    (False, ['schema.range[x]', 'schema.categories[c]'])
    """
    from ..roles import infer_roles

    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"check() expects a pandas DataFrame, got {type(df).__name__}.")
    prof = load_profile(profile)
    if len(df) == 0:
        raise AimonError("The batch has no rows: nothing to check against the profile.")
    r = infer_roles(df, **roles)
    ignore = [c for k, c in r.items() if k != "features" and c is not None]
    rows = schema_rows(df, prof, range_tolerance, max_share, max_missing_increase, drift, alpha, ignore)
    return make(rows, {"rows": len(df), "profiled columns": len(prof.names)}, title="Data check")
