"""Compare current windows of many columns with a reference profile, in one pass per kind.

``compare`` takes one column's profile, its current values in row order and window boundaries
(one window for a plain report), and returns one row per window: the statistic of the chosen
method, its p-value, the effect size, sizes, missing shares and unseen categories. Every window
of a numeric column is a contiguous slice of the time-ordered rows, sorted in place; ECDF gaps and
Wasserstein distances then come from binary searches in the sorted reference and its prefix sums,
so the cost grows with the rows of the log, not with windows x reference size (so do the
Mann-Whitney and Cramér-von Mises rank sums and the energy distance; Anderson-Darling still
merges each window with the reference). The kernels run over all
windows of all columns in parallel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels import binned, twosample
from . import _pvalues, calibrate
from ._columns import category_codes, numeric_values
from .stats import EPS


def _window_ids(bounds: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))


def numeric_windows(cp, s: pd.Series, bounds):
    """Per window: sorted current values (flat, offsets), bin counts, n_rows/missing/invalid."""
    vals, n_missing, n_invalid = numeric_values(s)
    k = len(bounds) - 1
    nb = cp.edges.size + 1
    if k == 1:  # one window (drift()): no window ids needed
        flat = vals[~np.isnan(vals)] if n_missing or n_invalid else vals.copy()
        flat.sort()
        from .stats import bin_counts

        off = np.array([0, flat.size], dtype=np.int64)
        return (flat, off, bin_counts(flat, cp.edges), nb, np.array([vals.size]), np.array([n_missing]),
                np.array([n_invalid]))
    wid = _window_ids(bounds)
    present = np.asarray(s.notna())
    usable = ~np.isnan(vals)
    n_rows = np.diff(bounds).astype(np.int64)
    n_missing = np.bincount(wid[~present], minlength=k)
    n_invalid = np.bincount(wid[present & ~usable], minlength=k)
    flat, w = vals[usable], wid[usable]  # rows stay in window order: each window is one slice
    off = np.concatenate([[0], np.cumsum(np.bincount(w, minlength=k))]).astype(np.int64)
    for a, b in zip(off[:-1], off[1:]):
        if b - a > 1:
            flat[a:b].sort()
    bins_of = np.searchsorted(cp.edges, flat, side="right")
    counts = np.bincount(w * nb + bins_of, minlength=k * nb).astype(np.float64)
    return flat, off, counts, nb, n_rows, n_missing, n_invalid


def categorical_windows(cp, s: pd.Series, bounds):
    """Per window: counts over the reference categories plus unseen ones appended."""
    codes, unseen = category_codes(s, cp.categories)
    k = len(bounds) - 1
    wid = _window_ids(bounds)
    K = len(cp.categories)
    unseen_labels = list(unseen.index)
    if unseen_labels:
        from ._columns import levels

        raw_codes, raw_labels = levels(s)
        where = {lab: K + i for i, lab in enumerate(unseen_labels)}
        lut = np.array([where.get(lab, -3) for lab in raw_labels] + [-3], dtype=np.int64)
        extra = lut[raw_codes]
        codes = np.where(codes == -2, extra, codes)
    nb = K + len(unseen_labels)
    ok = codes >= 0
    counts = np.bincount(wid[ok] * nb + codes[ok], minlength=k * nb).astype(np.float64)
    n_rows = np.diff(bounds).astype(np.int64)
    n_missing = np.bincount(wid[~ok], minlength=k)
    unseen_per_window = counts.reshape(k, nb)[:, K:].sum(axis=1) if nb > K else np.zeros(k)
    return counts, nb, n_rows, n_missing, unseen_per_window, unseen_labels


def _numeric_stat(method, rows, hist, n_ref, n_cur, sd):
    D = np.maximum(rows[:, twosample.D_PLUS], rows[:, twosample.D_MINUS])
    p = np.full(len(n_cur), np.nan)
    ok = (n_cur > 0) & (n_ref > 0)
    if n_ref == 0:
        n_cur = np.zeros_like(n_cur)  # nothing to compare with: every statistic NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = np.where(ok, rows[:, twosample.L1] / sd if sd > 0 else
                          np.where(rows[:, twosample.L1] > 0, np.inf, 0.0), np.nan)
    if method == "wasserstein":
        stat = effect
    elif method == "energy":
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.sqrt(2 * rows[:, twosample.L2])
            stat = np.where(ok, e / sd if sd > 0 else np.where(e > 0, np.inf, 0.0), np.nan)
    elif method == "ks":
        stat = np.where(ok, D, np.nan)
        if ok.any():
            p[ok] = _pvalues.ks_pvalues(D[ok], n_ref, n_cur[ok])
    elif method == "kuiper":
        stat = np.where(ok, rows[:, twosample.D_PLUS] + rows[:, twosample.D_MINUS], np.nan)
    elif method == "cramervonmises":
        k, N = n_ref * n_cur.astype(np.float64), n_ref + n_cur
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.where((n_cur >= 2) & (n_ref >= 2), rows[:, twosample.CVM_U] / (k * N) - (4 * k - 1) / (6 * N), np.nan)
        for w in np.flatnonzero((n_cur >= 2) & (n_ref >= 2)):
            p[w] = _pvalues.cvm_pvalue(stat[w], n_ref, int(n_cur[w])) if max(n_ref, n_cur[w]) > 20 else np.nan
    elif method == "anderson":
        stat = np.full(len(n_cur), np.nan)
        for w in np.flatnonzero((n_cur + n_ref >= 4) & (rows[:, twosample.N_DISTINCT] >= 2)):
            N = n_ref + n_cur[w]
            stat[w] = _pvalues.ad_standardize(rows[w, twosample.AD_SUM] * (N - 1.0) / N, n_ref, int(n_cur[w]))
            p[w] = _pvalues.ad_pvalue(stat[w])
    elif method == "mannwhitney":
        u1 = rows[:, twosample.RANK_SUM] - n_ref * (n_ref + 1) / 2.0
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.where(ok, u1 / (n_ref * n_cur), np.nan)  # U / (n_ref n_cur): P(ref > cur) + ties / 2
        for w in np.flatnonzero(ok):
            p[w] = _pvalues.mwu_pvalue(u1[w], n_ref, int(n_cur[w]), rows[w, twosample.TIES])
    else:
        stat = _hist_stat(method, hist)
    return stat, p, effect


def _hist_stat(method, hist):
    col = {"psi": binned.PSI, "jensenshannon": binned.JS, "kl": binned.KL, "hellinger": binned.HELLINGER,
           "tv": binned.TV, "chi2": binned.CHI2, "gtest": binned.G}[method]
    return hist[:, col].copy()


# Anderson-Darling needs the full merge pass (its per-value weight depends on the window's count
# below each reference value, so no prefix sum over the reference holds it); the rest come from
# binary searches in the reference (O(window log reference)): ECDF gaps by `ecdfwindow`, midrank
# sums, tie terms and CvM U by `rankwindow`, the energy distance's L2 by `energywindow`
MERGE_METHODS = ("anderson",)
RANK_METHODS = ("cramervonmises", "mannwhitney")


def _merge_rows(items, prepared, k):
    ref = np.concatenate([cp.values for cp, _, _ in items])
    ref_off = np.concatenate([[0], np.cumsum([cp.values.size for cp, _, _ in items])]).astype(np.int64)
    cur, cur_off = _flat_windows(prepared)
    ref_of = np.repeat(np.arange(len(items)), k).astype(np.int64)
    if any(m in MERGE_METHODS + RANK_METHODS for _, _, m in items):
        return twosample.merge_stats_many(ref, ref_off, cur, cur_off, ref_of)
    return twosample.gaps_many(ref, ref_off, cur, cur_off, ref_of)  # only the ECDF gaps are needed


def _flat_windows(prepared):
    cur = np.ascontiguousarray(np.concatenate([p[0] for p in prepared]))
    bases = np.cumsum([0] + [p[0].size for p in prepared[:-1]])
    cur_off = np.concatenate([[0]] + [p[1][1:] + base for p, base in zip(prepared, bases)]).astype(np.int64)
    return cur, cur_off


def _window_rows(items, prepared, k):
    """D+, D-, L1 per (column, window) without walking the reference (see ``ecdfwindow``)."""
    from .._kernels import ecdfwindow

    refs, his, los, curs = [], [], [], []
    for (cp, _, _), p in zip(items, prepared):
        centre = float(np.median(cp.values)) if cp.values.size else 0.0  # keeps prefix sums small
        x = cp.values - centre
        hi, lo = ecdfwindow.prefix_sums(x)
        refs.append(x)
        his.append(hi)
        los.append(lo)
        curs.append((p[0] - centre, p[1]))
    ref = np.concatenate(refs)
    ref_off = np.concatenate([[0], np.cumsum([r.size for r in refs])]).astype(np.int64)
    cur, cur_off = _flat_windows(curs)
    ref_of = np.repeat(np.arange(len(items)), k).astype(np.int64)
    fn = ecdfwindow.ecdf_window_parallel if cur.size + len(cur_off) * 20 >= 200_000 else ecdfwindow.ecdf_window_serial
    part = fn(ref, ref_off, np.concatenate(his), np.concatenate(los), cur, cur_off, ref_of)
    rows = np.full((part.shape[0], twosample.N_OUT), np.nan)
    rows[:, :3] = part
    energy = [c for c, (_, _, m) in enumerate(items) if m == "energy"]
    if energy:
        from .._kernels import energywindow

        pairs = np.concatenate([np.arange(c * k, (c + 1) * k) for c in energy]).astype(np.int64)
        mad = np.array([energywindow.mean_abs_diff(refs[c]) if c in energy else 0.0 for c in range(len(items))])
        big = cur.size + len(cur_off) * 20 >= 200_000
        fn = energywindow.energy_window_parallel if big else energywindow.energy_window_serial
        rows[pairs, twosample.L2] = fn(ref, ref_off, np.concatenate(his), np.concatenate(los), mad, cur, cur_off,
                                       ref_of, pairs)
    ranked = [c for c, (_, _, m) in enumerate(items) if m in RANK_METHODS]
    if ranked:
        rank = _rank_rows([items[c] for c in ranked], [prepared[c] for c in ranked], k)
        for i, c in enumerate(ranked):
            rows[c * k:(c + 1) * k, [twosample.RANK_SUM, twosample.TIES, twosample.CVM_U]] = rank[i * k:(i + 1) * k]
    return rows


def _rank_rows(items, prepared, k):
    """Midrank sum, tie term and CvM U per (column, window) without merging (see ``rankwindow``)."""
    from .._kernels import rankwindow

    ref = np.concatenate([cp.values for cp, _, _ in items])
    ref_off = np.concatenate([[0], np.cumsum([cp.values.size for cp, _, _ in items])]).astype(np.int64)
    ties = np.concatenate([rankwindow.tie_prefix(cp.values) for cp, _, _ in items])
    cur, cur_off = _flat_windows(prepared)
    ref_of = np.repeat(np.arange(len(items)), k).astype(np.int64)
    fn = rankwindow.rank_window_parallel if cur.size + len(cur_off) * 20 >= 200_000 else rankwindow.rank_window_serial
    return fn(ref, ref_off, ties, cur, cur_off, ref_of)


def compare_numeric(items, bounds):
    """items: [(column profile, current Series in row order, method)] -> list of per-window dicts."""
    if not items:
        return []
    k = len(bounds) - 1
    from .profile import map_columns

    prepared = map_columns(lambda it: numeric_windows(it[0], it[1], bounds), items, int(bounds[-1]))
    rows = np.full((len(items) * k, twosample.N_OUT), np.nan)
    def needs_merge(c):
        cp, _, m = items[c]
        if m in MERGE_METHODS:
            return True
        # binary searches cost ~log2(N) per window value: merge when windows are that large
        per_window = prepared[c][0].size / max(k, 1)
        return per_window * max(np.log2(max(cp.values.size, 2)), 1.0) > cp.values.size

    for use_merge in (False, True):
        sel = [c for c in range(len(items)) if needs_merge(c) == use_merge]
        if not sel:
            continue
        sub = [items[c] for c in sel]
        subp = [prepared[c] for c in sel]
        part = (_merge_rows if use_merge else _window_rows)(sub, subp, k)
        for i, c in enumerate(sel):
            rows[c * k:(c + 1) * k] = part[i * k:(i + 1) * k]
    hist_ref = np.concatenate([cp.counts for cp, _, _ in items])
    hoff_ref = np.concatenate([[0], np.cumsum([cp.counts.size for cp, _, _ in items])]).astype(np.int64)
    hist_cur = np.concatenate([p[2] for p in prepared])
    hoff_cur = np.concatenate([[0], np.cumsum(np.repeat([p[3] for p in prepared], k))]).astype(np.int64)
    ref_of = np.repeat(np.arange(len(items)), k).astype(np.int64)
    hist = binned.histogram_stats_many(hist_ref, hoff_ref, hist_cur, hoff_cur, ref_of, EPS)
    out = []
    for c, ((cp, s, method), p) in enumerate(zip(items, prepared)):
        sl = slice(c * k, (c + 1) * k)
        n_cur = np.diff(p[1])
        stat, pv, effect = _numeric_stat(method, rows[sl], hist[sl], cp.n_valid, n_cur, cp.std)
        out.append(dict(column=cp.name, kind="numeric", method=method, statistic=stat, p_value=pv,
                        effect_size=effect, n_cur=n_cur, n_rows=p[4], n_missing=p[5], n_invalid=p[6],
                        unseen=np.zeros(k, dtype=np.int64), unseen_labels=[]))
    return out


def compare_categorical(items, bounds):
    if not items:
        return []
    k = len(bounds) - 1
    out = []
    for cp, s, method in items:
        counts, nb, n_rows, n_missing, unseen, unseen_labels = categorical_windows(cp, s, bounds)
        ref = np.concatenate([cp.counts, np.zeros(nb - cp.counts.size)])
        hoff = np.arange(0, k * nb + 1, nb, dtype=np.int64)
        hist = binned.histogram_stats_many(ref, np.array([0, nb], dtype=np.int64), counts, hoff,
                                           np.zeros(k, dtype=np.int64), EPS)
        n_cur = counts.reshape(k, nb).sum(axis=1).astype(np.int64)
        stat = _hist_stat(method, hist)
        p = np.full(k, np.nan)
        if method in ("chi2", "gtest"):
            for w in np.flatnonzero(n_cur > 0):
                p[w] = _pvalues.chi2_pvalue(stat[w], hist[w, binned.DOF])
        out.append(dict(column=cp.name, kind="categorical", method=method, statistic=stat, p_value=p,
                        effect_size=hist[:, binned.TV], n_cur=n_cur, n_rows=n_rows, n_missing=n_missing,
                        n_invalid=np.zeros(k, dtype=np.int64), unseen=unseen.astype(np.int64),
                        unseen_labels=unseen_labels))
    return out


def missing_test(cp, n_rows, n_missing):
    """Missing-share change and two-proportion p-value per window."""
    from scipy.special import ndtr

    n0, k0 = float(cp.n_rows), float(cp.n_missing)  # floats: an empty side gives NaN, not an exception
    n1 = np.asarray(n_rows, dtype=np.float64)
    k1 = np.asarray(n_missing, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = k1 / n1
        pooled = (k0 + k1) / (n0 + n1)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        z = np.abs(share - k0 / n0) / se
        p = np.where(se > 0, 2 * ndtr(-z), 1.0)
    p = np.where((n1 > 0) & (n0 > 0), p, np.nan)
    return share, p


def decide(results, profiles, prof, alpha, correction, min_effect, threshold, min_missing):
    """Add threshold, p_adjusted and verdicts to the per-window results (in place).

    BH runs across columns within each window (one family for value p-values, one for missing).
    """
    if not results:
        return results
    k = len(results[0]["statistic"])
    pv = np.vstack([r["p_value"] for r in results])
    for r, cp in zip(results, profiles):
        share, mp = missing_test(cp, r["n_rows"], r["n_missing"])
        r["missing_ref"] = cp.n_missing / cp.n_rows if cp.n_rows else np.nan
        r["missing_cur"] = share
        r["missing_p_value"] = mp
    mpv = np.vstack([r["missing_p_value"] for r in results])
    if correction == "bh":
        adj = np.column_stack([_pvalues.benjamini_hochberg(pv[:, w]) for w in range(k)]) if k else pv
        madj = np.column_stack([_pvalues.benjamini_hochberg(mpv[:, w]) for w in range(k)]) if k else mpv
    else:
        adj, madj = pv, mpv
    for i, (r, cp) in enumerate(zip(results, profiles)):
        method = r["method"]
        r["p_adjusted"] = adj[i]
        eff_floor = calibrate.EFFECT_FLOOR[r["kind"]] if min_effect is None else float(min_effect)
        if method in calibrate.P_VALUE_METHODS:
            thr = np.full(k, float(threshold) if threshold is not None else float(alpha))
            with np.errstate(invalid="ignore"):
                value = (adj[i] < thr) & (r["effect_size"] >= eff_floor)
        else:
            null_q = prof.null(cp.name, method) if threshold is None else np.nan
            thr = calibrate.thresholds(method, null_q, prof.null_size, r["n_cur"],
                                       max(cp.n_valid, 1), min_effect, threshold)
            with np.errstate(invalid="ignore"):
                value = r["statistic"] > thr
        r["threshold"] = thr
        r["value_drifted"] = np.where(np.isnan(r["statistic"]), False, value).astype(bool)
        delta = np.abs(r["missing_cur"] - r["missing_ref"])
        with np.errstate(invalid="ignore"):
            r["missing_drifted"] = ((madj[i] < alpha) & (delta >= min_missing)).astype(bool)
        r["drifted"] = r["value_drifted"] | r["missing_drifted"]
        r["note"] = _notes(r, cp, (getattr(prof, "sketched", None) or {}).get(cp.name))
    return results


def _notes(r, cp, sketch=None):
    k = len(r["statistic"])
    notes = np.full(k, "", dtype=object)
    if cp.n_valid == 0:
        notes[:] = "no usable values in the reference"
        return notes
    for w in range(k):
        parts = []
        if r["n_rows"][w] == 0:
            parts.append("empty window")
        elif r["n_cur"][w] == 0:
            parts.append("no usable values")
        if r["n_invalid"][w]:
            parts.append(f"{int(r['n_invalid'][w])} infinite value(s) left out")
        if r["unseen"][w]:
            parts.append(f"{int(r['unseen'][w])} value(s) in categories unseen in the reference")
        if r["method"] == "cramervonmises" and 0 < r["n_cur"][w] and max(cp.n_valid, r["n_cur"][w]) <= 20:
            parts.append("p-value not computed for <= 20 values per sample (use aimon.stats.cramervonmises)")
        if r["kind"] == "numeric" and cp.std == 0 and r["n_cur"][w]:
            parts.append("constant reference: statistic relative to a zero spread")
        if sketch:  # the reference values are a quantile sketch (aimon.dask.profile beyond max_values)
            parts.append(f"reference is a quantile sketch (ECDF within {_round_up(sketch['ks_error']):.2g})")
        notes[w] = "; ".join(parts)
    return notes


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits (a bound printed short stays a bound)."""
    if not x > 0 or not np.isfinite(x):
        return x
    step = 10.0 ** (np.floor(np.log10(x)) - 1)
    return float(np.ceil(x / step * (1 - 1e-12)) * step)
