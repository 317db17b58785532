"""Two-sample drift statistics as plain functions: ``aimon.stats.ks(reference, current)``.

Every function takes the reference sample first and the current sample second, drops missing
values (NaN/None), and raises :class:`~aimon.errors.AimonError` for an empty sample or infinite
values. The work is done by numba kernels over sorted arrays (one merge pass gives every
ECDF and rank statistic); p-values follow scipy's conventions, so the results equal scipy's.

Binned statistics (``psi``, ``jensenshannon``, ``kl``, ``hellinger``, ``tv``) cut numeric
samples at quantiles of the reference (``bins=10`` by default, duplicate edges merged) with the
outer bins open-ended, a value equal to an edge going to the bin on its right. Non-numeric
samples (strings, categories, booleans) are compared category by category, and categories unseen
in the reference get their own bins. For PSI and KL an empty bin's proportion is replaced by
``eps`` (1e-4 by default) on either side; the other distances need no such replacement.
"""
from __future__ import annotations

import re
import textwrap
from collections import namedtuple

import numpy as np
import pandas as pd

from ..errors import AimonError

__all__ = ["TestResult", "ks", "kuiper", "wasserstein", "energy", "cramervonmises", "anderson",
           "mannwhitney", "psi", "jensenshannon", "kl", "hellinger", "tv", "chi2", "gtest",
           "missing_share", "histograms"]

TestResult = namedtuple("TestResult", ["statistic", "p_value"])
TestResult.__doc__ = "A test statistic and its p-value."

EPS = 1e-4

# numpydoc "Parameters" entries shared by the statistics (filled into each docstring's {params})
_PARAMS = {
    "reference": "reference : array-like\n    The reference sample (NaN and None are dropped).",
    "current": "current : array-like\n    The current sample (NaN and None are dropped).",
    "method": "method : {'auto', 'exact', 'asymp'}\n    Null distribution of the p-value: exact when both samples "
              "have at most 10,000 values\n    ('auto'), or forced.",
    "normalize": "normalize : bool\n    Divide by the standard deviation of the reference.",
    "bins": "bins : int or array-like\n    Numeric samples: the number of reference-quantile bins, or the inner bin "
            "edges.\n    Non-numeric samples use their categories.",
    "eps": "eps : float\n    Proportion that replaces an empty bin's 0 on either side (default 1e-4).",
}


def _params(*names):
    """Put the numpydoc Parameters section of ``names`` where the docstring says ``{params}``,
    indented as that line is (Python 3.13 strips docstring indentation at compile time, older
    versions keep it: the section follows whichever the docstring has)."""
    def fill(fn):
        if fn.__doc__:  # None under python -OO
            m = re.search(r"^([ \t]*)\{params\}", fn.__doc__, re.M)
            if m:
                section = "Parameters\n----------\n" + "\n".join(_PARAMS[n] for n in names)
                section = textwrap.indent(section, m.group(1)).lstrip()
                fn.__doc__ = fn.__doc__.replace("{params}", section, 1)
        return fn
    return fill


# ----------------------------------------------------------------------------- inputs
def _sample(values, name: str):
    """``values`` as a 1-D pandas Series or NumPy array: None, scalars and 2-D arrays are refused,
    and a list of numbers with None among them stays numeric (None is a missing value)."""
    if values is None:
        raise AimonError(f"The {name} sample is None; pass a 1-D array, list or Series of values.")
    if isinstance(values, pd.DataFrame):
        raise AimonError(f"The {name} sample is a DataFrame ({values.shape[1]} columns); pass one "
                         "column, e.g. df['x'].")
    if isinstance(values, (pd.Series, pd.Index)):
        return values
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        raise AimonError(f"The {name} sample is a single value ({values!r}); pass a 1-D array, "
                         "list or Series of values.")
    arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if arr.ndim != 1:
        raise AimonError(f"The {name} sample is {arr.ndim}-D (shape {arr.shape}); pass one column "
                         "(e.g. arr[:, 0]) or flatten it on purpose with arr.ravel().")
    if arr.dtype == object:
        present = [v for v in arr if v is not None and not (isinstance(v, float) and np.isnan(v))]
        if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
               for v in present) and present:
            return np.array([np.nan if v is None else v for v in arr], dtype=np.float64)
    return arr


def _is_categorical(values) -> bool:
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        dtype = np.asarray(values).dtype
    return not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))


