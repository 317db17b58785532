"""Roles of columns in an inference log: inference, overrides and persistence.

A role (``latency``, ``label``, ...) names what a column means. Roles are inferred from
conventional column names, overridden per call by keyword (``latency="t_ms"``) and persistently
with :func:`with_roles`, which stores them in ``DataFrame.attrs["aimon_roles"]`` of a new frame.
"""
from __future__ import annotations

import html

import pandas as pd

from .errors import SchemaError

ATTRS_KEY = "aimon_roles"
INDEX = "<index>"  # the value of the timestamp role when the DatetimeIndex is the timestamp

# role -> conventional names, in order of preference (matched case-insensitively)
CONVENTIONAL = {
    "timestamp": ("timestamp", "ts", "time", "request_time", "datetime"),
    "latency": ("latency_ms", "latency", "duration_ms", "response_time_ms"),
    "ttft": ("ttft_ms", "ttft", "time_to_first_token_ms"),
    "error": ("error", "is_error", "status_code"),
    "prediction": ("prediction", "pred", "y_pred", "predicted"),
    "score": ("score", "proba", "probability", "y_score", "y_proba"),
    "label": ("label", "y_true", "target", "ground_truth"),
    "label_time": ("label_time", "label_timestamp"),
    "input_tokens": ("input_tokens", "prompt_tokens"),
    "output_tokens": ("output_tokens", "completion_tokens"),
    "cost": ("cost_usd", "cost"),
    "fallback": ("fallback", "fallback_to_human", "handoff"),
    "hallucination": ("hallucination", "is_hallucination", "hallucinated"),
    "feedback": ("feedback", "user_feedback"),
    "segment": ("model_version",),
    "request_id": ("request_id",),
    "value": ("value_usd",),
}
ROLES = tuple(CONVENTIONAL) + ("features",)

DESCRIPTIONS = {
    "timestamp": "request time",
    "latency": "end-to-end inference time (ms)",
    "ttft": "LLM time to first token (ms)",
    "error": "failed request (bool, or HTTP status >= 500)",
    "prediction": "model output (class or value)",
    "score": "model confidence / probability of the positive class",
    "label": "ground truth (NaN until it arrives)",
    "label_time": "when the ground truth arrived",
    "input_tokens": "LLM input tokens",
    "output_tokens": "LLM output tokens",
    "cost": "cost per request (USD)",
    "fallback": "request handed to a human",
    "hallucination": "graded hallucination (1/0; NaN where not evaluated)",
    "feedback": "user feedback (up/down or -1/+1; missing where none)",
    "segment": "slice to compare (e.g. model version)",
    "request_id": "key to join late labels",
    "value": "value of the task per request (USD), for ROI",
    "features": "model inputs (numeric or categorical)",
}


class Roles(dict):
    """Mapping role -> column name (``None`` when absent); ``features`` maps to a list.

    Shown as a table in notebooks; ``.table`` is the same as a DataFrame.
    """

    @property
    def table(self) -> pd.DataFrame:
        rows = []
        for role in ROLES:
            col = self.get(role)
            if role == "features":
                col = ", ".join(map(str, col)) if col else None
            rows.append({"role": role, "column": col, "meaning": DESCRIPTIONS[role]})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        t = self.table
        t = t[t["column"].notna()]
        width = max((len(r) for r in t["role"]), default=4)
        lines = [f"{r:<{width}}  {c}" for r, c in zip(t["role"], t["column"])]
        return "Roles\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r)}</td><td>{'&mdash;' if pd.isna(c) else html.escape(str(c))}</td>"
            f"<td>{html.escape(m)}</td></tr>"
            for r, c, m in self.table.itertuples(index=False)
        )
        return ("<table><thead><tr><th>role</th><th>column</th><th>meaning</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")


def _lookup(columns, names):
    lowered = {}
    for c in columns:
        if isinstance(c, str):
            lowered.setdefault(c.lower(), c)
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def _check_overrides(overrides):
    unknown = sorted(set(overrides) - set(ROLES))
    if unknown:
        raise SchemaError(
            [f"Unknown role keyword(s): {', '.join(map(repr, unknown))}. "
             f"Known roles: {', '.join(ROLES)}."])


