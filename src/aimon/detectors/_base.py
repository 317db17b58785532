"""What every detector shares: parameters, streaming state, input checks, the scan result.

A detector stores its parameters at construction and its state in ``state_`` (arrays the numba
kernel updates in place), so :meth:`Detector.scan` on the next chunk of a stream continues where
the last call stopped: scanning day by day equals one scan over the concatenation. NaN and inf
are skipped and counted; positions always refer to the values passed in.

:data:`REGISTRY` maps each method name to its class; every class carries ``test_params``
(small parameters that make it fire on short streams) so one generic test suite runs over all.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AimonError

REGISTRY: dict = {}
ALIASES = {"ph": "page_hinkley", "pagehinkley": "page_hinkley", "hddma": "hddm_a", "hddmw": "hddm_w"}


def register(cls):
    """Class decorator: add a detector to :data:`REGISTRY` under ``cls.name``."""
    REGISTRY[cls.name] = cls
    return cls


def get(method):
    """The detector class called ``method`` (case-insensitive; 'ph' = 'page_hinkley')."""
    key = str(method).lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in REGISTRY:
        raise AimonError(f"method={method!r} is not a detector. Choose one of {', '.join(sorted(REGISTRY))}.")
    return REGISTRY[key]


def as_stream(values, name: str, binary: bool) -> np.ndarray:
    """``values`` as a new or read-only-used 1-D float64 array (NaN where missing or not finite)."""
    if values is None or isinstance(values, (str, bytes, dict)) or np.ndim(values) == 0:
        raise AimonError(f"{name}: expected a 1-D stream of values (array, list or Series), got "
                         f"{type(values).__name__}. Scan one column, e.g. df['error'].")
    if isinstance(values, pd.DataFrame):
        raise AimonError(f"{name}: expected a 1-D stream of values, got a DataFrame with columns "
                         f"{list(map(str, values.columns[:5]))}. Scan one column at a time, e.g. df['error'].")
    if isinstance(values, (pd.Series, pd.Index)):
        s = values
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            arr = _from_objects(s.to_numpy(dtype=object), name)
    else:
        arr = np.asarray(values)
        if arr.dtype.kind in "biuf":
            arr = arr.astype(np.float64, copy=False)
        elif arr.dtype.kind == "O" or arr.dtype.kind in "US":
            arr = _from_objects(arr.astype(object), name)
        else:
            raise AimonError(f"{name}: expected numbers, got an array of {arr.dtype}. Pass a numeric column "
                             "(for times, scan e.g. the latency or the error indicator instead).")
    if arr.ndim != 1:
        raise AimonError(f"{name}: expected a 1-D stream of values, got shape {arr.shape}. Scan one column "
                         "at a time (e.g. df['error']), or flatten with .ravel().")
    if binary:
        ok = arr[np.isfinite(arr)]
        bad = ok[(ok != 0.0) & (ok != 1.0)]
        if bad.size:
            shown = ", ".join(f"{v:g}" for v in np.unique(bad)[:4])
            raise AimonError(f"{name} needs a binary error stream: 0/1 or False/True, 1 meaning an error. "
                             f"Found {bad.size} other values ({shown}). Build the error indicator first, e.g. "
                             "(df['prediction'] != df['label']), or use a detector for real values "
                             "(adwin, page_hinkley, cusum, kswin).")
    return arr


def _from_objects(obj: np.ndarray, name: str) -> np.ndarray:
    conv = pd.to_numeric(pd.Series(obj, dtype=object), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~pd.isna(pd.Series(obj, dtype=object)).to_numpy()
    bad = present & np.isnan(conv)
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(obj[bad])[:3])
        raise AimonError(f"{name}: {int(bad.sum())} values are not numbers ({shown}). Convert them with "
                         "pd.to_numeric(..., errors='coerce') (NaN is skipped and counted) or scan another column.")
    return conv


@dataclass
class Scan:
    """Detections of one :meth:`Detector.scan` call.

    ``indices`` are positions in the values passed to that call, ``stream_indices`` positions in
    the whole stream since the detector was created or reset. ``statistic`` is the detector's
    test value at each detection (its sign tells the direction where it has one); ``warnings``
    are positions where a warning zone began (DDM, EDDM, HDDM). ``skipped`` counts NaN/inf values
    left out; ``ready`` says whether the stream has passed the detector's warm-up.
    """

    detector: str
    indices: np.ndarray
    stream_indices: np.ndarray
    statistic: np.ndarray
    warnings: np.ndarray
    n: int
    skipped: int
    ready: bool
    params: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"index": self.indices, "stream_index": self.stream_indices,
                             "statistic": self.statistic})

    def __repr__(self) -> str:
        return (f"Scan({self.detector}: {len(self)} detections in {self.n} values, {self.skipped} skipped, "
                f"at {self.indices[:10].tolist()}{' …' if len(self) > 10 else ''})")

    def _repr_html_(self) -> str:
        return (f"<p><b>{html.escape(self.detector)}</b>: {len(self)} detections in {self.n} values "
                f"({self.skipped} skipped)</p>" + self.table.head(20).to_html(index=False))


class Detector:
    """Base class: parameters in ``__init__``, state in ``state_``, :meth:`scan` over arrays.

    Subclasses set ``name``, ``binary`` (0/1 streams only), ``defaults`` (River's parameters),
    ``scaled`` (defaults in units of a reference standard deviation, for scale-dependent
    detectors), ``test_params`` and implement ``_validate``, ``_new_state``, ``_warmup`` and
    ``_run(x, out_idx, out_stat, out_warn) -> (n_detections, n_warnings)``.
    """

    name = ""
    binary = False
    defaults: dict = {}
    scaled: dict | None = None
    test_params: dict = {}

    def __init__(self, **params):
        unknown = sorted(set(params) - set(self.defaults) - {"scale"})
        if unknown:
            raise AimonError(f"{type(self).__name__}: unknown parameter(s) {unknown}. "
                             f"Parameters: {', '.join(list(self.defaults) + ['scale'])}.")
        self.params = {**self.defaults, **params}
        self.scale = params.get("scale")
        if self.scale is not None:
            if self.scaled is None:
                raise AimonError(f"{type(self).__name__} does not depend on the scale of the values "
                                 "(it standardises by itself); drop scale=.")
            number = isinstance(self.scale, (int, float, np.integer, np.floating)) and not isinstance(self.scale, bool)
            if not (number and np.isfinite(self.scale) and self.scale > 0):
                raise AimonError(f"{type(self).__name__}: scale={self.scale!r} must be a positive number "
                                 "(the standard deviation of a reference period).")
        self._validate(self.params)
        self.reset()

    @classmethod
    def standardized(cls, reference, **params):
        """A detector whose thresholds are in units of the standard deviation of ``reference``.

        Uses the class's ``scaled`` defaults (overridden by ``params``); the values are divided
        by ``std(reference)`` before scanning. Detectors that standardise by themselves (the
        binary ones, KSWIN) get their usual defaults.
        """
        if cls.scaled is None:
            return cls(**params)
        ref = as_stream(reference, cls.__name__, False)
        ref = ref[np.isfinite(ref)]
        if ref.size < 2:
            raise AimonError(f"{cls.__name__}.standardized: the reference has {ref.size} usable values; it "
                             "needs at least 2 to estimate a standard deviation.")
        sd = float(np.std(ref, ddof=1))
        if not sd > 0:
            raise AimonError(f"{cls.__name__}.standardized: the reference is constant (standard deviation 0); "
                             "pass scale=... explicitly or a longer reference.")
        return cls(**{**cls.scaled, **params, "scale": sd})

    def reset(self):
        """Forget the stream: the next :meth:`scan` starts a new one."""
        self.state_ = self._new_state()
        self.n_seen_ = 0
        self.n_valid_ = 0
        return self

    def scan(self, values) -> Scan:
        """Feed ``values`` (1-D, in stream order) and return the detections among them.

        Examples
        --------
        >>> import numpy as np, aimon
        >>> x = np.r_[np.zeros(500), np.ones(500)] + np.random.default_rng(0).normal(0, 0.1, 1000)
        >>> aimon.detectors.PageHinkley(delta=0.05, threshold=5).scan(x).indices
        array([505])
        """
        arr = as_stream(values, type(self).__name__, self.binary)
        ok = np.isfinite(arr)
        n_ok = int(np.count_nonzero(ok))
        x = arr if n_ok == arr.size else arr[ok]
        if self.scale is not None:
            x = x / self.scale
        x = np.ascontiguousarray(x, dtype=np.float64)
        out_idx = np.empty(x.size, dtype=np.int64)
        out_stat = np.empty(x.size)
        out_warn = np.empty(x.size if self.binary else 0, dtype=np.int64)
        m, w = self._run(x, out_idx, out_stat, out_warn)
        idx = out_idx[:m].copy()
        warn = out_warn[:w].copy()
        if n_ok != arr.size:
            pos = np.flatnonzero(ok)
            idx, warn = pos[idx], pos[warn]
        stat = out_stat[:m].copy()
        if self.scale is not None and self._stat_in_units:
            stat = stat * self.scale
        start = self.n_seen_
        self.n_seen_ += arr.size
        self.n_valid_ += n_ok
        return Scan(self.name, idx, idx + start, stat, warn, int(arr.size), int(arr.size - n_ok),
                    self.n_valid_ >= self.warmup, dict(self.params, scale=self.scale))

    _stat_in_units = True  # statistic is in the units of the values (scaled back after scanning)

    @property
    def warmup(self) -> int:
        """Usable values needed before the first detection is possible."""
        return int(self._warmup(self.params))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items()
                          if v != self.defaults.get(k) and k != "scale")
        if self.scale is not None:
            shown = ", ".join(filter(None, [shown, f"scale={self.scale:.4g}"]))
        return f"{type(self).__name__}({shown})"

    # subclasses ------------------------------------------------------------------
    def _validate(self, p):
        pass

    def _new_state(self):
        raise NotImplementedError

    def _warmup(self, p):
        return 1

    def _run(self, x, out_idx, out_stat, out_warn):
        raise NotImplementedError


def check(name, value, ok, what):
    """Raise AimonError ``name=value: what`` unless ``ok``."""
    if not ok:
        raise AimonError(f"{name}={value!r}: {what}.")


def positive_int(p, key, minimum=1):
    v = p[key]
    check(key, v, isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum,
          f"must be an integer >= {minimum}")
    p[key] = int(v)


def in_open_unit(p, key):
    v = p[key]
    check(key, v, isinstance(v, (int, float, np.floating)) and 0 < v < 1, "must be a number between 0 and 1")
    p[key] = float(v)


def non_negative(p, key):
    v = p[key]
    check(key, v, isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
          and np.isfinite(v) and v >= 0, "must be a finite number >= 0")
    p[key] = float(v)