def _kinds(reference, current):
    """Both samples (as from ``_sample``) and whether they are compared category by category;
    numbers against categories is refused rather than compared as text."""
    ref, cur = _sample(reference, "reference"), _sample(current, "current")
    ref_cat, cur_cat = _is_categorical(ref), _is_categorical(cur)
    if ref_cat != cur_cat:
        kinds = {True: "categories", False: "numbers"}
        raise AimonError(f"The reference sample holds {kinds[ref_cat]} ({ref.dtype}) and the current "
                         f"sample {kinds[cur_cat]} ({cur.dtype}); convert one so both are the same kind "
                         "(pd.to_numeric(..., errors='coerce') for numbers, .astype(str) for categories).")
    return ref, cur, ref_cat


def _numeric_sample(values, name: str, sort: bool = True) -> np.ndarray:
    """Sorted (unless ``sort=False``) finite float64 values of ``values`` (missing ones dropped);
    errors for inf/empty."""
    values = _sample(values, name)
    if isinstance(values, (pd.Series, pd.Index)):
        if _is_categorical(values):
            raise AimonError(f"The {name} sample holds {values.dtype} values, not numbers; this "
                             "statistic needs numbers (the binned ones also accept categories).")
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if values.dtype == bool:
            raise AimonError(f"The {name} sample holds booleans, not numbers; this statistic needs "
                             "numbers (convert with .astype(float), or use a binned statistic).")
        try:
            arr = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise AimonError(f"The {name} sample is not numeric; convert it with "
                             "pd.to_numeric(..., errors='coerce').") from None
    if not np.isfinite(arr).all():  # one pass in the common case
        arr = arr[~np.isnan(arr)]
        if np.isinf(arr).any():
            raise AimonError(f"The {name} sample holds {int(np.isinf(arr).sum())} infinite value(s); "
                             "replace them (e.g. with NaN, which is left out) before comparing.")
    if arr.size == 0:
        raise AimonError(f"The {name} sample has no values (after leaving out missing ones).")
    return np.sort(arr) if sort else arr


def _merge(reference, current, lean=False):
    """Sorted samples and the merge-pass statistics (only the ECDF gaps when ``lean``)."""
    from .._kernels.twosample import N_OUT, ecdf_gaps, merge_stats

    from ._sort import sort_both

    x, y = sort_both(_numeric_sample(reference, "reference", sort=False),
                     _numeric_sample(current, "current", sort=False))
    out = np.zeros(N_OUT)
    (ecdf_gaps if lean else merge_stats)(x, y, out)
    return x, y, out


# ----------------------------------------------------------------------------- ECDF / rank
@_params('reference', 'current', 'method')
def ks(reference, current, method: str = "auto") -> TestResult:
    """Two-sample Kolmogorov-Smirnov test (two-sided), as ``scipy.stats.ks_2samp``.

    ``method='auto'`` uses the exact null distribution when both samples have at most 10,000
    values and the asymptotic one otherwise; 'exact' and 'asymp' force one.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.ks([1, 2, 3, 4], [3, 4, 5, 6]).statistic, 3)
    0.5
    """
    from .._kernels.twosample import D_MINUS, D_PLUS
    from ._pvalues import ks_pvalue

    if method not in ("auto", "exact", "asymp"):
        raise AimonError(f"method={method!r}: use 'auto', 'exact' or 'asymp'.")
    x, y, out = _merge(reference, current, lean=True)
    d = max(out[D_PLUS], out[D_MINUS])
    return TestResult(float(d), ks_pvalue(d, x.size, y.size, method))


@_params('reference', 'current')
def kuiper(reference, current) -> float:
    """Kuiper's statistic D+ + D-: the largest ECDF gaps in both directions, added.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.kuiper([1, 2, 3, 4], [3, 4, 5, 6])
    0.5
    """
    from .._kernels.twosample import D_MINUS, D_PLUS

    _, _, out = _merge(reference, current, lean=True)
    return float(out[D_PLUS] + out[D_MINUS])


