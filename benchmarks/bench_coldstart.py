"""First call of ops() / drift() / explore() in a fresh environment, each in its own subprocess.

Two fresh environments per function, each with its own empty numba cache directory:
- "cold": nothing cached, the first call compiles every kernel it needs;
- "installed": `python -m aimon._warm` ran first (what `make` does right after installing), then
  the first call in a new process loads the kernels from the cache.
Targets (issue 12): ops <= 2 s, drift <= 3 s, explore <= 5 s for the first call after installing.
Run with `make bench` or `python benchmarks/bench_coldstart.py`.
"""
import _timing  # noqa: F401,E402  first: sets the anchors' telemetry opt-outs (benchmarks/ is on sys.path)
import os
import subprocess
import sys
import tempfile

CALL = """
import time, warnings, numpy as np, pandas as pd, aimon
warnings.simplefilter("ignore")
df = aimon.datasets.simulate(days=2, rps=0.05, seed=0, scenario="credit_scoring", events=False)
t = time.perf_counter()
{call}
print(time.perf_counter() - t)
"""
CALLS = {"ops": ("aimon.ops(df, '1h')", 2.0),
         "drift": ("aimon.drift(df.iloc[len(df) // 2:], df.iloc[:len(df) // 2])", 3.0),
         "explore": ("aimon.explore(df)", 5.0)}


def first_call(code, cache, warm):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, MPLBACKEND="Agg")
    if warm:
        subprocess.run([sys.executable, "-m", "aimon._warm"], env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    for name, (call, target) in CALLS.items():
        code = CALL.format(call=call)
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            cold = first_call(code, a, warm=False)
            installed = first_call(code, b, warm=True)
        verdict = "meets" if installed <= target else "MISSES"
        print(f"first {name}(): {cold:.1f} s with an empty numba cache, {installed:.1f} s after the install "
              f"step warmed it (target <= {target:.0f} s: {verdict})", flush=True)


if __name__ == "__main__":
    main()
