"""Columns of every kind a stranger's frame may hold, for the random-frame tests (drift, roles).

``column(kind, n, rng)`` gives ``n`` values of one kind; each test picks the kinds it needs.
"""
import numpy as np
import pandas as pd

KINDS = ("normal", "unit", "float_bad", "small_int", "int", "int01", "bool", "yesno", "str", "mixed",
         "missing", "constant", "negative", "status", "time")


def column(kind, n, rng):
    if kind == "normal":
        return rng.normal(size=n)
    if kind == "unit":
        return rng.random(n)
    if kind == "float_bad":      # NaN and inf among ordinary floats
        v = rng.normal(size=n) * 100
        v[rng.random(n) < 0.3] = np.nan
        v[rng.random(n) < 0.1] = np.inf
        return v
    if kind == "small_int":      # heavy ties
        return rng.integers(-3, 4, size=n)
    if kind == "int":
        return rng.integers(-5, 500, size=n)
    if kind == "int01":
        return rng.integers(0, 2, size=n)
    if kind == "bool":
        return rng.random(n) < 0.3
    if kind == "yesno":
        return rng.choice(["yes", "no"], size=n).astype(object)
    if kind == "str":
        return rng.choice(["a", "b", "c"], size=n).astype(object)
    if kind == "mixed":
        return np.array([[0.5, "a", None, 3][i % 4] for i in range(n)], dtype=object)
    if kind == "missing":
        return np.full(n, np.nan)
    if kind == "constant":
        return np.full(n, 7.0)
    if kind == "negative":
        return -rng.random(n) * 100
    if kind == "status":
        return rng.choice([200, 200, 404, 500, 503], size=n)
    if kind == "time":
        return pd.date_range("2024-01-01", periods=n, freq="1h").to_numpy()
    raise ValueError(f"unknown column kind {kind!r}; one of {KINDS}")
