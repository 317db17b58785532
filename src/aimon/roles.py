"""Roles of columns in an inference log: inference, overrides and persistence.

A role (``latency``, ``label``, ...) names what a column means. Roles are inferred from
conventional column names, overridden per call by keyword (``latency="t_ms"``) and persistently
with :func:`with_roles`, which stores them in ``DataFrame.attrs["aimon_roles"]`` of a new frame.
"""
from __future__ import annotations

import difflib
import html
import re

import numpy as np
import pandas as pd

from .errors import SchemaError

ATTRS_KEY = "aimon_roles"
INDEX = "<index>"  # the value of the timestamp role when the DatetimeIndex is the timestamp

# role -> conventional names, in order of preference (matched case-insensitively)
CONVENTIONAL = {
    "timestamp": ("timestamp", "ts", "time", "request_time", "datetime"),
    "latency": ("latency_ms", "latency", "duration_ms", "response_time_ms", "latency_s", "latency_sec",
                "latency_seconds", "latency_us", "duration_s", "duration_seconds", "response_time_s",
                "elapsed_ms", "elapsed_s", "elapsed_seconds"),
    "ttft": ("ttft_ms", "ttft", "time_to_first_token_ms", "ttft_s", "ttft_seconds", "time_to_first_token_s"),
    "error": ("error", "is_error", "status_code"),
    "prediction": ("prediction", "pred", "y_pred", "predicted", "y_hat", "yhat"),
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

# Latency and TTFT carry a unit; every number aimon reports for them is in milliseconds.
UNIT_ROLES = ("latency", "ttft")
UNITS = {"ms": 1.0, "s": 1000.0, "us": 0.001}
UNIT_KEYWORDS = tuple(f"{r}_unit" for r in UNIT_ROLES)
_SUFFIX_UNITS = (("ms", r"(ms|msec|millis|milliseconds)"), ("s", r"(s|sec|secs|seconds)"),
                 ("us", r"(us|usec|micros|microseconds)"))
SECONDS_LIKE_MEDIAN = 0.05  # an unsuffixed latency with a smaller median (in ms) looks like seconds

# Columns whose names look like model outputs are not taken as model inputs (drift features).
_OUTPUT_LIKE = re.compile(r"^(p|y_?hat|pred|pred_.*|prediction.*|predicted.*|prob|prob_.*|proba.*|probability.*|"
                          r"score|y_(pred|prob|score).*|.*_pred|.*_prediction|.*_proba?|.*_probability)$", re.I)

# Words that hint at a role in a column name, for "did you mean ...?" suggestions
_HINTS = {
    "timestamp": ("timestamp", "time", "date", "datetime", "created", "at", "when", "ts"),
    "latency": ("latency", "duration", "elapsed", "response", "took", "rt", "lat"),
    "ttft": ("ttft", "first", "token"),
    "error": ("error", "err", "status", "http", "failed", "failure", "fail", "code"),
    "prediction": ("prediction", "pred", "predicted", "yhat", "hat", "output", "decision"),
    "score": ("score", "prob", "proba", "probability", "p", "confidence", "likelihood"),
    "label": ("label", "y", "target", "truth", "actual", "outcome", "gold"),
    "input_tokens": ("input", "prompt", "tokens"),
    "output_tokens": ("output", "completion", "tokens"),
    "cost": ("cost", "price", "usd", "spend"),
}

DESCRIPTIONS = {
    "timestamp": "request time",
    "latency": "end-to-end inference time",
    "ttft": "LLM time to first token",
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

    Shown as a table in notebooks; ``.table`` is the same as a DataFrame. ``units`` gives the
    unit of the latency and TTFT columns and where it came from; ``held_out`` the columns left
    out of the features because their names look like model outputs.
    """

    units: dict = {}      # role -> (unit, source): source is 'keyword', 'with_roles', 'name' or 'default'
    held_out: list = []   # output-like columns not taken as features
    declared_absent: set = set()  # roles set to None by keyword or with_roles: never suggested

    def unit(self, role: str) -> str:
        """Unit of the ``latency``/``ttft`` column ('s', 'ms' or 'us'; 'ms' when nothing says)."""
        return self.units.get(role, ("ms", "default"))[0]

    def meaning(self, role: str) -> str:
        text = DESCRIPTIONS[role]
        if role in UNIT_ROLES and self.get(role) is not None:
            unit, source = self.units.get(role, ("ms", "default"))
            how = {"keyword": f"{role}_unit=", "with_roles": "with_roles", "name": "from the name",
                   "default": f"assumed; set {role}_unit="}[source]
            text += f", in {unit} ({how})" + (", reported in ms" if unit != "ms" else "")
        if role == "features" and self.held_out:
            text += (f"; not used as features (they look like model outputs): "
                     f"{', '.join(map(str, self.held_out))}")
        return text

    @property
    def table(self) -> pd.DataFrame:
        rows = []
        for role in ROLES:
            col = self.get(role)
            if role == "features":
                col = ", ".join(map(str, col)) if col else None
            rows.append({"role": role, "column": col, "meaning": self.meaning(role)})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        t = self.table
        t = t[t["column"].notna()]
        width = max((len(r) for r in t["role"]), default=4)
        lines = [f"{r:<{width}}  {c}" + (f" [{self.unit(r)}]" if r in UNIT_ROLES else "")
                 for r, c in zip(t["role"], t["column"])]
        if self.held_out:
            lines.append(f"(not features, look like model outputs: {', '.join(map(str, self.held_out))})")
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
    unknown = sorted(set(overrides) - set(ROLES) - set(UNIT_KEYWORDS))
    problems = []
    if unknown:
        near = {u: difflib.get_close_matches(u, ROLES + UNIT_KEYWORDS, n=1) for u in unknown}
        hints = "".join(f" Did you mean {near[u][0]}= for {u}=?" for u in unknown if near[u])
        problems.append(f"Unknown role keyword(s): {', '.join(map(repr, unknown))}. "
                        f"Known roles: {', '.join(ROLES)} (and {', '.join(UNIT_KEYWORDS)}).{hints}")
    for key in UNIT_KEYWORDS:
        if key in overrides and overrides[key] is not None and overrides[key] not in UNITS:
            problems.append(f"{key}={overrides[key]!r}: give one of {', '.join(map(repr, UNITS))}.")
    if problems:
        raise SchemaError(problems)


def unit_from_name(name) -> str | None:
    """The unit a column name states by its suffix (``latency_s`` -> 's', ``t_ms`` -> 'ms'), or None."""
    if not isinstance(name, str):
        return None
    low = name.lower()
    for unit, pattern in _SUFFIX_UNITS:
        if re.search(rf"(^|[_\- .(\[]){pattern}[)\]]?$", low):
            return unit
    return None


def _units(roles, overrides, stored) -> dict:
    out = {}
    for role in UNIT_ROLES:
        key = f"{role}_unit"
        if overrides.get(key) is not None:
            out[role] = (overrides[key], "keyword")
        elif stored.get(key) is not None and roles.get(role) == stored.get(role, roles.get(role)):
            out[role] = (stored[key], "with_roles")
        elif unit_from_name(roles.get(role)):
            out[role] = (unit_from_name(roles.get(role)), "name")
        else:
            out[role] = ("ms", "default")
    return out


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
        ``role="column"`` (or ``None``) for any role in :data:`ROLES`, and ``latency_unit=`` /
        ``ttft_unit=`` (``"s"``, ``"ms"``, ``"us"``; else the name suffix says, else ms).

    Returns
    -------
    Roles
        A dict of role -> column (``"<index>"`` for a DatetimeIndex timestamp); ``.table`` shows it,
        ``.unit("latency")`` the unit, ``.held_out`` the output-like columns left out of the features.

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
    _check_overrides({k: v for k, v in stored.items() if k in UNIT_KEYWORDS})
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
    if roles["label"] is None and "label" not in overrides and "label" not in stored and (
            roles["prediction"] is not None or roles["score"] is not None):
        # 'y' next to a model's output (y_hat, a score) is its label; alone ('x', 'y') it is an input
        roles["label"] = _lookup([c for c in columns if c not in roles.values()], ("y",))
    used = {c for r, c in roles.items() if c is not None}
    if "features" in overrides or "features" in stored:
        feats = overrides.get("features", stored.get("features"))
        feats = [] if feats is None else ([feats] if isinstance(feats, str) else list(feats))
        absent = [f for f in feats if f not in df.columns]
        if absent:
            raise SchemaError([f"Role 'features': column(s) {absent!r} do not exist (set with features=[...])."],
                              columns)
        held = []
    else:
        candidates = [c for c, dt in zip(columns, df.dtypes) if c not in used and _is_feature_dtype(dt)]
        held = [c for c in candidates if isinstance(c, str) and _OUTPUT_LIKE.match(c)]
        feats = [c for c in candidates if c not in held]
    roles["features"] = feats
    roles.units = _units(roles, overrides, stored)
    roles.declared_absent = {k for k, v in {**stored, **overrides}.items() if v is None and k in CONVENTIONAL}
    roles.held_out = held
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


def _plausible(s: pd.Series, role: str) -> bool:
    """Could the values of ``s`` play ``role``? (dtype and range, on a sample)"""
    s = s.dropna().head(2000)
    if role == "timestamp":
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return True
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)) or not len(s):
            return False
        return bool(pd.to_datetime(s.astype(str).head(50), errors="coerce", format="mixed").notna().mean() > 0.9)
    if role in ("latency", "ttft") and pd.api.types.is_timedelta64_dtype(s.dtype):
        return True
    if pd.api.types.is_bool_dtype(s.dtype):
        return role in ("error", "label", "prediction", "fallback")
    numeric = pd.api.types.is_numeric_dtype(s.dtype)
    if role in ("label", "prediction"):
        return not numeric or s.nunique() <= 20 or role == "prediction"
    if not numeric:
        return False
    x = s.to_numpy(dtype=np.float64)
    x = x[np.isfinite(x)]
    if not x.size:
        return False
    if role == "error":
        return bool(np.isin(x, [0.0, 1.0]).all() or ((x >= 100) & (x < 600)).all())
    if role == "score":
        return bool(x.min() >= 0 and x.max() <= 1) and len(np.unique(x)) > 2
    return bool(x.min() >= 0)  # latency, ttft, tokens, cost


def _tokens(name: str) -> set:
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return {t for t in re.split(r"[^a-z0-9]+", name) if t}


def suggest(df: pd.DataFrame, roles: Roles, role: str, n: int = 2) -> list:
    """Columns not playing a role that look like ``role`` by name (words, close spelling) and values."""
    taken = {c for r, c in roles.items() if r != "features" and c is not None}
    scored = []
    if role in roles.declared_absent:
        return []
    for c in df.columns:
        if not isinstance(c, str) or c in taken:
            continue
        words = _tokens(c)
        hit = len(words & set(_HINTS.get(role, ()))) + (1 if difflib.get_close_matches(
            c.lower(), CONVENTIONAL[role], n=1, cutoff=0.75) else 0)
        if hit and _column_problem(df, role, c) is None and _plausible(df[c], role):
            scored.append((-hit, list(df.columns).index(c), c))
    return [c for _, _, c in sorted(scored)[:n]]


def hint(df: pd.DataFrame, roles: Roles, role: str) -> str:
    """' Did you mean role='col'?' when a column looks like it, else ''."""
    near = suggest(df, roles, role)
    return f" Did you mean {' or '.join(f'{role}={c!r}' for c in near)}?" if near else ""


def absent_roles_note(df: pd.DataFrame, roles: Roles, wanted, purpose: str) -> str | None:
    """One sentence naming the roles of ``wanted`` that are absent but look present under another name."""
    parts = []
    for role in wanted:
        if roles.get(role) is None:
            near = suggest(df, roles, role)
            if near:
                parts.append(f"{role} (did you mean {' or '.join(f'{role}={c!r}' for c in near)}?)")
    if not parts:
        return None
    return f"{purpose} found no column for {', '.join(parts)}; the metrics of those roles are left out."


def require(roles: Roles, needed, df: pd.DataFrame, purpose: str):
    """Raise one SchemaError naming every role in ``needed`` that is absent."""
    absent = [r for r in needed if roles.get(r) is None]
    if absent:
        problems = [
            f"{purpose} needs the {r!r} role ({DESCRIPTIONS[r]}), and no column was found "
            f"(looked for {', '.join(CONVENTIONAL[r])}{' or a DatetimeIndex' if r == 'timestamp' else ''})."
            f"{hint(df, roles, r)} Name the column with {r}='your_column'."
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
        ``role="column"`` pairs (``latency="t_ms"``), ``role=None`` to declare a role absent,
        ``features=[...]``, or the unit of a duration (``latency="duration", latency_unit="s"``).
        Later calls infer the other roles as usual.

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
