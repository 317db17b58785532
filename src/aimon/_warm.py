"""Fill numba's on-disk cache so that the first real call does not compile: ``python -m aimon._warm``.

The kernels are compiled with ``cache=True``; compiling them all takes tens of seconds, which a
user would otherwise pay on the first ``ops()`` / ``drift()`` / ``explore()`` of a fresh install.
``make`` runs this module right after installing (and so before ``make demo`` and ``make test``).
It calls the main functions on small generated data (the serial kernels) and on a frame above the
size where the parallel twins take over, so both variants are cached. Numba's ahead-of-time
compiler (``numba.pycc``) is deprecated and would need a C toolchain at install, so the cache is
filled by running the code instead. A failure here never fails an install: the kernels then
compile on first use, as before.
"""
from __future__ import annotations

import sys
import time
import warnings


def warm(verbose: bool = True) -> float:
    """Compile (or load) every kernel the main calls use; returns the seconds taken."""
    import numpy as np
    import pandas as pd

    import aimon

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rows in (3_000, 260_000):  # serial kernels, then the parallel twins (>= 200k rows)
            rng = np.random.default_rng(0)
            idx = pd.date_range("2026-01-01", periods=rows, freq="s" if rows > 10_000 else "min")
            df = pd.DataFrame({"latency_ms": rng.lognormal(4, 0.5, rows), "error": rng.random(rows) < 0.02,
                               "x": rng.normal(size=rows), "y": np.round(rng.normal(size=rows), 1),
                               "c": rng.choice(["a", "b", "c"], rows)}, index=idx)
            ref, cur = df.iloc[: rows // 2], df.iloc[rows // 2:]
            aimon.ops(df, "1h")
            codes = np.where(df["error"], 503, 200).astype(np.int64)   # HTTP status codes: the int64 counter
            aimon.ops(df.drop(columns="error").assign(status_code=codes), "1h")
            for method in ("auto", "ks", "mannwhitney", "cramervonmises", "anderson", "energy", "psi"):
                m = method if method == "auto" else {"numeric": method}
                aimon.drift(cur, ref, method=m)
                aimon.drift_over_time(cur, ref, freq="1h" if rows > 10_000 else "6h", method=m)
        x = np.random.default_rng(1).normal(size=20_000)
        for fn in (aimon.stats.ks, aimon.stats.wasserstein, aimon.stats.cramervonmises, aimon.stats.anderson,
                   aimon.stats.mannwhitney, aimon.stats.energy):
            fn(x, x[:15_000] + 0.01)
        aimon.stats.ks(np.arange(200.0), np.arange(150.0) + 3)
        small = aimon.datasets.simulate(days=2, rps=0.02, seed=0, scenario="credit_scoring", events=False)
        for name in ("adwin", "page_hinkley", "cusum", "ddm"):
            cls = aimon.detectors.REGISTRY.get(name)
            if cls is not None:
                cls().scan((np.random.default_rng(2).random(500) < 0.1).astype(np.float64))
        aimon.explore(small)
    took = time.perf_counter() - t0
    if verbose:
        print(f"aimon: numba kernels compiled and cached in {took:.0f} s", flush=True)
    return took


def main() -> int:
    try:
        warm()
    except Exception as exc:  # never fail an install over a cache
        print(f"aimon: could not warm the numba cache ({type(exc).__name__}: {exc}); kernels compile "
              "on first use instead", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