def infer_roles(df: pd.DataFrame, **overrides) -> Roles:
    """Return the roles of ``df``'s columns.

    Precedence: keyword overrides, then roles stored by :func:`with_roles`, then conventional
    names. Pass ``role=None`` to declare a role absent. Nothing is validated here beyond the
    existence of named columns; each metric checks the types of the roles it uses.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    **overrides
        ``role="column"`` (or ``None``) for any role in :data:`ROLES`.

    Returns
    -------
    Roles
        A dict of role -> column (``"<index>"`` for a DatetimeIndex timestamp); ``.table`` shows it.

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> df = pd.DataFrame({"latency_ms": [12.0], "label": [1], "x": [0.5]},
    ...                   index=pd.to_datetime(["2026-01-01"]))
    >>> r = aimon.infer_roles(df)
    >>> r["latency"], r["timestamp"], r["features"]
    ('latency_ms', '<index>', ['x'])
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(df).__name__}.")
    _check_overrides(overrides)
    stored = dict(df.attrs.get(ATTRS_KEY, {}) or {})
    columns = list(df.columns)
    roles = Roles()
    missing = []
    for role, names in CONVENTIONAL.items():
        if role in overrides:
            col = overrides[role]
        elif role in stored:
            col = stored[role]
        elif role == "timestamp" and isinstance(df.index, pd.DatetimeIndex):
            col = INDEX
        else:
            col = _lookup(columns, names)
            if role == "timestamp" and col is None:
                dt_cols = [c for c, dt in zip(columns, df.dtypes) if pd.api.types.is_datetime64_any_dtype(dt)
                           and _lookup([c], CONVENTIONAL["label_time"]) is None]
                col = dt_cols[0] if len(dt_cols) == 1 else None
        problem = None if col is None or col == INDEX else _column_problem(df, role, col)
        if problem:
            missing.append(problem)
        roles[role] = col
    if missing:
        raise SchemaError(missing, columns)
    used = {c for r, c in roles.items() if c is not None}
    if "features" in overrides or "features" in stored:
        feats = overrides.get("features", stored.get("features"))
        feats = [] if feats is None else ([feats] if isinstance(feats, str) else list(feats))
        absent = [f for f in feats if f not in df.columns]
        if absent:
            raise SchemaError([f"Role 'features': column(s) {absent!r} do not exist (set with features=[...])."],
                              columns)
    else:
        feats = [c for c, dt in zip(columns, df.dtypes) if c not in used and _is_feature_dtype(dt)]
    roles["features"] = feats
    return roles


def _column_problem(df: pd.DataFrame, role: str, col) -> str | None:
    """Why ``col`` cannot play ``role`` (absent, not a single name, ambiguous), or None."""
    try:
        hash(col)
    except TypeError:
        return f"Role {role!r}: expected one column name, got {col!r} (set with {role}='column')."
    if col not in df.columns:
        return f"Role {role!r}: column {col!r} does not exist (set with {role}=...)."
    if not df.columns.is_unique and not isinstance(df.columns.get_loc(col), int):
        return (f"Role {role!r}: several columns are named {col!r}; rename them or name another column "
                f"with {role}=....")
    return None


def _is_feature_dtype(dt) -> bool:
    return not (pd.api.types.is_datetime64_any_dtype(dt) or pd.api.types.is_timedelta64_dtype(dt)
                or isinstance(dt, pd.PeriodDtype))


def require(roles: Roles, needed, df: pd.DataFrame, purpose: str):
    """Raise one SchemaError naming every role in ``needed`` that is absent."""
    absent = [r for r in needed if roles.get(r) is None]
    if absent:
        problems = [
            f"{purpose} needs the {r!r} role ({DESCRIPTIONS[r]}), and no column was found "
            f"(looked for {', '.join(CONVENTIONAL[r])}{' or a DatetimeIndex' if r == 'timestamp' else ''}). "
            f"Name the column with {r}='your_column'."
            for r in absent
        ]
        raise SchemaError(problems, df.columns)


def with_roles(df: pd.DataFrame, **roles) -> pd.DataFrame:
    """Return a shallow copy of ``df`` that carries ``roles`` in ``attrs`` (``df`` is unchanged).

    Parameters
    ----------
    df : DataFrame
        Inference log.
    **roles
        ``role="column"`` pairs (``latency="t_ms"``), ``role=None`` to declare a role absent, or
        ``features=[...]``. Later calls infer the other roles as usual.

    Returns
    -------
    DataFrame
        A new frame with the same data whose ``attrs["aimon_roles"]`` holds the roles.

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> df = pd.DataFrame({"t_ms": [12.0, 15.0]})
    >>> df.aimon.with_roles(latency="t_ms").aimon.roles["latency"]
    't_ms'
    """
    _check_overrides(roles)
    out = df.copy(deep=False)
    merged = dict(df.attrs.get(ATTRS_KEY, {}) or {})
    merged.update(roles)
    out.attrs = {**{k: v for k, v in df.attrs.items() if k != ATTRS_KEY}, ATTRS_KEY: merged}
    infer_roles(out)  # validates that every named column exists
    return out
