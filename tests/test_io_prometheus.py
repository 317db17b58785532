"""aimon.io.prometheus_range / read_prometheus_json / histogram_quantile against a REAL Prometheus.

The module fixture writes deterministic OpenMetrics, backfills it with
``promtool tsdb create-blocks-from openmetrics``, starts ``prometheus`` on 127.0.0.1 (free port,
no scrape targets) on that data, and stops it at the end. Our frames and quantiles must equal
what the server answers to the raw HTTP API (PromQL ``histogram_quantile`` included).
The server comes from the Debian package ``prometheus`` (.ci/system-packages.txt).
"""
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.errors import AimonError, SchemaError

STEP = 60
POINTS = 30
QS = (0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0, -0.5, 1.5)
BOUND_TEXT = {-1.0: "-1", 0.0: "0", 0.05: "0.05", 0.1: "0.1", 0.25: ".25", 0.5: "0.5", 1.0: "1", 2.5: "2.5",
              10.0: "1e1"}


def weird_histograms(rng, n_cases=40):
    """Bucket sets that exercise every rule: negative and zero bounds, a bound spelled twice
    (``1`` and ``1.0``), no +Inf bucket, non-monotonic counts, all-zero counts, one bucket."""
    cases = []
    for case in range(n_cases):
        k = int(rng.integers(1, 7))
        bounds = sorted(rng.choice(list(BOUND_TEXT), size=k, replace=False))
        texts = [BOUND_TEXT[b] for b in bounds]
        if rng.random() < 0.85:
            texts.append(["+Inf", "Inf", "+inf"][case % 3])
        if "1" in texts and rng.random() < 0.5:
            texts.append("1.0")
        monotone = rng.random() < 0.6
        series = {}
        for t in texts:
            series[t] = rng.integers(0, 6, POINTS).astype(float)
        if monotone:
            order = sorted(texts, key=float)
            acc = np.zeros(POINTS)
            for t in order:
                acc = acc + series[t]
                series[t] = acc.copy()
        if case % 10 == 0:
            series = {t: np.zeros(POINTS) for t in series}
        if case % 7 == 3:  # one bucket has no samples at first: absent, not zero, for the first 12 steps
            first = next(iter(series))
            series[first] = np.where(np.arange(POINTS) < 12, np.nan, series[first])
        cases.append(series)
    return cases


