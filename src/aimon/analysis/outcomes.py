"""A metric as per-request outcomes, so that it can be computed on any slice of the log.

Windowed tables answer "when"; diagnosis asks "where" (which region, which payload size). For
that a metric is expressed per request:

- *rate* metrics are means of 0/1 outcomes: ``accuracy`` (prediction == label over labelled
  rows; ``"correct"`` is an alias), ``error_rate``, ``fallback_rate``, ``hallucination_rate``,
  ``low_confidence_share``, ``negative_feedback_share``;
- *mean* metrics: ``latency_mean``, ``ttft_mean``, ``mean_confidence`` and any numeric column;
- *quantile* metrics: ``latency_p50`` / ``latency_p95`` / ``latency_p99`` (any ``pNN``) and the
  same for ``ttft``, numpy's 'linear' quantile.

The value of a metric on a slice equals :func:`aimon.ops` / :func:`aimon.quality` computed on
that slice (the tests check this). Rows without the outcome (no label yet, unknown error
status) are NaN here and counted by the callers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._log import numeric, role_values
from ..errors import SchemaError
from ..roles import infer_roles, require

RATES = ("accuracy", "error_rate", "fallback_rate", "hallucination_rate", "low_confidence_share",
         "negative_feedback_share")
HIGHER_IS_WORSE = {"accuracy": False, "mean_confidence": False}  # every other metric: higher is worse
ALIASES = {"correct": "accuracy", "error": "error_rate"}
_QUANTILE = re.compile(r"^(latency|ttft)_p(\d+(?:\.\d+)?)$")


@dataclass
class Outcomes:
    name: str            # the metric's canonical name
    kind: str            # "rate", "mean" or "quantile"
    values: np.ndarray   # one float per row of the frame, in its row order (NaN: not counted)
    q: float | None      # the quantile, for kind "quantile"
    higher_is_worse: bool


def _accuracy(df, r, confidence_threshold, decision_threshold):
    from ..metrics.quality import _binary_pair, _codes, detect_task

    require(r, ["label"], df, "accuracy")
    order = np.arange(len(df))
    task = detect_task(df, r, "auto", None)
    if task == "regression":
        raise SchemaError(["accuracy is undefined for a regression model; use a numeric column (e.g. an "
                           "absolute error you computed) as the metric."], df.columns)
    if task == "binary":
        pair = _binary_pair(df, r, order, None)
        y = pair["label"]
        if r.get("prediction") is not None:
            p = pair["prediction"]
        else:
            require(r, ["score"], df, "accuracy without a prediction column")
            s, _, _ = numeric(df, r["score"], "score", order)
            p = np.where(np.isnan(s), np.nan, (s >= decision_threshold).astype(np.float64))
        ok = ~np.isnan(y) & ~np.isnan(p)
        return np.where(ok, (y == p).astype(np.float64), np.nan)
    require(r, ["prediction"], df, "accuracy of a multiclass model")
    yc, pc, _ = _codes(df, r, order)
    ok = (yc >= 0) & (pc >= 0)
    return np.where(ok, (yc == pc).astype(np.float64), np.nan)


def outcomes(df: pd.DataFrame, metric: str, confidence_threshold=0.6, decision_threshold=0.5,
             **roles) -> Outcomes:
    """Per-row outcomes of ``metric`` on ``df`` (see the module docstring for the names)."""
    if not isinstance(metric, str):
        raise SchemaError([f"metric={metric!r}: give a metric name such as 'accuracy' or 'latency_p95'."])
    r = infer_roles(df, **roles)
    order = np.arange(len(df))
    name = ALIASES.get(metric, metric) if metric not in df.columns else metric
    m = _QUANTILE.match(name)
    if metric in df.columns:
        s = df[metric]
        if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            raise SchemaError([f"Column {metric!r} is {s.dtype}, not numeric: it cannot be a metric. Use it "
                               f"to slice instead (by={metric!r})."], df.columns)
        values, _, _ = numeric(df, metric, metric, order)
        return Outcomes(metric, "mean", values, None, True)
    if m or name in ("latency_mean", "ttft_mean"):
        role = m.group(1) if m else name.split("_")[0]
        require(r, [role], df, name)
        values, _, _ = role_values(df, r, role, order)  # in ms, negative values left out
        if m:
            q = float(m.group(2)) / 100.0
            if not 0 <= q <= 1:
                raise SchemaError([f"{name!r}: a percentile must be between p0 and p100."])
            return Outcomes(name, "quantile", values, q, True)
        return Outcomes(name, "mean", values, None, True)
    if name == "accuracy":
        return Outcomes(name, "rate", _accuracy(df, r, confidence_threshold, decision_threshold), None, False)
    if name == "error_rate":
        from ..metrics.ops import error_flags

        require(r, ["error"], df, name)
        return Outcomes(name, "rate", error_flags(df, r["error"], order)[0], None, True)
    if name in ("fallback_rate", "hallucination_rate", "negative_feedback_share"):
        from ..metrics.llm import feedback_flags, hallucination_flags

        role = {"fallback_rate": "fallback", "hallucination_rate": "hallucination",
                "negative_feedback_share": "feedback"}[name]
        require(r, [role], df, name)
        if role == "fallback":
            values = numeric(df, r[role], role, order)[0]
        else:
            values = (hallucination_flags if role == "hallucination" else feedback_flags)(df, r[role], order)
        return Outcomes(name, "rate", values, None, True)
    if name in ("mean_confidence", "low_confidence_share"):
        require(r, ["score"], df, name)
        from ..metrics.quality import confidence

        s, _, _ = numeric(df, r["score"], "score", order)
        conf = confidence(s, r)  # as in quality()
        if name == "mean_confidence":
            return Outcomes(name, "mean", conf, None, False)
        return Outcomes(name, "rate", np.where(np.isnan(conf), np.nan, (conf < confidence_threshold) * 1.0),
                        None, True)
    raise SchemaError([f"metric={metric!r} is not a per-request metric. Use a numeric column or one of "
                       f"{', '.join(RATES)}, latency_mean, latency_p50/p95/p99, ttft_mean, ttft_p95, "
                       f"mean_confidence."], df.columns)


def estimate(values: np.ndarray, kind: str, q: float | None, z: float = 1.959963984540054):
    """(n, value, standard error) of one sample of outcomes (NaN entries left out).

    Rates use the Agresti–Caffo estimate for the error ((k + 1) / (n + 2)), so that a slice with
    0 of 20 errors still has an honest uncertainty. Means use s / sqrt(n). Quantiles use the
    distribution-free interval between the order statistics of ranks n*q ± z*sqrt(n*q*(1-q)),
    read as ±z standard errors.
    """
    v = values[~np.isnan(values)]
    n = int(v.size)
    if n == 0:
        return 0, np.nan, np.nan
    if kind == "rate":
        p = float(v.mean())
        pt = (v.sum() + 1.0) / (n + 2.0)
        return n, p, float(np.sqrt(pt * (1.0 - pt) / (n + 2.0)))
    if kind == "mean":
        return n, float(v.mean()), float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    value = float(np.quantile(v, q))
    if n < 2:
        return n, value, np.nan
    s = np.sort(v)
    half = z * np.sqrt(n * q * (1.0 - q))
    lo = int(np.clip(np.floor(n * q - half), 0, n - 1))
    hi = int(np.clip(np.ceil(n * q + half), 0, n - 1))
    return n, value, float((s[hi] - s[lo]) / (2.0 * z))