@_params('reference', 'current', 'normalize')
def wasserstein(reference, current, normalize: bool = False) -> float:
    """Wasserstein-1 distance (the area between the ECDFs), as ``scipy.stats.wasserstein_distance``.

    ``normalize=True`` divides by the reference's standard deviation (ddof=0), which makes the
    distance a shift in reference standard deviations; a constant reference gives inf for any
    difference (0 when the samples are identical).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.wasserstein([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    """
    from .._kernels.twosample import L1

    x, y, out = _merge(reference, current, lean=True)
    w = float(out[L1])
    if normalize:
        # the ratio does not depend on the scale: at huge magnitudes (the variance overflows near
        # 1e154) both are computed on the samples divided by their largest absolute value
        scale = max(abs(x[0]), abs(x[-1]), abs(y[0]), abs(y[-1]))
        if scale > 1e100:
            x, y = x / scale, y / scale
            _, _, out = _merge(x, y, lean=True)
            w = float(out[L1])
        sd = float(np.std(x))
        return w / sd if sd > 0 else (0.0 if w == 0 else float("inf"))
    return w


@_params('reference', 'current')
def energy(reference, current) -> float:
    """Energy distance sqrt(2 * integral (F - G)^2), as ``scipy.stats.energy_distance``.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.energy([0.0, 1.0], [0.0, 1.0]), 12)
    0.0
    """
    from .._kernels.twosample import L2

    _, _, out = _merge(reference, current, lean=True)
    return float(np.sqrt(2.0 * out[L2]))


@_params('reference', 'current')
def cramervonmises(reference, current) -> TestResult:
    """Two-sample Cramér-von Mises test, as ``scipy.stats.cramervonmises_2samp`` (method 'auto':
    exact p-value when both samples have at most 20 values, asymptotic otherwise).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> res = stats.cramervonmises(range(30), range(10, 40))
    >>> round(res.statistic, 4)
    1.2972
    """
    from .._kernels.twosample import CVM_U
    from ._pvalues import cvm_exact_pvalue, cvm_pvalue

    x, y, out = _merge(reference, current)
    nx, ny = x.size, y.size
    if nx < 2 or ny < 2:
        raise AimonError(f"The Cramér-von Mises test needs at least 2 values per sample, got {nx} and {ny}.")
    k, n = nx * ny, nx + ny
    t = out[CVM_U] / (k * n) - (4 * k - 1) / (6 * n)
    p = cvm_exact_pvalue(x, y) if max(nx, ny) <= 20 else cvm_pvalue(t, nx, ny)
    return TestResult(float(t), float(p))


@_params('reference', 'current')
def anderson(reference, current) -> TestResult:
    """Anderson-Darling k-sample test for k = 2 (midrank version for ties), as
    ``scipy.stats.anderson_ksamp(..., variant='midrank')``: the standardised statistic and the
    interpolated p-value, capped to [0.001, 0.25] as scipy caps it.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.anderson(range(50), range(100, 150)).p_value
    0.001
    """
    from .._kernels.twosample import AD_SUM, N_DISTINCT
    from ._pvalues import ad_pvalue, ad_standardize

    x, y, out = _merge(reference, current)
    n = x.size + y.size
    if out[N_DISTINCT] < 2 or n < 4:
        raise AimonError("The Anderson-Darling test needs at least 4 values in all and two distinct "
                         f"values; got {n} value(s), {int(out[N_DISTINCT])} distinct.")
    a2 = ad_standardize(out[AD_SUM] * (n - 1.0) / n, x.size, y.size)
    return TestResult(float(a2), ad_pvalue(a2))


@_params('reference', 'current')
def mannwhitney(reference, current) -> TestResult:
    """Mann-Whitney U test (two-sided, continuity correction), as ``scipy.stats.mannwhitneyu``:
    the statistic is U of the reference sample.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.mannwhitney([1, 2, 3], [4, 5, 6])
    TestResult(statistic=0.0, p_value=0.1)
    """
    from .._kernels.twosample import RANK_SUM, TIES
    from ._pvalues import mwu_pvalue

    x, y, out = _merge(reference, current)
    u1 = out[RANK_SUM] - x.size * (x.size + 1) / 2.0
    return TestResult(float(u1), mwu_pvalue(u1, x.size, y.size, out[TIES]))


# ----------------------------------------------------------------------------- binned
def quantile_edges(sorted_ref: np.ndarray, bins: int) -> np.ndarray:
    """Inner bin edges at the reference quantiles 1/bins, ..., (bins-1)/bins (numpy 'linear'),
    duplicates merged."""
    if sorted_ref.size == 0:
        return np.zeros(0)
    return np.unique(np.quantile(sorted_ref, np.arange(1, bins) / bins))