def openmetrics(t0):
    rng = np.random.default_rng(14)
    lines = ["# TYPE weird_bucket gauge"]
    for case, series in enumerate(weird_histograms(rng)):
        for le, values in series.items():
            for i, v in enumerate(values):
                if not np.isnan(v):
                    lines.append(f'weird_bucket{{case="{case}",le="{le}"}} {v:g} {t0 + i * STEP}')
    # a real latency histogram: cumulative counters of an exponential service time
    lines.append("# TYPE req_latency_seconds histogram")
    bounds = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5]
    totals = np.zeros(len(bounds) + 1)
    rows = []
    for i in range(POINTS):
        obs = rng.exponential(0.3 * (1 + (i > 20)), size=int(rng.integers(5, 40)))
        totals += [np.sum(obs <= b) for b in bounds] + [obs.size]
        rows.append(totals.copy())
    for j, b in enumerate([*map(str, bounds), "+Inf"]):
        for i, row in enumerate(rows):
            lines.append(f'req_latency_seconds_bucket{{le="{b}"}} {row[j]:g} {t0 + i * STEP}')
    lines.append("# TYPE gpu_util gauge")
    for gpu in range(2):
        for i in range(POINTS):
            lines.append(f'gpu_util{{gpu="{gpu}"}} {round(50 + 40 * np.sin(i / 5 + gpu), 3):g} {t0 + i * STEP}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    missing = [b for b in ("prometheus", "promtool") if shutil.which(b) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: install the Debian package 'prometheus' "
                    "(listed in .ci/system-packages.txt; `make system` installs it)")
    root = tmp_path_factory.mktemp("prom")
    # whole hours, six hours ago: the backfilled block lies well before the head block's window
    t0 = (int(time.time()) // 3600 - 6) * 3600
    (root / "data.om").write_text(openmetrics(t0))
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(root / "data.om"),
                    str(root / "tsdb")], check=True, capture_output=True, timeout=120)
    (root / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen(["prometheus", f"--config.file={root / 'prometheus.yml'}",
                             f"--storage.tsdb.path={root / 'tsdb'}", "--storage.tsdb.retention.time=100y",
                             f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"prometheus did not start: {(root / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield {"url": url, "start": pd.Timestamp(t0, unit="s", tz="UTC"),
               "end": pd.Timestamp(t0 + (POINTS - 1) * STEP, unit="s", tz="UTC"), "t0": t0, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def raw(server, query):
    """The server's own answer, decoded without aimon: {frozen labels: (times, values)}."""
    params = urllib.parse.urlencode({"query": query, "start": server["t0"], "end": server["t0"] + (POINTS - 1) * STEP,
                                     "step": STEP})
    with urllib.request.urlopen(f"{server['url']}/api/v1/query_range?{params}", timeout=30) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    out = {}
    for s in body["data"]["result"]:
        t = np.array([p[0] for p in s["values"]], dtype=float)
        v = np.array([float(p[1]) for p in s["values"]])
        out[frozenset(s["metric"].items())] = (t, v)
    return out


def at(frame, times):
    idx = pd.to_datetime((times * 1000).astype(np.int64), unit="ms", utc=True)
    return frame.reindex(idx)


def test_range_columns_equal_the_server_and_the_written_values(server):
    got = aimon.io.prometheus_range(server["url"], {"gpu": "gpu_util", "mean": "avg(gpu_util)"},
                                    server["start"], server["end"], step="1min")
    assert list(got.columns) == ['gpu{gpu="0"}', 'gpu{gpu="1"}', "mean"]
    assert got.index.tz is not None and len(got) == POINTS
    for gpu in (0, 1):
        (t, v), = [val for k, val in raw(server, f'gpu_util{{gpu="{gpu}"}}').items()]
        np.testing.assert_array_equal(at(got, t)[f'gpu{{gpu="{gpu}"}}'].to_numpy(), v)
        written = np.array([round(50 + 40 * np.sin(i / 5 + gpu), 3) for i in range(POINTS)])
        np.testing.assert_array_equal(got[f'gpu{{gpu="{gpu}"}}'].to_numpy(), written)
    np.testing.assert_allclose(got["mean"], got[['gpu{gpu="0"}', 'gpu{gpu="1"}']].mean(axis=1), rtol=1e-12)
    assert got.attrs["aimon_prometheus"]["labels"]['gpu{gpu="0"}'] == {"__name__": "gpu_util", "gpu": "0"}


@pytest.mark.parametrize("q", QS)
def test_histogram_quantile_equals_promql_on_every_rule(server, q):
    buckets = aimon.io.prometheus_range(server["url"], "weird_bucket", server["start"], server["end"], STEP)
    ours = aimon.io.histogram_quantile(q, buckets)
    theirs = raw(server, f"histogram_quantile({q}, weird_bucket)")
    assert len(theirs) == len(ours.columns) == 40
    assert buckets.iloc[:12].isna().any().any() and buckets.iloc[20:].notna().all().all()  # both code paths
    for labels, (t, v) in theirs.items():
        col = f'value{{case="{dict(labels)["case"]}"}}'
        np.testing.assert_array_equal(at(ours, t)[col].to_numpy(), v, err_msg=f"{col} q={q}")


@pytest.mark.parametrize("q", (0.5, 0.95, 0.99))
def test_quantile_of_summed_rates_equals_promql(server, q):
    expr = "sum by (le) (rate(req_latency_seconds_bucket[5m]))"
    lat = aimon.io.prometheus_range(server["url"], {"lat": expr}, server["start"], server["end"], "1min")
    assert len(lat.columns) == 7
    ours = aimon.io.histogram_quantile(q, lat)
    (t, v), = raw(server, f"histogram_quantile({q}, {expr})").values()
    np.testing.assert_allclose(at(ours, t)["lat"].to_numpy(), v, rtol=1e-13, atol=0)
    assert np.isfinite(v).sum() > 10


def test_saved_answer_reads_back_the_same(server, tmp_path):
    params = urllib.parse.urlencode({"query": "gpu_util", "start": server["t0"],
                                     "end": server["t0"] + (POINTS - 1) * STEP, "step": STEP})
    with urllib.request.urlopen(f"{server['url']}/api/v1/query_range?{params}") as r:
        (tmp_path / "a.json").write_bytes(r.read())
    saved = aimon.io.read_prometheus_json(tmp_path / "a.json", name="gpu")
    live = aimon.io.prometheus_range(server["url"], {"gpu": "gpu_util"}, server["start"], server["end"], STEP)
    pd.testing.assert_frame_equal(saved, live)
    both = {"gpu": json.loads((tmp_path / "a.json").read_text()), "again": json.loads((tmp_path / "a.json").read_text())}
    (tmp_path / "b.json").write_text(json.dumps(both))
    assert len(aimon.io.read_prometheus_json(tmp_path / "b.json").columns) == 4


def test_server_errors_are_clear(server):
    with pytest.raises(AimonError, match="bad_data"):
        aimon.io.prometheus_range(server["url"], "sum(", server["start"], server["end"])
    with pytest.raises(AimonError, match="cannot reach"):
        aimon.io.prometheus_range(f"http://127.0.0.1:{free_port()}", "up", server["start"], server["end"])
    with pytest.raises(AimonError, match="step="):
        aimon.io.prometheus_range(server["url"], "up", server["start"], server["end"], step="-1min")


# ---------------------------------------------------------------- without a server
def test_bucket_columns_by_name_and_errors():
    f = pd.DataFrame({'x{job="a",le="0.5"}': [1.0], 'x{job="a",le="+Inf"}': [4.0], "other": [9.0]})
    got = aimon.io.histogram_quantile(0.5, f)
    assert list(got.columns) == ['x{job="a"}'] and got.iloc[0, 0] == 0.5  # in the +Inf bucket
    assert got.attrs["aimon_histogram"]["ignored"] == ["other"]
    with pytest.raises(SchemaError, match="no bucket columns"):
        aimon.io.histogram_quantile(0.5, pd.DataFrame({"a": [1.0]}))
    with pytest.raises(SchemaError, match="q="):
        aimon.io.histogram_quantile("high", f)
    with pytest.raises(AimonError, match="not JSON"):
        p = __import__("pathlib").Path(__file__)
        aimon.io.read_prometheus_json(p)


def slow_quantile(q, pairs):
    """The documented rules, written out plainly (a second reading of PromQL's algorithm)."""
    if q != q:
        return float("nan")
    if q < 0 or q > 1:
        return float("-inf") if q < 0 else float("inf")
    if not pairs or max(b for b, _ in pairs) != float("inf"):
        return float("nan")
    merged = {}
    for b, c in pairs:
        merged[b] = merged.get(b, 0.0) + c
    bounds = sorted(merged)
    counts, top = [], float("-inf")
    for b in bounds:
        top = max(top, merged[b])
        counts.append(top)
    if len(bounds) < 2 or counts[-1] == 0:
        return float("nan")
    rank = q * counts[-1]
    i = next((k for k in range(len(bounds) - 1) if counts[k] >= rank), len(bounds) - 1)
    if i == len(bounds) - 1:
        return bounds[-2]
    if i == 0 and bounds[0] <= 0:
        return bounds[0]
    lo = bounds[i - 1] if i else 0.0
    below = counts[i - 1] if i else 0.0
    inside = counts[i] - below
    if inside == 0:
        return float("nan")  # only when rank == below == 0: 0/0
    return lo + (bounds[i] - lo) * ((rank - below) / inside)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(data=st.data(), q=st.sampled_from([0.0, 0.1, 0.5, 0.9, 0.95, 1.0, -1.0, 2.0]))
def test_histogram_quantile_follows_the_rules_on_random_buckets(data, q):
    names = data.draw(st.lists(st.sampled_from(["-1", "0", "0.1", ".25", "1", "1.0", "2.5", "+Inf", "Inf"]),
                               min_size=1, max_size=7, unique=True))
    rows = data.draw(st.integers(1, 6))
    values = np.array(data.draw(st.lists(st.lists(st.one_of(st.integers(0, 9).map(float), st.just(np.nan)),
                                                  min_size=len(names), max_size=len(names)),
                                         min_size=rows, max_size=rows)))
    frame = pd.DataFrame(values, columns=[f'h{{le="{n}"}}' for n in names])
    got = aimon.io.histogram_quantile(q, frame)["h"].to_numpy()
    for i in range(rows):
        pairs = [(float(n), v) for n, v in zip(names, values[i]) if not np.isnan(v)]
        want = slow_quantile(q, pairs) if pairs else np.nan  # no bucket at this time: no answer
        np.testing.assert_allclose(got[i], want, rtol=1e-12, equal_nan=True, err_msg=str(pairs))


def test_bad_saved_answers_are_clear(tmp_path):
    with pytest.raises(AimonError, match="cannot read"):
        aimon.io.read_prometheus_json(tmp_path / "nope.json")
    (tmp_path / "a.json").write_text(json.dumps({"data": []}))
    with pytest.raises(AimonError, match="neither a Prometheus API answer"):
        aimon.io.read_prometheus_json(tmp_path / "a.json")
    (tmp_path / "b.json").write_text(json.dumps({"status": "error", "errorType": "bad_data", "error": "parse error"}))
    with pytest.raises(AimonError, match="bad_data: parse error"):
        aimon.io.read_prometheus_json(tmp_path / "b.json")
