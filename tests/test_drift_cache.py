"""The drift path works from a read-only install: its kernels cache into the temporary fallback."""
import subprocess
import sys
import textwrap


def test_drift_kernels_cache_in_the_fallback_directory(tmp_path):
    code = textwrap.dedent(f"""
        import os, tempfile
        tempfile.tempdir = {str(tmp_path)!r}
        os.environ.pop("NUMBA_CACHE_DIR", None)
        import aimon._kernels as k
        os.environ.pop("NUMBA_CACHE_DIR", None)
        k._configure_cache(writable=lambda path: False)   # package folder and home read-only
        import numba, numpy as np, pandas as pd, aimon
        idx = pd.date_range("2026-01-01", periods=400, freq="h")
        df = pd.DataFrame({{"x": np.random.default_rng(0).normal(size=400), "c": ["a", "b"] * 200}}, index=idx)
        rep = aimon.drift(df, df.iloc[:200])
        tl = aimon.drift_over_time(df, df.iloc[:200], freq="1D")
        print(len(rep.table), len(tl.table))
        names = {{f.split(".")[0] for _, _, files in os.walk(numba.config.CACHE_DIR) for f in files if f.endswith(".nbi")}}
        print(all(any(n.startswith(m) for n in names) for m in ("twosample", "binned", "ecdfwindow")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "34", "True"]
