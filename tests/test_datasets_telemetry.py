"""The bundled chatbot's resource series, OTel export and Prometheus answer agree with its log."""
import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.datasets import _traces
from aimon.datasets.loaders import data_dirs

pytestmark = pytest.mark.filterwarnings("ignore::aimon.errors.DataDroppedWarning")


@pytest.fixture(scope="module")
def both():
    return aimon.datasets.load_chatbot(resources=True)


def bundled(name):
    return [d / name for d in data_dirs() if (d / name).is_file()][0]


def window(frame, ev):
    return frame[(frame.index >= ev["start"]) & (frame.index < ev["end"])]


def test_log_is_unchanged_and_resources_are_deterministic(both):
    log, res = both
    pd.testing.assert_frame_equal(log, aimon.datasets.load_chatbot(), check_exact=True)
    again = aimon.datasets.simulate_resources(aimon.datasets.load_chatbot())
    pd.testing.assert_frame_equal(res, again, check_exact=True)
    assert res.index.freq is not None or (np.diff(res.index.asi8) == 60e9).all()
    assert res.index[0] <= log.index[0] and res.index[-1] >= log.index[-1].floor("min")


def test_incidents_show_in_the_series(both):
    log, res = both
    ev = res.attrs["events"].set_index("kind")
    sat = window(res, ev.loc["gpu_saturation"])
    assert (sat["gpu_util"] == 100).all() and sat["queue_depth"].mean() > 20
    assert res["queue_depth"].drop(sat.index).mean() < 0.5
    spike = log.attrs["events"].query("kind == 'latency_spike'").iloc[0]
    assert (spike["start"], spike["end"]) == (ev.loc["gpu_saturation", "start"], ev.loc["gpu_saturation", "end"])
    leak = window(res, ev.loc["memory_leak"])["gpu_memory_gb"]
    assert np.corrcoef(np.arange(len(leak)), leak)[0, 1] > 0.95 and leak.iloc[-30:].mean() > 70
    assert res["gpu_memory_gb"].drop(leak.index).max() < 45
    night = window(res, ev.loc["over_provisioned_night"])
    assert (night["replicas"] == 8).all() and night["gpu_util"].mean() < 10
    hourly = log.aimon.ops("1h", resources=res)
    in_night = (hourly.index >= ev.loc["over_provisioned_night", "start"]) & \
               (hourly.index < ev.loc["over_provisioned_night", "end"])
    assert hourly.loc[in_night, "idle_share"].mean() > 0.7 > 0.05 > hourly.loc[~in_night, "idle_share"].mean()


def test_trace_export_is_the_log_slice(both):
    log, res = both
    path = bundled(_traces.TRACES_FILE)
    assert path.stat().st_size < 500_000
    tr = aimon.io.read_otel(path)
    t0, t1 = (pd.Timestamp(x) for x in _traces.TRACES_SLICE)
    part = log[(log.index >= t0) & (log.index < t1)]
    assert len(tr) == len(part) and tr.attrs["aimon_otel"]["skipped"] == 0
    assert (tr.index == part.index).all()
    for col in ("latency_ms", "ttft_ms"):
        np.testing.assert_allclose(tr[col], part[col], rtol=0, atol=1e-6, err_msg=col)
    for col in ("input_tokens", "output_tokens"):
        assert (tr[col].to_numpy() == part[col].to_numpy()).all(), col
    assert (tr["error"].to_numpy() == part["error"].to_numpy()).all()
    assert (tr["model_version"].astype(str).to_numpy() == part["model_version"].astype(str).to_numpy()).all()
    assert (tr["retrieval_ms"] + tr["tool_ms"] + tr["llm_ms"] <= tr["latency_ms"] + 1e-6).all()
    assert (tr["other_ms"] <= tr["llm_ms"]).all()
    queue = res["queue_depth"].reindex(tr.index.floor("min")).to_numpy()
    assert ((tr["other_ms"] > 0) == (queue >= 5)).all()
    assert set(tr.loc[tr["error"], "error_stage"]) <= {"retrieval", "llm"}


def test_prometheus_answer_matches_the_log_and_resources(both):
    log, res = both
    p = aimon.io.read_prometheus_json(bundled(_traces.PROMETHEUS_FILE))
    p0, p1 = (pd.Timestamp(x) for x in _traces.PROMETHEUS_SLICE)
    sl = res[(res.index >= p0) & (res.index < p1)]
    for col in ("gpu_util", "queue_depth", "replicas", "gpu_memory_gb"):
        np.testing.assert_array_equal(p[col].to_numpy(), sl[col].to_numpy(), err_msg=col)
    sec = log["latency_ms"] / 1000
    for le in (*_traces.BUCKETS_S, np.inf):
        name = f'latency{{le="{"+Inf" if np.isinf(le) else format(le, "g")}"}}'
        want = [(sec[log.index < t] <= le).sum() for t in p.index[::37]]  # slow: count the rows before each scrape
        np.testing.assert_array_equal(p[name].to_numpy()[::37], want, err_msg=name)
