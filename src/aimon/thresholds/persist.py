"""ThresholdModel to and from JSON: plain numbers and strings, no pickle, exact round trip.

Floats are written with Python's shortest repr (which reads back to the same double); NaN is
written as null. The training points are kept so that bands, refits and re-thresholding work
after loading exactly as before.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..errors import AimonError

FORMAT = "aimon.ThresholdModel/1"
SEASONALITY_DTYPES = {"candidate": str, "period": np.int64, "periods_of_history": np.float64,
                      "acf": np.float64, "min_acf": np.float64, "chosen": bool, "reason": str}


def _floats(a) -> list:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=np.float64)]


def _array(v) -> np.ndarray:
    return np.array([np.nan if x is None else x for x in v], dtype=np.float64)


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def to_dict(model) -> dict:
    from .policy import AlertPolicy

    params = {k: _plain(v) for k, v in model.get_params().items() if k != "policy"}
    for k in ("freq", "level_window", "sustain", "refit", "train_window", "likelihood", "likelihood_window"):
        if params[k] is not None and not isinstance(params[k], (str, int)):
            params[k] = str(pd.Timedelta(params[k]))
    params["policy"] = None if model.policy is None else model.policy.to_dict()
    out = {"format": FORMAT, "params": params}
    if not hasattr(model, "state_"):
        return out
    st = model.state_
    idx = model.train_index_
    out["learned"] = {
        "step_ns": int(model.step_ns_), "freq": model.freq_, "level_window": int(model.level_window_),
        "sustain": int(model.sustain_), "likelihood": int(model.likelihood_),
        "likelihood_window": int(model.likelihood_window_), "name": model.name_, "nonnegative": bool(model.nonnegative_),
        "counts": {k: _plain(v) for k, v in model.counts_.items()},
        "tz": None if idx.tz is None else str(idx.tz), "unit": idx.unit,
        "train_start": int(idx.asi8[0]) if len(idx) else 0, "train_len": int(len(idx)),
        "train_values": _floats(model.train_values_),
        "train_expected": _floats(model._train_expected), "train_z": _floats(model._train_z),
        "state": {"per_day": int(st.per_day), "periods": [int(p) for p in st.periods],
                  "profile": _floats(st.profile), "scale": _floats(st.scale),
                  "multiplier": float(st.multiplier), "level_window": int(st.level_window),
                  "cycles": float(st.cycles) if np.isfinite(st.cycles) else None,
                  "notes": list(st.notes), "sustain": int(st.sustain),
                  "sustain_multiplier": float(st.sustain_multiplier) if np.isfinite(st.sustain_multiplier) else None,
                  "seasonality": {c: [_plain(x) if not (isinstance(x, float) and np.isnan(x)) else None
                                      for x in st.seasonality[c].tolist()] for c in st.seasonality.columns}},
    }
    return out


def from_dict(d: dict):
    from .bands import State
    from .model import ThresholdModel
    from .policy import AlertPolicy

    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise AimonError(f"Not a saved ThresholdModel (expected format {FORMAT!r}).")
    params = dict(d["params"])
    params["seasonal"] = params["seasonal"]
    if params.get("policy") is not None:
        params["policy"] = AlertPolicy(**params["policy"])
    model = ThresholdModel(**params)
    if "learned" not in d:
        return model
    L = d["learned"]
    model.step_ns_ = L["step_ns"]
    model.freq_ = L["freq"]
    model.level_window_ = L["level_window"]
    model.sustain_ = L["sustain"]
    model.likelihood_ = L.get("likelihood", 0)
    model.likelihood_window_ = L.get("likelihood_window", 1)
    model.name_ = L["name"]
    model.nonnegative_ = L["nonnegative"]
    model.counts_ = dict(L["counts"])
    idx = pd.DatetimeIndex(L["train_start"] + np.arange(L["train_len"], dtype=np.int64) * L["step_ns"]).as_unit("ns")
    if L["tz"] is not None:
        idx = idx.tz_localize("UTC").tz_convert(L["tz"])
    model.train_index_ = idx.as_unit(L["unit"]) if L["unit"] != "ns" else idx
    model.train_values_ = _array(L["train_values"])
    model._train_expected = _array(L["train_expected"])
    model._train_z = _array(L["train_z"])
    s = L["state"]
    table = pd.DataFrame({c: pd.Series([np.nan if x is None else x for x in v], dtype=SEASONALITY_DTYPES.get(c, object))
                          for c, v in s["seasonality"].items()})
    model.state_ = State(L["step_ns"], s["per_day"], list(s["periods"]), _array(s["profile"]), _array(s["scale"]),
                         s["multiplier"], s["level_window"], table, list(s["notes"]), s["sustain"],
                         np.inf if s["sustain_multiplier"] is None else s["sustain_multiplier"],
                         np.inf if s.get("cycles") is None else s["cycles"])   # older files: no widening
    return model


def to_json(model) -> str:
    return json.dumps(to_dict(model), allow_nan=False)


def from_json(text: str):
    try:
        d = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise AimonError(f"ThresholdModel.from_json(): not JSON text ({exc}).") from None
    return from_dict(d)
