"""Quality signals of LLM applications: graded hallucinations and user feedback.

Both are sparse: a reference evaluation grades a sample of responses (``hallucination``: 1, 0,
or NaN for ungraded rows) and a minority of users leave feedback. Rates are computed over the rows
that carry the signal, and the number of such rows is reported next to each rate.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import numeric
from ..errors import SchemaError
from ._table import ratio, sum_count

NEGATIVE = {"down", "thumbs_down", "negative", "bad", "no", "-1"}
POSITIVE = {"up", "thumbs_up", "positive", "good", "yes", "1", "+1"}


def hallucination_flags(df: pd.DataFrame, col: str, order) -> np.ndarray:
    values, _, _ = numeric(df, col, "hallucination", order)
    graded = values[~np.isnan(values)]
    if graded.size and not np.isin(graded, [0.0, 1.0]).all():
        raise SchemaError([f"Role 'hallucination': column {col!r} must hold 1 (hallucinated), 0 (grounded) or "
                           f"NaN (not graded); found other values. Map grades to 0/1, or pass hallucination=None."],
                          df.columns)
    return values


def feedback_flags(df: pd.DataFrame, col: str, order) -> np.ndarray:
    """1.0 for negative feedback, 0.0 for positive, NaN for none.

    Accepts text ('up'/'down', 'positive'/'negative', 'thumbs_up'/'thumbs_down', 'good'/'bad'),
    booleans (True = positive) or numbers -1/+1.
    """
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        raw = 1.0 - s.to_numpy(dtype=np.float64, na_value=np.nan)
        return raw[order]
    if pd.api.types.is_numeric_dtype(s.dtype):
        values, _, _ = numeric(df, col, "feedback", order)
        given = values[~np.isnan(values)]
        if given.size and not np.isin(given, [-1.0, 1.0]).all():
            raise SchemaError([f"Role 'feedback': numeric column {col!r} must hold -1 (negative) or +1 (positive). "
                               f"Map ratings first, e.g. df[{col!r}].map(lambda r: -1 if r <= 2 else 1)."], df.columns)
        return np.where(np.isnan(values), np.nan, (values < 0).astype(np.float64))
    text = s.astype(object).to_numpy()[order]
    out = np.full(len(text), np.nan)
    unknown = set()
    for i, v in enumerate(text):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = 0.0 if v else 1.0
            continue
        key = str(v).strip().lower()
        if key in NEGATIVE:
            out[i] = 1.0
        elif key in POSITIVE:
            out[i] = 0.0
        else:
            unknown.add(str(v))
    if unknown:
        raise SchemaError([f"Role 'feedback': column {col!r} has values {sorted(unknown)[:5]!r} that are neither "
                           f"positive ({sorted(POSITIVE)}) nor negative ({sorted(NEGATIVE)}). Map them, or pass "
                           f"feedback=None."], df.columns)
    return out


def llm_block(hallucination, feedback, bounds) -> dict:
    cols = {}
    if hallucination is not None:
        hits, graded = sum_count(hallucination, bounds)
        cols["evaluated"] = graded.astype(np.int64)
        cols["hallucination_rate"] = ratio(hits, graded)
    if feedback is not None:
        negative, given = sum_count(feedback, bounds)
        cols["feedback_count"] = given.astype(np.int64)
        cols["negative_feedback_share"] = ratio(negative, given)
    return cols