def bin_counts(sorted_values: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Counts of sorted values per bin: (-inf, e0), [e0, e1), ..., [e_last, inf)."""
    cut = np.searchsorted(sorted_values, inner, side="left")
    return np.diff(np.concatenate([[0], cut, [sorted_values.size]])).astype(np.float64)


def _edges(bins, sorted_ref):
    if isinstance(bins, (bool, np.bool_)) or bins is None or isinstance(bins, str):
        raise AimonError(f"bins={bins!r}: pass a number of bins (e.g. bins=10) or a sequence of edges.")
    if np.ndim(bins) == 0:  # a count: 10 or 10.0, never a single edge
        if not (isinstance(bins, (int, float, np.integer, np.floating)) and np.isfinite(bins)
                and float(bins).is_integer()):
            raise AimonError(f"bins={bins!r}: a number of bins is a whole number (e.g. bins=10); "
                             "pass inner edges as a sequence (bins=[0.5]).")
        if bins < 2:
            raise AimonError(f"bins={bins}: use at least 2 bins.")
        return quantile_edges(sorted_ref, int(bins))
    try:
        inner = np.asarray(bins, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise AimonError(f"bins={bins!r}: pass a number of bins or a sequence of edges.") from None
    if inner.size == 0 or not np.all(np.diff(inner) > 0) or not np.isfinite(inner).all():
        raise AimonError("bins=: edges must be finite and strictly increasing.")
    return inner


def _category_values(values, name):
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object)
                                                               if not hasattr(values, "dtype") else values)
    s = s[s.notna()]
    if len(s) == 0:
        raise AimonError(f"The {name} sample has no values (after leaving out missing ones).")
    return s


@_params('reference', 'current', 'bins')
def histograms(reference, current, bins=10):
    """Reference and current counts over shared bins: ``(ref_counts, cur_counts, labels, n_unseen)``.

    Numeric samples are cut at reference quantiles (``bins`` bins, or a sequence of inner edges);
    other samples are counted per category, categories unseen in the reference appended at the
    end (``n_unseen`` current values fall in them).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> r, c, labels, unseen = stats.histograms(["a", "a", "b"], ["a", "c"])
    >>> list(labels), r.tolist(), c.tolist(), unseen
    (['a', 'b', 'c'], [2.0, 1.0, 0.0], [1.0, 0.0, 1.0], 1)
    """
    reference, current, categorical = _kinds(reference, current)
    if categorical:
        ref = _category_values(reference, "reference")
        cur = _category_values(current, "current")
        ref_counts = ref.value_counts(sort=False)
        ref_counts = ref_counts[ref_counts.to_numpy() > 0]
        cur_counts = cur.value_counts(sort=False)
        cur_counts = cur_counts[cur_counts.to_numpy() > 0]
        labels = list(ref_counts.index)
        unseen = [c for c in cur_counts.index if c not in ref_counts.index]
        labels_all = labels + unseen
        r = np.concatenate([ref_counts.to_numpy(np.float64), np.zeros(len(unseen))])
        # reindex, not [...]: a list of booleans would be read as a mask
        c = cur_counts.reindex(pd.Index(labels_all, dtype=object), fill_value=0).to_numpy(np.float64)
        n_unseen = int(c[len(labels):].sum())
        return r, c, np.asarray(labels_all, dtype=object), n_unseen
    x = _numeric_sample(reference, "reference")
    y = _numeric_sample(current, "current")
    inner = _edges(bins, x)
    labels = np.asarray([f"< {inner[0]:g}"] + [f"[{a:g}, {b:g})" for a, b in zip(inner[:-1], inner[1:])]
                        + [f">= {inner[-1]:g}"] if inner.size else ["all"], dtype=object)
    return bin_counts(x, inner), bin_counts(y, inner), labels, 0


def _histogram_stat(reference, current, bins, eps, which):
    from .._kernels import binned

    if (not isinstance(eps, (int, float, np.integer, np.floating)) or isinstance(eps, (bool, np.bool_))
            or not (np.isfinite(eps) and 0 < eps < 1)):
        raise AimonError(f"eps={eps!r}: use a small positive number such as 1e-4.")
    r, c, _, _ = histograms(reference, current, bins)
    out = np.zeros(binned.N_OUT)
    binned.histogram_stats(r, c, float(eps), out)
    return out[getattr(binned, which)], out


@_params('reference', 'current', 'bins', 'eps')
def psi(reference, current, bins=10, eps: float = EPS) -> float:
    """Population stability index sum (q - p) ln(q / p) over bins (p reference, q current shares).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.psi(["a", "b"] * 50, ["a"] * 60 + ["b"] * 40), 4)
    0.0405
    """
    return float(_histogram_stat(reference, current, bins, eps, "PSI")[0])


@_params('reference', 'current', 'bins')
def jensenshannon(reference, current, bins=10) -> float:
    """Jensen-Shannon distance in base 2 (0 to 1), as ``scipy.spatial.distance.jensenshannon``
    of the two histograms.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.jensenshannon(["a"] * 10, ["b"] * 10)
    1.0
    """
    return float(_histogram_stat(reference, current, bins, EPS, "JS")[0])


@_params('reference', 'current', 'bins', 'eps')
def kl(reference, current, bins=10, eps: float = EPS) -> float:
    """Kullback-Leibler divergence KL(current || reference) = sum q ln(q / p), in nats.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.kl(["a", "b"], ["a", "b"])
    0.0
    """
    return float(_histogram_stat(reference, current, bins, eps, "KL")[0])


@_params('reference', 'current', 'bins')
def hellinger(reference, current, bins=10) -> float:
    """Hellinger distance sqrt(sum (sqrt p - sqrt q)^2 / 2) between the histograms (0 to 1).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.hellinger(["a"] * 5, ["b"] * 5)
    1.0
    """
    return float(_histogram_stat(reference, current, bins, EPS, "HELLINGER")[0])


@_params('reference', 'current', 'bins')
def tv(reference, current, bins=10) -> float:
    """Total variation distance ``sum |p - q| / 2``: the share of the mass that moved (0 to 1).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.tv(["a", "b"] * 50, ["a"] * 60 + ["b"] * 40), 12)
    0.1
    """
    return float(_histogram_stat(reference, current, bins, EPS, "TV")[0])


@_params('reference', 'current', 'bins')
def chi2(reference, current, bins=10) -> TestResult:
    """Pearson chi-square test of homogeneity on the 2 x categories table, as
    ``scipy.stats.chi2_contingency(..., correction=False)`` (categories absent from both samples
    are left out; unseen categories are kept).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.chi2(["a", "b"] * 50, ["a"] * 60 + ["b"] * 40).statistic, 4)
    2.0202
    """
    from ._pvalues import chi2_pvalue

    stat, out = _histogram_stat(reference, current, bins, EPS, "CHI2")
    from .._kernels.binned import DOF

    return TestResult(float(stat), chi2_pvalue(stat, out[DOF]))


@_params('reference', 'current', 'bins')
def gtest(reference, current, bins=10) -> TestResult:
    """G-test (likelihood ratio) of homogeneity, as ``chi2_contingency(..., correction=False,
    lambda_='log-likelihood')``.

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> round(stats.gtest(["a", "b"] * 50, ["a"] * 60 + ["b"] * 40).statistic, 4)
    2.0238
    """
    from ._pvalues import chi2_pvalue

    stat, out = _histogram_stat(reference, current, bins, EPS, "G")
    from .._kernels.binned import DOF

    return TestResult(float(stat), chi2_pvalue(stat, out[DOF]))


@_params('reference', 'current')
def missing_share(reference, current) -> TestResult:
    """Change of the missing share (current minus reference) and the two-sided pooled
    two-proportion z-test p-value. Missing: NaN/None (and NaT).

    {params}

    Examples
    --------
    >>> from aimon import stats
    >>> stats.missing_share([1.0, None, 3.0, 4.0], [None, None, 3.0, 4.0]).statistic
    0.25
    """
    from ._pvalues import two_proportion_pvalue

    a, b = _sample(reference, "reference"), _sample(current, "current")
    a = a if isinstance(a, pd.Series) else pd.Series(a)
    b = b if isinstance(b, pd.Series) else pd.Series(b)
    if len(a) == 0 or len(b) == 0:
        raise AimonError("missing_share needs at least one row in each sample.")
    ka, kb = int(a.isna().sum()), int(b.isna().sum())
    return TestResult(kb / len(b) - ka / len(a), two_proportion_pvalue(ka, len(a), kb, len(b)))
