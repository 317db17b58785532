"""Exports of the bundled chatbot: OpenTelemetry traces and a Prometheus answer, from the same simulation.

``otel_lines`` writes a slice of the log as the OpenTelemetry Collector's file exporter would
(OTLP/JSON, one export request per line, one line per minute of traffic). Each request is a
trace: a root server span whose duration is the log's ``latency_ms`` and whose status is its
``error``; a ``retrieve_context`` span (OpenInference kind RETRIEVER); an ``get_order_status``
tool call for shipping and returns questions; the ``chat`` LLM span (GenAI conventions, with a
``gen_ai.first_token`` event at the log's ``ttft_ms``; ``sage-mini-1`` is instrumented by an
older SDK that writes ``prompt_tokens``/``completion_tokens``) and, inside it, an
``inference.queue`` span while the request waited for a GPU (the queue depth of the resource
series). ``prometheus_answers`` writes what the Prometheus HTTP API answers for the resource
gauges and a latency histogram over a slice.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

TOOL_TOPICS = ("shipping", "returns")
BUCKETS_S = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def _attr(key, value):
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, (int, np.integer)):
        return {"key": key, "value": {"intValue": str(int(value))}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    return {"key": key, "value": {"stringValue": str(value)}}


def _span(trace, sid, parent, name, t0, t1, attrs, error=False, message="", events=()):
    out = {"traceId": trace, "spanId": sid, "name": name, "kind": 2 if parent is None else 1,
           "startTimeUnixNano": str(t0), "endTimeUnixNano": str(t1),
           "attributes": [_attr(k, v) for k, v in attrs.items()]}
    if parent is not None:
        out["parentSpanId"] = parent
    if events:
        out["events"] = [{"name": n, "timeUnixNano": str(t)} for n, t in events]
    out["status"] = {"code": 2, "message": message} if error else {}
    return out


def request_spans(row, t0, rng, queue_ms):
    """The spans of one request of the log (times in ns)."""
    trace = f"{rng.integers(0, 2**63):016x}{rng.integers(0, 2**63):016x}"
    ids = [f"{rng.integers(1, 2**63):016x}" for _ in range(5)]
    lat, ttft = int(round(row.latency_ms * 1e6)), int(round(row.ttft_ms * 1e6))
    budget = 0.6 * (ttft - queue_ms * 1e6)  # retrieval and tools finish before the model starts
    retrieval = int(min(rng.lognormal(np.log(60e6), 0.4), 0.6 * budget))
    tool = int(min(rng.lognormal(np.log(120e6), 0.5), 0.4 * budget)) if row.topic in TOOL_TOPICS else 0
    llm_start = t0 + retrieval + tool
    failed = bool(row.error)
    stage = ("retrieval" if rng.random() < 0.3 else "llm") if failed else None
    spans = [_span(trace, ids[0], None, "POST /v1/chat", t0, t0 + lat,
                   {"http.route": "/v1/chat", "http.response.status_code": 500 if failed else 200,
                    "chat.topic": row.topic, "chat.language": row.language}, failed,
                   "upstream failure" if failed else "")]
    spans.append(_span(trace, ids[1], ids[0], "retrieve_context", t0, t0 + retrieval,
                       {"openinference.span.kind": "RETRIEVER", "retrieval.documents": 4},
                       stage == "retrieval", "vector store timeout" if stage == "retrieval" else ""))
    if tool:
        spans.append(_span(trace, ids[2], ids[0], "get_order_status", t0 + retrieval, llm_start,
                           {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_order_status"}))
    model = str(row.model_version)
    old = model == "sage-mini-1"
    usage = {("gen_ai.usage.prompt_tokens" if old else "gen_ai.usage.input_tokens"): int(row.input_tokens),
             ("gen_ai.usage.completion_tokens" if old else "gen_ai.usage.output_tokens"): int(row.output_tokens)}
    spans.append(_span(trace, ids[3], ids[0], f"chat {model}", llm_start, t0 + lat,
                       {"gen_ai.operation.name": "chat", "gen_ai.system": "sage", "gen_ai.request.model": model,
                        "gen_ai.response.model": model, **usage},
                       stage == "llm", "429 rate limited" if stage == "llm" else "",
                       events=(("gen_ai.first_token", t0 + ttft),)))
    if queue_ms >= 1.0:
        spans.append(_span(trace, ids[4], ids[3], "inference.queue", llm_start, llm_start + int(queue_ms * 1e6),
                           {"inference.queue_depth": int(row.queue)}))
    return spans


def otel_lines(log: pd.DataFrame, res: pd.DataFrame, start, end, seed=0) -> bytes:
    """JSON lines of OTLP export requests for the requests of ``log`` in [start, end)."""
    rng = np.random.default_rng([int(seed), 9])
    part = log.loc[(log.index >= start) & (log.index < end)].copy()
    part["queue"] = res["queue_depth"].reindex(part.index.floor("min")).to_numpy()
    lines = []
    resource = {"attributes": [_attr("service.name", "support-assistant"), _attr("deployment.environment", "prod")]}
    for _, minute in part.groupby(part.index.floor("min"), sort=True):
        spans = []
        for row in minute.itertuples():
            # while requests queue, the wait is the share of the time to first token above normal
            queue_ms = row.ttft_ms * (1.0 - 1.0 / 3.5) if row.queue >= 5 else 0.0
            spans += request_spans(row, row.Index.value, rng, queue_ms)
        lines.append(json.dumps({"resourceSpans": [{"resource": resource, "scopeSpans": [
            {"scope": {"name": "support-assistant", "version": "1.4.2"}, "spans": spans}]}]},
            separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _answer(series):
    """A Prometheus ``query_range`` answer for ``[(labels, pd.Series), ...]``."""
    result = [{"metric": labels, "values": [[v.value / 1e9, format(float(x), "g") if np.isfinite(x) else "NaN"]
                                            for v, x in zip(s.index, s.to_numpy())]} for labels, s in series]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def prometheus_answers(log: pd.DataFrame, res: pd.DataFrame, start, end) -> bytes:
    """``{name: answer}`` for the resource gauges and the cumulative latency histogram counters
    (``sum by (le) (request_latency_seconds_bucket)``) at each minute in [start, end)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    sl = res.loc[(res.index >= start) & (res.index < end)]
    out = {name: _answer([({}, sl[name])]) for name in ("gpu_util", "queue_depth", "replicas", "gpu_memory_gb")}
    seconds = log["latency_ms"].to_numpy() / 1000.0
    t = log.index.asi8
    buckets = []
    for le in (*BUCKETS_S, np.inf):
        hit = np.cumsum(seconds <= le)  # requests up to each one, counted since the log started
        upto = np.searchsorted(t, sl.index.asi8, side="left")  # a scrape counts what came before it
        counts = np.where(upto > 0, hit[np.maximum(upto - 1, 0)], 0).astype(float)
        buckets.append(({"le": "+Inf" if np.isinf(le) else format(le, "g")}, pd.Series(counts, index=sl.index)))
    out["latency"] = _answer(buckets)
    return (json.dumps(out, separators=(",", ":")) + "\n").encode("utf-8")


# The slices exported next to the bundled chatbot log: the GPU saturation of 2026-03-08 (08:37-09:17 UTC)
TRACES_FILE, TRACES_SLICE = "chatbot_traces.otlp.jsonl.gz", ("2026-03-08 06:30Z", "2026-03-08 10:30Z")
PROMETHEUS_FILE, PROMETHEUS_SLICE = "chatbot_prometheus.json.gz", ("2026-03-08 05:00Z", "2026-03-08 13:00Z")


def exports(chatbot: pd.DataFrame) -> dict:
    """File name -> uncompressed bytes of the telemetry exports of the bundled chatbot."""
    from ._resources import simulate_resources

    res = simulate_resources(chatbot)
    t0, t1 = (pd.Timestamp(x) for x in TRACES_SLICE)
    p0, p1 = (pd.Timestamp(x) for x in PROMETHEUS_SLICE)
    return {TRACES_FILE: otel_lines(chatbot, res, t0, t1), PROMETHEUS_FILE: prometheus_answers(chatbot, res, p0, p1)}
