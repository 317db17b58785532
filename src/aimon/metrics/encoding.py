"""Binary label encodings: which of two classes is the positive one, mapped to 1.0 / 0.0.

A binary task has at most two distinct values across the label and the prediction. 0/1 and bool
need no help (1 / True is positive). Two other values (``'yes'``/``'no'``, ``'fraud'``/``'ok'``)
are mapped with ``pos_label=``, or by the one value among them that is a common name of a
positive class. A label and a prediction that share no value (``'yes'``/``'no'`` against 0/1)
are refused unless ``pos_label=`` says what is positive: comparing them would make every row
wrong.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SchemaError

POSITIVES = frozenset({"1", "true", "t", "yes", "y", "positive", "pos", "fraud", "fraudulent", "spam", "churn",
                       "churned", "default", "defaulted", "bad", "anomaly", "anomalous", "abnormal", "fail",
                       "failed", "failure", "malicious", "toxic", "hit", "clicked", "converted", "approved"})
NEGATIVES = frozenset({"0", "false", "f", "no", "n", "negative", "neg", "legit", "legitimate", "ham", "ok",
                       "good", "normal", "genuine", "pass", "passed", "benign", "miss", "rejected", "declined"})


def _norm(v):
    """One comparable form per value: numbers and bools as float, everything else as it is."""
    if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)) and not isinstance(
            v, (np.timedelta64, np.datetime64)):
        return float(v)
    return v


def distinct(s: pd.Series, limit: int = 3) -> list:
    """Up to ``limit`` distinct non-missing values of ``s`` in their comparable form."""
    out = []
    for v in pd.unique(s.dropna()):
        n = _norm(v)
        if n not in out:
            out.append(n)
            if len(out) >= limit:
                break
    return out


def _is_01(values) -> bool:
    return all(isinstance(v, float) and v in (0.0, 1.0) for v in values)


def is_binary(label: pd.Series | None, prediction: pd.Series | None) -> bool:
    """At most two distinct values across label and prediction, and not two real-valued targets."""
    per_side = [distinct(s) for s in (label, prediction) if s is not None]
    values = []
    for side in per_side:
        values += [v for v in side if v not in values]
    two_sided = len(per_side) == 2 and all(per_side) and kinds_differ(*per_side)
    if not values or (len(values) > 2 and not (two_sided and all(len(v) <= 2 for v in per_side))):
        return False  # more than two classes; two disjoint pairs ('yes'/'no' vs 0/1) stay binary
    return not all(isinstance(v, float) for v in values) or all(v.is_integer() for v in values)


def kinds_differ(a, b) -> bool:
    """Two sets of comparable class values that share nothing because one is numbers (or bools)
    and the other text, or because of case and spaces ('Yes' against 'yes'): an encoding
    mismatch, not a bad model."""
    def kind(vals):
        return {isinstance(v, float) for v in vals}

    def folded(vals):
        return {str(v).strip().lower() for v in vals if isinstance(v, str)}

    if set(a) & set(b):
        return False
    return (len(kind(a)) == 1 and kind(a) != kind(b) and len(kind(b)) == 1) or bool(folded(a) & folded(b))


def _fmt(values) -> str:
    return ", ".join(repr(int(v) if isinstance(v, float) and v.is_integer() else v) for v in values)


def _text(v) -> str:
    return (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip().lower()


def _common(v, names) -> bool:
    return _text(v) in names


def positive_class(label: pd.Series | None, prediction: pd.Series | None, pos_label, cols: dict):
    """The comparable positive value of each side: {'label': v, 'prediction': v} (None = absent).

    Raises SchemaError when the positive class cannot be told, or when the sides share no value
    and ``pos_label`` does not say how to read them.
    """
    vals = {k: (distinct(s) if s is not None else None) for k, s in (("label", label), ("prediction", prediction))}
    present = {k: v for k, v in vals.items() if v}
    union = []
    for v in present.values():
        union += [x for x in v if x not in union]
    pos = None if pos_label is None else _norm(pos_label)
    if isinstance(pos, str) and pos not in union:  # '1' from a command line for a class 1 or True
        same = [v for v in union if _text(v) == pos.strip().lower()]
        pos = same[0] if len(same) == 1 else pos
    if len(present) == 2 and kinds_differ(present["label"], present["prediction"]):
        lab, pre = present["label"], present["prediction"]
        if {str(v).strip().lower() for v in lab if isinstance(v, str)} & \
                {str(v).strip().lower() for v in pre if isinstance(v, str)}:
            raise SchemaError([f"The label column {cols['label']!r} holds {_fmt(lab)} and the prediction column "
                               f"{cols['prediction']!r} holds {_fmt(pre)}: the same classes written differently "
                               f"(case or spaces), so every prediction would count as wrong. Write them alike, "
                               f"e.g. df[{cols['prediction']!r}].str.strip().str.lower()."])
        if pos is None:
            raise SchemaError([f"The label column {cols['label']!r} holds {_fmt(present['label'])} and the "
                               f"prediction column {cols['prediction']!r} holds {_fmt(present['prediction'])}: they "
                               f"share no value, so every prediction would count as wrong. Map one onto the other "
                               f"(e.g. df[{cols['label']!r}].map({{...: 1, ...: 0}})) or pass pos_label=<the "
                               f"positive class of the text column> (0/1 and bool columns read 1/True as positive)."])
        out = {}
        for k, v in present.items():
            if pos in v:
                out[k] = pos
            elif _is_01(v):
                out[k] = 1.0
            else:
                raise SchemaError([f"pos_label={pos_label!r} is not a value of the {k} column {cols[k]!r} "
                                   f"({_fmt(v)}), which is not 0/1 either. Map its values to those of the other "
                                   f"column first."])
        return out
    if pos is not None:
        if len(union) == 2 and pos not in union:
            raise SchemaError([f"pos_label={pos_label!r} is not one of the classes ({_fmt(union)}). Pass one of "
                               f"them."])
        return {k: pos for k in present}
    if _is_01(union):
        return {k: 1.0 for k in present}
    hits = [v for v in union if _common(v, POSITIVES)]
    if len(hits) != 1:
        negatives = [v for v in union if _common(v, NEGATIVES)]
        others = [v for v in union if v not in negatives]
        hits = others if len(negatives) == 1 and len(others) <= 1 else hits
    if len(hits) == 1:
        return {k: hits[0] for k in present}
    if union and all(_common(v, NEGATIVES) for v in union):  # only the negative class so far
        return {k: object() for k in present}
    where = " and ".join(f"{k} column {cols[k]!r}" for k in present)
    raise SchemaError([f"Cannot tell the positive class of a binary task from the values {_fmt(union)} of the "
                       f"{where}. Pass pos_label=<the positive class>, e.g. pos_label={union[0]!r}."])


def encode(s: pd.Series, positive, order) -> np.ndarray:
    """1.0 where ``s`` is the positive class, 0.0 for the other, NaN where missing, in ``order``."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    flags = np.array([1.0 if _norm(v) == positive else 0.0 for v in uniques] + [np.nan])
    return flags[codes[order]]  # code -1 (missing) picks the trailing NaN
