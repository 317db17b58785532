"""The retraining signal of the feedback loop: should the model be retrained, since when, on what.

Three kinds of evidence are combined, per time window:

- **performance** from :func:`aimon.quality` on the rows whose label has arrived (labels come
  late: with ``as_of`` only labels that had arrived by then count): a window is *degraded* when
  its metric is worse than the reference by more than ``z`` standard errors;
- **change detections** of a sequential detector (DDM by default) on the misclassification
  stream (1 = wrong prediction, rows without a label skipped). Each detection after the
  reference period is listed, *confirmed* when its window or one of the next two judged windows
  is degraded;
- **input drift** per window from the drift engine (``aimon.drift_over_time``) when it is
  installed, or from ``drift=``: a shifted input with degraded performance is a covariate shift,
  degraded performance with stable inputs a concept drift.

The decision is about now: retrain when the last two windows with enough labels are degraded.
The current episode is the trailing run of degraded windows; the detector is re-armed after the
last healthy window before it, and the change is estimated to start at the split of the error
stream (from that healthy window to the re-armed detection, or to the end) that best separates a
lower from a higher error rate (Bernoulli likelihood). Train on the labelled rows from that start
to the last arrived label. An episode that recovered (a transient degradation) does not call for
retraining; it stays in the evidence.
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from .._log import prepare
from ..errors import DataDroppedWarning, SchemaError
from ..roles import infer_roles, require, with_roles

HIGHER_IS_BETTER = {"accuracy": True, "precision": True, "recall": True, "f1": True, "roc_auc": True,
                    "brier": False, "ece": False, "mae": False, "rmse": False, "mape": False}
CONFIRM_WINDOWS = 2  # windows after a detection's own window that can confirm it


class RetrainingSignal:
    """Whether to retrain, since when the data has changed, which window to train on, and why.

    Attributes
    ----------
    retrain : bool
    since : Timestamp or None
        Estimated start of the change.
    train_window : (Timestamp, Timestamp) or None
        Train on the labelled rows in ``[start, end]``.
    decision : DataFrame
        One row: ``retrain``, ``since``, ``train_from``, ``train_to``, ``train_labelled``,
        ``kind``, ``reason``.
    table : DataFrame
        Per window: ``labelled``, the metric, ``reference``, ``threshold``, ``degraded``,
        ``detections``, ``drifted_columns``.
    evidence : DataFrame
        The rows behind the decision: ``time``, ``source`` ('performance', 'detector', 'drift'),
        ``detail``.
    """

    def __init__(self, decision, table, evidence, metric, detections):
        self.decision = decision
        self.table = table
        self.evidence = evidence
        self.metric = metric
        self.detections = detections
        row = decision.iloc[0]
        self.retrain = bool(row["retrain"])
        self.since = None if pd.isna(row["since"]) else row["since"]
        self.train_window = None if pd.isna(row["train_from"]) else (row["train_from"], row["train_to"])
        self.reason = str(row["reason"])

    def __repr__(self):
        head = f"RetrainingSignal(retrain={self.retrain}, since={self.since}, train_window={self.train_window})"
        return f"{head}\n{self.reason}"

    def _repr_html_(self):
        ev = self.evidence.head(30).to_html(escape=True, index=False)
        return (f"<p><b>Retrain: {'yes' if self.retrain else 'no'}</b>. {html.escape(self.reason)}</p>"
                f"{self.decision.to_html(escape=True, index=False)}<p>Evidence</p>{ev}")

    def plot(self, ax=None):
        """The metric per window against its threshold, detections, the change start and the train window."""
        from ..plotting import _axes

        ax = _axes(ax)
        t = self.table
        x = t.index + (t.index[1] - t.index[0]) / 2 if len(t) > 1 else t.index
        ax.plot(x, t[self.metric].to_numpy(dtype=float), marker="o", ms=3, lw=1, label=self.metric)
        ax.plot(x, t["threshold"].to_numpy(dtype=float), ls=":", color="gray", label="degradation threshold")
        bad = t["degraded"].to_numpy(dtype=bool)
        ax.scatter(x[bad], t[self.metric].to_numpy(dtype=float)[bad], color="tab:red", zorder=3, s=14,
                   label="degraded")
        for i, when in enumerate(self.detections):
            ax.axvline(when, color="tab:purple", ls="--", lw=1, label="change detected" if i == 0 else None)
        if self.train_window is not None:
            ax.axvspan(*self.train_window, color="tab:green", alpha=0.12, label="train window")
        if self.since is not None:
            ax.axvline(self.since, color="tab:green", lw=1.5, label="change start (estimate)")
        ax.set_title(f"Retraining signal: {'retrain' if self.retrain else 'no retraining needed'}", fontsize=10)
        ax.legend(loc="lower left", fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
        return ax


def retraining_signal(df: pd.DataFrame, reference=None, label=None, freq="1D", metric="accuracy", method="ddm",
                      drift=None, as_of=None, z=3.0, min_labelled=50, min_train=500, **roles) -> RetrainingSignal:
    """Decide whether to retrain, from performance, change detections and input drift over time.

    Parameters
    ----------
    df : DataFrame
        Inference log with predictions and (late) labels.
    reference : timestamp-like, DataFrame or None
        End of the healthy reference period in ``df``, or a separate reference log. Default:
        ``df.attrs['reference_end']`` when present, else the first fifth of the time span.
    label : str, optional
        Name of the label column (same as the role keyword).
    freq : str
        Window of the performance and drift tables.
    metric : str
        A column of :func:`aimon.quality` (``accuracy``, ``f1``, ``roc_auc``, ``brier``, ...).
    method : str
        Change detector run on the misclassification stream (a binary one: ddm, eddm, hddm_a,
        hddm_w; or adwin).
    drift : object with ``.table``, DataFrame, False or None
        Input drift over time (long table: ``window``, ``column``, ``drifted``). None: use
        ``aimon.drift_over_time`` when it is installed; False: ignore input drift.
    as_of : timestamp-like, optional
        Decide with what was known then: later requests and labels that arrived later are left out.
    z : float
        A window is degraded when its metric is worse than the reference by more than ``z``
        standard errors.
    min_labelled : int
        Windows with fewer labelled rows are not judged.
    min_train : int
        Labelled rows wanted in the train window (fewer: the decision says to wait for labels).
    **roles
        Column overrides (``prediction=``, ``timestamp=``, ``label_time=`` ...).

    Returns
    -------
    RetrainingSignal

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> sig = df.aimon.retraining_signal(drift=False)
    >>> sig.retrain, str(sig.since.date())
    (True, '2026-03-25')
    """
    if label is not None:
        roles["label"] = label
    if metric not in HIGHER_IS_BETTER:
        raise SchemaError([f"metric={metric!r}: choose one of {', '.join(HIGHER_IS_BETTER)}."])
    r = infer_roles(df, **roles)
    require(r, ["timestamp", "label", "prediction"], df, "retraining_signal()")
    log = prepare(df, r)
    known = _as_of(df, r, log, as_of)
    known = with_roles(known, **{k: v for k, v in r.items() if v is not None and k != "features"})
    ref_end, ref_frame = _reference(known, r, reference)

    from pandas.tseries.frequencies import to_offset

    from ..metrics.quality import quality

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        q = quality(known, freq)
        qref = quality(ref_frame, freq) if ref_frame is not None else q[q.index + to_offset(freq) <= ref_end]
    if metric not in q.columns:
        raise SchemaError([f"metric={metric!r} is not computed for this log (task {q.attrs['aimon']['task']}); "
                           f"available: {', '.join(c for c in q.columns if c in HIGHER_IS_BETTER)}."], df.columns)
    n_lab = q["labelled"].to_numpy(dtype=float)
    value = q[metric].to_numpy(dtype=float)
    ref_value, threshold = _threshold(qref, metric, n_lab, z, min_labelled)
    higher = HIGHER_IS_BETTER[metric]
    judged = (n_lab >= min_labelled) & np.isfinite(value)
    degraded = judged & ((value < threshold) if higher else (value > threshold))
    after_ref = q.index >= (ref_end if ref_end is not None else q.index.min())
    degraded &= after_ref if ref_frame is None else True

    from ..detectors import get as get_detector
    from ..detectors.changepoints import _stream, changepoints

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cp = changepoints(known, "misclassified", method=method)
    klog = prepare(known, infer_roles(known))
    errs, _ = _stream(known, "misclassified", infer_roles(known), klog.order, None)
    ok = np.isfinite(errs)
    times, errs = klog.times[ok], errs[ok]
    det_times = pd.DatetimeIndex(cp.table["time"])
    det_pos = np.searchsorted(times.asi8, det_times.asi8)
    win_of = np.searchsorted(q.index.asi8, det_times.asi8, side="right") - 1
    counts = np.bincount(win_of[win_of >= 0], minlength=len(q))[: len(q)]

    drift_table = _drift(drift, known, ref_frame if ref_frame is not None else known[_before(known, r, ref_end)], freq)
    drifted = _drifted_per_window(drift_table, q.index)

    table = pd.DataFrame({"labelled": n_lab.astype(np.int64), metric: value, "reference": ref_value,
                          "threshold": threshold, "degraded": degraded, "detections": counts,
                          "drifted_columns": drifted}, index=q.index)
    evidence = []
    for w in np.flatnonzero(degraded):
        evidence.append({"time": q.index[w], "source": "performance",
                         "detail": f"{metric} {value[w]:.3f} on {int(n_lab[w])} labelled rows, "
                                   f"{'below' if higher else 'above'} the threshold {threshold[w]:.3f} "
                                   f"(reference {ref_value:.3f})"})
    for j, (when, w) in enumerate(zip(det_times, win_of)):
        if ref_end is not None and when < ref_end:
            continue
        follow = [k for k in range(max(w, 0), len(q)) if judged[k]][: CONFIRM_WINDOWS + 1]
        ok_det = any(degraded[k] for k in follow)
        evidence.append({"time": when, "source": "detector",
                         "detail": f"{cp.method} detected a rise of the error rate "
                                   f"({cp.table['mean_before'].iloc[j]:.1%} -> {cp.table['mean_after'].iloc[j]:.1%})"
                                   + ("; confirmed by degraded windows" if ok_det else "; not confirmed")})
    for w in np.flatnonzero(np.nan_to_num(drifted, nan=0) > 0):
        cols = drift_table.loc[(drift_table["window"] == q.index[w]) & drift_table["drifted"].astype(bool), "column"]
        evidence.append({"time": q.index[w], "source": "drift",
                         "detail": f"input drift in {', '.join(map(str, cols.unique()[:8]))}"})

    # the current episode: the trailing run of degraded windows (windows without enough labels skipped)
    js = np.flatnonzero(judged & (after_ref if ref_frame is None else True))
    since = rearmed = None
    if len(js) >= CONFIRM_WINDOWS and degraded[js[-CONFIRM_WINDOWS:]].all():
        run = next((i for i in range(len(js) - 1, -1, -1) if not degraded[js[i]]), -1)
        first_bad = js[run + 1]
        healthy_start = q.index[js[run]] if run >= 0 else (ref_end if ref_end is not None else q.index[0])
        a = int(np.searchsorted(times.asi8, pd.Timestamp(healthy_start).as_unit(times.unit).asm8.view("i8")))
        # re-arm the detector after the last healthy window and estimate where the error rate rose
        again = get_detector(method)().scan(errs[a:]) if a < len(errs) else None
        end = a + int(again.indices[0]) if again is not None and len(again) else len(errs) - 1
        since = times[_change_start(errs, end, a)]
        if again is not None and len(again):
            rearmed = times[a + int(again.indices[0])]
            evidence.append({"time": rearmed, "source": "detector",
                             "detail": f"{cp.method} re-armed after the last healthy window ({healthy_start:%Y-%m-%d %H:%M}) "
                                       f"detects the rise; change estimated to start {since:%Y-%m-%d %H:%M}"})
        else:
            evidence.append({"time": q.index[first_bad], "source": "performance",
                             "detail": f"{metric} degraded since window {q.index[first_bad]:%Y-%m-%d %H:%M}; "
                                       f"change estimated to start {since:%Y-%m-%d %H:%M}"})
    labelled_times = pd.DatetimeIndex(times)
    retrain = since is not None
    if retrain:
        train_to = labelled_times.max()
        n_train = int(((labelled_times >= since) & (labelled_times <= train_to)).sum())
        inputs = drifted[max(int(np.searchsorted(q.index.asi8, since.as_unit(q.index.unit).asm8.view("i8"),
                                                 side="right")) - 1, 0):]
        if drift_table is None:
            kind = "performance change (input drift not checked)"
        elif np.nansum(inputs) > 0:
            kind = "covariate shift (inputs drifted and performance fell)"
        else:
            kind = "concept drift (performance fell, inputs stable)"
        reason = (f"{metric} is below the reference {ref_value:.3f} in the last labelled windows"
                  + (f" and {cp.method} detects the rise of the error rate" if rearmed is not None else ""))
        reason += (f"; the data changed since {since:%Y-%m-%d %H:%M} (estimate). Train on the {n_train} labelled "
                   "rows from then on")
        reason += "." if n_train >= min_train else f", after waiting for more labels (wanted {min_train})."
        decision = dict(retrain=True, since=since, train_from=since, train_to=train_to, train_labelled=n_train,
                        kind=kind, reason=reason)
    else:
        tail = 0  # degraded windows at the end of the judged ones: an episode not yet confirmed
        while tail < len(js) and degraded[js[len(js) - 1 - tail]]:
            tail += 1
        n_deg = int(degraded.sum()) - tail
        if tail:
            reason = (f"{metric} of the last {tail} labelled window(s) is worse than {ref_value:.3f} by more than "
                      f"{z:g} standard errors, but {CONFIRM_WINDOWS} in a row are needed to call a change: "
                      f"wait for the next window's labels")
        else:
            reason = (f"the model performs as in the reference: {metric} of the last labelled windows is within "
                      f"{z:g} standard errors of {ref_value:.3f}")
        reason += ((f" ({n_deg} earlier windows were degraded and recovered)" if n_deg else "")
                   + (f"; {len(det_times)} detections were not confirmed" if len(det_times) else "") + ".")
        decision = dict(retrain=False, since=pd.NaT, train_from=pd.NaT, train_to=pd.NaT, train_labelled=0,
                        kind="none", reason=reason)
    ev = pd.DataFrame(evidence, columns=["time", "source", "detail"])
    if len(ev):
        ev = ev.sort_values("time", kind="stable").reset_index(drop=True)
    return RetrainingSignal(pd.DataFrame([decision]), table, ev, metric, list(det_times))


def _as_of(df, r, log, as_of):
    """The log as known at ``as_of``: later rows dropped, labels that arrived later removed."""
    if as_of is None:
        return df
    try:
        cutoff = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise SchemaError([f"as_of={as_of!r}: give a timestamp, e.g. '2026-03-20 12:00'."]) from None
    tz = log.times.tz
    if (cutoff.tz is None) != (tz is None):
        cutoff = cutoff.tz_localize(tz) if cutoff.tz is None else cutoff.tz_convert(None)
    keep = np.zeros(len(df), dtype=bool)
    keep[log.order] = np.asarray(log.times <= cutoff)
    out = df[keep].copy()
    lt = r.get("label_time")
    if lt is not None:
        arrived = pd.DatetimeIndex(out[lt])
        late = np.asarray(arrived > cutoff) | np.asarray(arrived.isna())
        out[r["label"]] = out[r["label"]].where(~late)  # NaN until the label arrives (ints become floats)
    return out


def _before(df, r, end):
    ts = df.index if r["timestamp"] == "<index>" else pd.DatetimeIndex(df[r["timestamp"]])
    return np.asarray(ts < end)


def _reference(df, r, reference):
    """(end of the reference period or None, separate reference frame or None)."""
    if isinstance(reference, pd.DataFrame):
        return None, reference
    if reference is None:
        reference = df.attrs.get("reference_end")
    if reference is None:
        log = prepare(df, r)
        if len(log.times) == 0:
            raise SchemaError(["retraining_signal(): the log has no rows with a timestamp."], df.columns)
        return log.times[0] + (log.times[-1] - log.times[0]) / 5, None
    try:
        end = pd.Timestamp(reference)
    except (TypeError, ValueError):
        raise SchemaError([f"reference={reference!r}: give the end of the reference period (a timestamp) or a "
                           "reference DataFrame."]) from None
    tz = prepare(df, r).times.tz
    if (end.tz is None) != (tz is None):
        end = end.tz_localize(tz) if end.tz is None else end.tz_convert(None)
    return end, None


def _threshold(qref, metric, n_lab, z, min_labelled):
    """Reference value of the metric and the degradation threshold per window."""
    ok = (qref["labelled"] >= min_labelled) & qref[metric].notna()
    ref = qref[ok]
    if len(ref) == 0:
        raise SchemaError([f"retraining_signal(): the reference period has no window with {min_labelled} "
                           f"labelled rows and a {metric}; give a longer reference or a lower min_labelled."])
    w = ref["labelled"].to_numpy(dtype=float)
    ref_value = float(np.sum(ref[metric].to_numpy(dtype=float) * w) / w.sum())
    sign = -1.0 if HIGHER_IS_BETTER[metric] else 1.0
    if metric == "accuracy":  # binomial standard error of each window's accuracy
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(ref_value * (1 - ref_value) / n_lab)
    else:
        sd = float(ref[metric].std(ddof=1)) if len(ref) > 1 else np.nan
        se = np.full(len(n_lab), sd if np.isfinite(sd) else 0.0)
    return ref_value, ref_value + sign * z * se


def _change_start(errors, end, start):
    """Split of errors[start:end+1] that best separates a lower from a higher error rate."""
    seg = errors[start:end + 1]
    n = len(seg)
    if n < 2:
        return int(start)
    c = np.concatenate([[0.0], np.cumsum(seg)])
    k = np.arange(1, n)
    n1, n2 = k.astype(float), (n - k).astype(float)
    e1, e2 = c[k], c[n] - c[k]

    def ll(e, m):
        with np.errstate(divide="ignore", invalid="ignore"):
            p = e / m
            return np.nan_to_num(e * np.log(p)) + np.nan_to_num((m - e) * np.log1p(-p))

    score = ll(e1, n1) + ll(e2, n2)
    score[(e2 / n2) <= (e1 / n1)] = -np.inf  # only rises of the error rate
    if not np.isfinite(score).any():
        return int(start)
    return int(start + k[int(np.argmax(score))])


def _drift(drift, df, ref, freq):
    """Long drift table (window, column, drifted) or None when input drift is not available."""
    if drift is False:
        return None
    if drift is None:
        try:
            from ..datadrift.timeline import drift_over_time
        except ImportError:
            return None
        drift = drift_over_time(df, ref, freq=freq)
    table = drift.table if hasattr(drift, "table") else drift
    if not isinstance(table, pd.DataFrame) or not {"window", "column", "drifted"} <= set(table.columns):
        raise SchemaError(["drift=: expected a result of aimon.drift_over_time (or its .table) with columns "
                           "'window', 'column', 'drifted'; pass drift=False to ignore input drift."])
    return table


def _drifted_per_window(table, windows):
    if table is None:
        return np.full(len(windows), np.nan)
    t = table[table["drifted"].astype(bool)]
    w = pd.DatetimeIndex(t["window"])
    if w.tz is None and windows.tz is not None:
        w = w.tz_localize(windows.tz)
    counts = pd.Series(t["column"].to_numpy(), index=w).groupby(level=0).nunique()
    return counts.reindex(windows).fillna(0).to_numpy(dtype=float)
