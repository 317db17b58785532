"""``aimon.gate``: should the candidate model replace production?

Four groups of checks, each a row of the result: quality on the golden rows (paired tests, see
:mod:`aimon.gating._paired`), latency/TTFT/cost (see :mod:`aimon.gating._latency`), the schema and
data of a batch against a reference profile (:mod:`aimon.gating.schema`), and the behavioural
consistency of the two models' predictions on the same inputs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AimonError, SchemaError
from ..roles import infer_roles
from . import _latency, _paired
from .result import make, row
from .schema import ON_OFF, load_profile, schema_rows

METRICS = tuple(_paired.HIGHER_IS_BETTER)
TASK_METRICS = {"binary": METRICS[:5], "multiclass": ("accuracy",), "regression": ("mae", "rmse")}


# ----------------------------------------------------------------------------- inputs
def _check_frame(df, name):
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"gate(): {name}= must be a pandas DataFrame (an inference log), got {type(df).__name__}.")
    if len(df) == 0:
        raise AimonError(f"gate(): the {name} log has no rows.")


def _prob(name, value, low=0.0, high=1.0, open_=True):
    bad = not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value)
    if not bad:
        bad = not (low < value < high) if open_ else not (low <= value <= high)
    if bad:
        raise AimonError(f"{name}={value!r}: use a number {'strictly ' if open_ else ''}between {low} and {high}.")
    return float(value)


def _positive(name, value):
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 or not np.isfinite(value):
        raise AimonError(f"{name}={value!r}: use a positive number (or None to skip the check).")
    return float(value)


def _metrics(quality) -> list | None:
    if quality is None or quality is False:
        return []
    if quality == "auto":
        return None
    names = [quality] if isinstance(quality, str) else list(quality)
    out = []
    for m in names:
        key = str(m).lower().replace("roc_auc", "auc")
        if key not in METRICS:
            raise AimonError(f"quality={m!r} is not a metric the gate knows. Use one of {', '.join(METRICS)}.")
        out.append(key)
    return out


def pair_rows(cand, prod, rc, rp):
    """Positions (i_cand, i_prod) of the same requests, and how they were matched."""
    idc, idp = rc.get("request_id"), rp.get("request_id")
    if idc is not None and idp is not None:
        a, b = cand[idc], prod[idp]
        for side, s, col in (("candidate", a, idc), ("production", b, idp)):
            if s.isna().any() or s.duplicated().any():
                raise AimonError(f"The {side} log's request ids ({col!r}) must be unique and present to pair rows "
                                 f"({int(s.duplicated().sum())} duplicated, {int(s.isna().sum())} missing).")
        only_c = ~a.isin(b)
        only_p = ~b.isin(a)
        if only_c.any() or only_p.any():
            raise AimonError(
                f"Candidate and production must score the same rows: {int(only_c.sum())} request id(s) only in the "
                f"candidate (e.g. {a[only_c].head(3).tolist()}), {int(only_p.sum())} only in production "
                f"(e.g. {b[only_p].head(3).tolist()}). Run both models on the same golden set.")
        pos_p = pd.Series(np.arange(len(b)), index=pd.Index(b.to_numpy()))
        return np.arange(len(a)), pos_p.loc[a.to_numpy()].to_numpy(), f"by request id ({idc!r})"
    if len(cand) != len(prod):
        raise AimonError(f"Candidate ({len(cand):,} rows) and production ({len(prod):,} rows) must score the same rows. "
                         "Without a request_id column on both, rows are paired by order; add request ids "
                         "(request_id='column') or run both models on the same golden set.")
    return np.arange(len(cand)), np.arange(len(prod)), "by row order (no request_id on both logs)"


def _labels(cand, prod, rc, rp, ic, ip):
    lc, lp = rc.get("label"), rp.get("label")
    yc = cand[lc].to_numpy()[ic] if lc is not None else None
    yp = prod[lp].to_numpy()[ip] if lp is not None else None
    if yc is not None and yp is not None:
        both = pd.notna(yc) & pd.notna(yp)
        differ = both & (pd.Series(yc).astype(object).to_numpy() != pd.Series(yp).astype(object).to_numpy())
        if differ.any():
            raise AimonError(f"The two logs disagree on the label of {int(differ.sum())} paired row(s); the golden "
                             f"labels must be the same for both models (columns {lc!r} and {lp!r}).")
        return pd.Series(np.where(pd.notna(yc), yc, yp))
    y = yc if yc is not None else yp
    return None if y is None else pd.Series(y)


def _task(y: pd.Series, pos_label):
    vals = y.dropna()
    if pos_label is not None:
        return "binary"
    if pd.api.types.is_bool_dtype(vals.dtype) or set(pd.unique(vals)).issubset({0, 1, True, False, 0.0, 1.0}):
        return "binary"
    if pd.api.types.is_numeric_dtype(vals.dtype):
        x = vals.to_numpy(dtype=float)
        return "multiclass" if np.all(x == np.round(x)) and len(np.unique(x)) <= 20 else "regression"
    return "multiclass"


def _as01(s: pd.Series, pos_label, what):
    if pos_label is not None:
        return np.where(s.isna(), np.nan, (s.astype(object) == pos_label).astype(float))
    try:
        out = pd.to_numeric(s.astype(object), errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise SchemaError([f"{what} is not 0/1 or boolean; pass pos_label=<the positive class>."]) from exc
    bad = ~np.isnan(out) & ~np.isin(out, [0.0, 1.0])
    if bad.any():
        raise SchemaError([f"{what} holds values other than 0/1 ({int(bad.sum())} rows); pass pos_label=."])
    return out


def _model_outputs(df, r, idx, task, pos_label, threshold, name):
    """(predictions, scores) of one model on the paired rows (NaN where missing)."""
    pc, sc = r.get("prediction"), r.get("score")
    if pc is None and sc is None:
        raise SchemaError([f"The {name} log has neither a prediction nor a score column. Name one with "
                           "prediction='column' or score='column'."], df.columns)
    score = None
    if sc is not None:
        score = pd.to_numeric(df[sc], errors="coerce").to_numpy(dtype=float)[idx]
        if np.isnan(score).all():
            raise AimonError(f"The {name} model's scores ({sc!r}) are all missing (NaN): nothing to compare.")
    if pc is None:
        if task != "binary":
            raise SchemaError([f"The {name} log has a score but no prediction column; a {task} task needs "
                               "prediction='column'."], df.columns)
        pred = np.where(np.isnan(score), np.nan, (score >= threshold).astype(float))
    else:
        s = df[pc].iloc[idx].reset_index(drop=True)
        if s.isna().all():
            raise AimonError(f"The {name} model's predictions ({pc!r}) are all missing (NaN): nothing to compare.")
        if task == "binary":
            pred = _as01(s, pos_label, f"The {name} prediction column {pc!r}")
        elif task == "regression":
            pred = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)  # text counts as missing
            if np.isnan(pred).all():
                raise SchemaError([f"The {name} prediction column {pc!r} holds no number for a regression task."],
                                  df.columns)
        else:
            pred = s
    return pred, score


def _consistency_rows(pred_c, pred_p, score_c, score_p, task, level, alpha, min_agreement, max_shift,
                      decisions=True):
    """Agreement of the predictions (when the models make decisions: prediction columns or labels)
    and the KS distance between their scores (or regression predictions)."""
    from ..datadrift import stats

    rows = []
    status = "fail" if level == "fail" else "warn"
    if task in ("binary", "multiclass") and decisions:
        a = pd.Series(pred_c).astype(object)
        b = pd.Series(pred_p).astype(object)
        both = a.notna() & b.notna()
        agree = float((a[both] == b[both]).mean()) if both.any() else np.nan
        rows.append(row("consistency.agreement", status if agree < min_agreement else "pass", agree, min_agreement,
                        f"the two models give the same prediction on {agree:.1%} of {int(both.sum()):,} paired rows",
                        "agreement rate"))
    if score_c is not None and score_p is not None:
        x, y, what = score_p, score_c, "scores"
    elif task == "regression":
        x, y, what = np.asarray(pred_p, float), np.asarray(pred_c, float), "predictions"
    else:
        x, y, what = None, None, None
    if x is not None:
        x, y = x[~np.isnan(x)], y[~np.isnan(y)]
        if x.size and y.size:
            res = stats.ks(x, y)
            moved = res.statistic > max_shift and res.p_value < alpha
            rows.append(row("consistency.distribution", status if moved else "pass", res.statistic, max_shift,
                            f"KS distance {res.statistic:.3f} between the two models' {what} on the same inputs",
                            "two-sample KS", res.p_value))
    return rows


# ----------------------------------------------------------------------------- quality
def _decide(p_value, p_proof, worse, level, strict):
    """(status, p-value shown): fail on evidence of harm, or (strict) unless the data prove it safe."""
    if strict:
        return ("pass" if p_proof < level else "fail"), p_proof
    return ("fail" if p_value < level else ("warn" if worse else "pass")), p_value


def _quality_rows(metrics, y, pc, pp, sc, sp, task, margin, min_quality, alpha, n_boot, seed, left_out, strict):
    k = len(metrics)
    level = alpha / k
    corr = f"; Bonferroni over {k} quality checks (each at {level:.3g})" if k > 1 else ""
    rows = []
    for m in metrics:
        if m not in TASK_METRICS[task]:
            raise AimonError(f"quality={m!r} does not apply to a {task} task (use one of {', '.join(TASK_METRICS[task])}).")
        if m == "auc":
            if sc is None or sp is None:
                raise AimonError("quality='auc' needs a score column (probability of the positive class) in both logs "
                                 "(name it with score='column').")
            keep = ~(np.isnan(y) | np.isnan(sc) | np.isnan(sp))
            res = _paired.delong(sc[keep], sp[keep], y[keep], margin, level)
        else:
            if task == "regression":
                yy, cc, qq = (np.asarray(v, float) for v in (y, pc, pp))
                keep = ~(np.isnan(yy) | np.isnan(cc) | np.isnan(qq))
            elif task == "binary":
                yy, cc, qq = y, pc, pp
                keep = ~(np.isnan(yy) | np.isnan(cc) | np.isnan(qq))
            else:
                ys, cs, ps = (pd.Series(v).astype(object) for v in (y, pc, pp))
                keep = (ys.notna() & cs.notna() & ps.notna()).to_numpy()
                yy, cc, qq = ys.to_numpy(), cs.to_numpy(), ps.to_numpy()
            if keep.sum() < 2:
                raise AimonError(f"quality={m!r}: fewer than 2 golden rows with a label and both models' predictions.")
            yk, ck, qk = yy[keep], cc[keep], qq[keep]
            if m == "accuracy":
                res = _paired.accuracy_test((ck == yk).astype(int), (qk == yk).astype(int), margin, level)
            elif m == "mae":
                res = _paired.mae_test(ck - yk, qk - yk, margin, level)
            else:
                res = _paired.bootstrap_test(m, yk, ck, qk, margin, level, n_boot, seed)
        dropped = int((~keep).sum()) + left_out
        higher = _paired.HIGHER_IS_BETTER[m]
        worse = res.delta < -margin if higher else res.delta > margin
        status, p_shown = _decide(res.p_value, res.p_proof, worse, level, strict)
        side = "upper" if higher else "lower"
        evidence = (f"candidate {res.candidate:.4g} vs production {res.production:.4g} (delta {res.delta:+.4g}, "
                    f"one-sided {1 - level:.3g} {side} bound {res.bound:+.4g}, margin {margin:g}) on "
                    f"{int(keep.sum()):,} golden rows" + (f", {dropped:,} left out" if dropped else "")
                    + (f"; {res.note}" if res.note else "") + corr
                    + ("; strict: non-inferiority must be shown" if strict else ""))
        rows.append(row(f"quality.{m}", status, res.candidate, res.production - margin if higher
                        else res.production + margin, evidence, _paired.TESTS[m], p_shown))
        floor = min_quality.get(m) if isinstance(min_quality, dict) else (min_quality if higher else None)
        if floor is not None:
            bad = res.candidate < floor if higher else res.candidate > floor
            rows.append(row(f"quality.{m}_{'min' if higher else 'max'}", "fail" if bad else "pass", res.candidate,
                            floor, f"candidate {m} {res.candidate:.4g} against the {'floor' if higher else 'ceiling'} "
                                   f"{floor:g}", "absolute limit"))
    return rows


# ----------------------------------------------------------------------------- latency
def _values(df, col, name, role):
    v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.all():
        raise AimonError(f"The {name} log's {role} column {col!r} has no usable value (all missing or negative).")
    return v[~bad], int(bad.sum())


def _speed_rows(label, suffix, c, p, sla, q, max_ratio, alpha, n_boot, seed, left_c, left_p, quantile=True,
                strict=False):
    rows = []
    qname = f"p{q * 100:g}"
    unit = "ms" if quantile else "USD"
    if sla is not None and quantile:
        t = _latency.quantile_vs_limit(c, sla, q, alpha)
        status, p_shown = _decide(t.p_value, t.p_proof, t.estimate > sla, alpha, strict)
        rows.append(row(f"{label}.{qname}_sla{suffix}", status, t.estimate, sla,
                        f"candidate {qname} {t.estimate:.4g} {unit} (one-sided {1 - alpha:g} bounds "
                        f"[{t.lower:.4g}, {t.upper:.4g}]); {t.n_over:,} of {t.n:,} requests over {sla:g} {unit}"
                        + (f", {left_c:,} rows without a value left out" if left_c else ""),
                        "order-statistic binomial", p_shown))
    if p is not None and max_ratio is not None:
        r = _latency.ratio_test(c, p, max_ratio, alpha, n_boot, seed, q if quantile else None)
        what = qname if quantile else "mean per request"
        status, p_shown = _decide(r.p_value, r.p_proof, r.ratio > max_ratio, alpha, strict)
        rows.append(row(f"{label}.{'ratio' if quantile else 'per_request_ratio'}{suffix}", status, r.ratio, max_ratio,
                        f"candidate {what} {r.candidate:.4g} vs production {r.production:.4g} {unit}: ratio "
                        f"{r.ratio:.3f} (one-sided {1 - alpha:g} lower bound {r.lower:.3f}; {c.size:,} vs "
                        f"{p.size:,} requests)" + (f", {left_c + left_p:,} rows without a value left out"
                                                    if left_c + left_p else ""),
                        "bootstrap ratio" + ("" if quantile else " of means"), p_shown))
    return rows


def _latency_rows(cand, prod, rc, rp, by, q, sla, max_ratio, ttft_sla, max_ttft_ratio, max_cost_ratio,
                  alpha, n_boot, seed, strict):
    rows = []
    specs = [("latency", "latency", sla, max_ratio, True), ("ttft", "ttft", ttft_sla, max_ttft_ratio, True),
             ("cost", "cost", None, max_cost_ratio, False)]
    groups = [("", cand, prod)]
    if by is not None:
        if by not in cand.columns:
            raise SchemaError([f"by={by!r}: no such column in the candidate log."], cand.columns)
        for key, part in cand.groupby(by, observed=True, sort=True):
            other = prod[prod[by] == key] if prod is not None and by in prod.columns else None
            groups.append((f"[{by}={key}]", part, other if other is not None and len(other) else None))
    for suffix, c_df, p_df in groups:
        for label, role, lim, ratio, is_q in specs:
            col_c = rc.get(role)
            if col_c is None or (lim is None and ratio is None):
                continue
            try:
                c, left_c = _values(c_df, col_c, "candidate", role)
                p, left_p = None, 0
                col_p = rp.get(role) if p_df is not None else None
                if col_p is not None:
                    p, left_p = _values(p_df, col_p, "production", role)
            except AimonError as exc:
                if not suffix:
                    raise
                rows.append(row(f"{label}{suffix}", "warn", evidence=f"not checked: {exc}", test="-"))
                continue
            rows += _speed_rows(label, suffix, c, p, lim, q, ratio, alpha, n_boot, seed, left_c, left_p, is_q,
                                strict)
    return rows


# ----------------------------------------------------------------------------- gate
def gate(candidate=None, production=None, *, quality="auto", margin: float = 0.0, min_quality=None,
         alpha: float = 0.05, latency_sla_ms=None, latency_quantile: float = 0.95, max_latency_ratio=1.10,
         ttft_sla_ms=None, max_ttft_ratio=1.10, max_cost_ratio=1.10, by=None, schema=None, data=None,
         range_tolerance: float = 0.1, max_share: float = 0.01, max_missing_increase: float = 0.05,
         drift: str = "fail", consistency: str = "warn", min_agreement: float = 0.9,
         max_prediction_shift: float = 0.1, pos_label=None, decision_threshold: float = 0.5,
         n_boot: int = 2000, seed: int = 0, strict: bool = False, **roles):
    """Decide whether a candidate model may replace the production model.

    A check *fails* only on evidence: when the candidate is significantly worse than production
    by more than ``margin`` (one-sided tests at ``alpha``), significantly over an SLA, or when
    the data breaks the reference schema. A worse point estimate without significance is a
    *warning*. ``passed`` is True when no check failed. ``strict=True`` reverses the burden of
    proof (classical non-inferiority: the candidate must be shown not to be worse).

    Parameters
    ----------
    candidate, production : DataFrame
        Inference logs of the two models (roles inferred as usual: ``label``, ``prediction``,
        ``score``, ``latency``, ``ttft``, ``cost``, ``request_id``). Quality is compared on the
        golden rows (rows with a label), paired by ``request_id`` when both logs have it, else
        by row order. ``production`` may be None (SLA and schema checks only).
    quality : str or list of str
        Metrics compared on the golden rows: ``accuracy, precision, recall, f1, auc`` (binary),
        ``accuracy`` (multiclass), ``mae, rmse`` (regression). 'auto' picks accuracy (+ auc
        when both logs have scores) or mae, and skips quality when there is no label column;
        None skips quality.
    margin : float
        Non-inferiority margin, in the metric's units: a candidate worse by less is acceptable.
    min_quality : float or dict, optional
        Absolute floors on the candidate's metrics (a dict maps metric -> limit; for ``mae`` and
        ``rmse`` the limit is a ceiling).
    alpha : float
        One-sided level of every test (quality checks share it, Bonferroni).
    latency_sla_ms, latency_quantile : float, float
        The SLA on the candidate's latency quantile (order-statistic binomial test).
    max_latency_ratio, max_ttft_ratio, max_cost_ratio : float or None
        Largest acceptable candidate / production ratio of the latency and TTFT quantiles and of
        the mean cost per request (bootstrap); None skips the check.
    ttft_sla_ms : float, optional
        SLA on the candidate's TTFT quantile.
    by : str, optional
        A column (e.g. ``region``): the latency checks are repeated per segment.
    schema : Profile, DataFrame or path, optional
        The reference profile that ``data`` is checked against (see :func:`aimon.check`).
    data : DataFrame, optional
        A batch of model inputs to validate against ``schema`` (default: the candidate log).
    range_tolerance, max_share, max_missing_increase, drift
        Schema check options (see :func:`aimon.check`).
    consistency : {'warn', 'fail', 'off'}
        What a behavioural difference does: agreement rate below ``min_agreement``, or a KS
        distance between the two models' scores above ``max_prediction_shift`` (and significant).
    pos_label, decision_threshold
        Positive class of a binary task (when labels are not 0/1) and the score threshold used
        when a log has a score but no prediction.
    n_boot, seed : int
        Bootstrap resamples and seed (the gate is deterministic).
    strict : bool
        Reverse the burden of proof: a quality, SLA or ratio check passes only when the data
        *show* the candidate is not worse by more than the margin (classical non-inferiority
        test), meets the SLA, or stays below the ratio, at ``alpha``. Small golden sets then
        block; ``p_value`` is that of the non-inferiority test.
    **roles
        Role overrides applied to both logs (e.g. ``latency="t_ms"``).

    Returns
    -------
    GateResult

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> rng = np.random.default_rng(1)
    >>> y = rng.integers(0, 2, 4000)
    >>> prod = pd.DataFrame({"request_id": np.arange(4000), "label": y,
    ...                      "prediction": np.where(rng.random(4000) < 0.90, y, 1 - y),
    ...                      "latency_ms": rng.gamma(4, 40, 4000)})
    >>> worse = prod.assign(prediction=np.where(rng.random(4000) < 0.85, y, 1 - y))
    >>> g = aimon.gate(candidate=worse, production=prod, quality="accuracy", latency_sla_ms=300)
    >>> g.passed, g.failed["check"].tolist()
    (False, ['quality.accuracy'])
    """
    _check_frame(candidate, "candidate")
    if production is not None:
        _check_frame(production, "production")
    alpha = _prob("alpha", alpha)
    latency_quantile = _prob("latency_quantile", latency_quantile)
    if not isinstance(margin, (int, float)) or isinstance(margin, bool) or not 0 <= margin < 1e300:
        raise AimonError(f"margin={margin!r}: use a non-negative number in the metric's units.")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise AimonError(f"n_boot={n_boot!r}: use a whole number of at least 100.")
    if not isinstance(strict, (bool, np.bool_)):
        raise AimonError(f"strict={strict!r}: use True or False.")
    for name, v in (("drift", drift), ("consistency", consistency)):
        if v not in ON_OFF:
            raise AimonError(f"{name}={v!r}: use 'fail', 'warn' or 'off'.")
    if min_quality is not None and not isinstance(min_quality, (int, float, dict)):
        raise AimonError(f"min_quality={min_quality!r}: use a number or a dict metric -> limit.")
    if isinstance(min_quality, dict):
        _metrics(list(min_quality))
    sla = _positive("latency_sla_ms", latency_sla_ms)
    ttft_sla = _positive("ttft_sla_ms", ttft_sla_ms)
    ratios = [_positive(n, v) for n, v in (("max_latency_ratio", max_latency_ratio),
                                           ("max_ttft_ratio", max_ttft_ratio), ("max_cost_ratio", max_cost_ratio))]
    metrics = _metrics(quality)
    rc = infer_roles(candidate, **roles)
    rp = infer_roles(production, **roles) if production is not None else {}
    info = {}
    rows = []

    # quality + consistency on the paired rows
    has_outputs = production is not None and any(rc.get(k) for k in ("prediction", "score")) \
        and any(rp.get(k) for k in ("prediction", "score"))
    if metrics and production is None:
        raise AimonError("quality= compares the candidate with production: pass production=<its log>, or quality=None.")
    if production is not None and (metrics or metrics is None and has_outputs
                                   or has_outputs and consistency != "off"):
        ic, ip, how = pair_rows(candidate, production, rc, rp)
        info["pairing"] = how
        info["paired rows"] = len(ic)
        y = _labels(candidate, production, rc, rp, ic, ip)
        no_labels = y is None or not y.notna().any()
        if no_labels and metrics:
            raise AimonError("No labels on the golden set: quality needs a label column with ground truth in the "
                             "candidate or production log (name it with label='column'), or pass quality=None.")
        task = None if no_labels else _task(y, pos_label)
        if task is None:
            task = "binary" if (rc.get("score") and rp.get("score")) or pos_label is not None else None
            if task is None:
                pred_col = rc.get("prediction")
                task = _task(candidate[pred_col].iloc[ic].reset_index(drop=True), None) if pred_col else "binary"
        pc, sc = _model_outputs(candidate, rc, ic, task, pos_label, decision_threshold, "candidate")
        pp, sp = _model_outputs(production, rp, ip, task, pos_label, decision_threshold, "production")
        if metrics is None:
            metrics = [] if no_labels else (["accuracy"] + (["auc"] if task == "binary" and sc is not None
                                                            and sp is not None else [])
                                            if task != "regression" else ["mae"])
            if no_labels:
                rows.append(row("quality", "warn", evidence="no labels on the paired rows: quality not compared",
                                test="-"))
        if metrics:
            if task == "binary":
                yv = _as01(y, pos_label, "The label column")
            elif task == "regression":
                yv = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
            else:
                yv = y
            golden = pd.notna(yv) if task != "multiclass" else y.notna().to_numpy()
            info["golden rows"] = int(np.sum(golden))
            sel = np.flatnonzero(golden)

            def take(v):
                return None if v is None else (v[sel] if isinstance(v, np.ndarray) else
                                               pd.Series(v).iloc[sel].to_numpy())

            rows += _quality_rows(metrics, take(np.asarray(yv) if task != "multiclass" else y.to_numpy()),
                                  take(pc), take(pp), take(sc), take(sp), task, float(margin), min_quality,
                                  alpha, int(n_boot), seed, 0, bool(strict))
        if consistency != "off":
            decisions = not no_labels or bool(rc.get("prediction") and rp.get("prediction"))
            rows += _consistency_rows(pc, pp, sc, sp, task, consistency, alpha, min_agreement, max_prediction_shift,
                                      decisions)

    # latency, TTFT, cost
    rows += _latency_rows(candidate, production, rc, rp, by, latency_quantile, sla, ratios[0], ttft_sla, ratios[1],
                          ratios[2], alpha, int(n_boot), seed, bool(strict))
    if sla is not None and rc.get("latency") is None:
        raise SchemaError(["latency_sla_ms= needs the candidate's 'latency' role; name it with latency='column'."],
                          candidate.columns)

    # schema and data
    if schema is not None:
        prof = load_profile(schema)
        batch = candidate if data is None else data
        if not isinstance(batch, pd.DataFrame) or len(batch) == 0:
            raise AimonError("data= must be a non-empty DataFrame (the batch to validate against schema=).")
        r_batch = infer_roles(batch) if data is not None else rc
        ignore = [c for k, c in r_batch.items() if k != "features" and c is not None]
        rows += schema_rows(batch, prof, range_tolerance, max_share, max_missing_increase, drift, alpha, ignore)
        info["data rows"] = len(batch)
    elif data is not None:
        raise AimonError("data= is checked against a reference profile: pass schema=<Profile or profile.json> too.")
    if not rows:
        raise AimonError("The gate has nothing to check: pass production= (quality, latency ratio), "
                         "latency_sla_ms=, or schema= with data=.")
    return make(rows, info)
