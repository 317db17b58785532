"""aimon.io.read_otel against traces written by hand from a known truth, in every OTLP/JSON spelling."""
import base64
import gzip
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import AimonError, DataDroppedWarning

T0 = 1_772_400_000_000_000_000  # 2026-03-01 21:20 UTC in ns
MS = 1_000_000
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


def wrap(v, style):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v) if style % 2 else v}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [wrap(x, style) for x in v]}}
    return {"stringValue": v}


def ident(hexstr, style):
    return base64.b64encode(bytes.fromhex(hexstr)).decode() if style == 2 else hexstr


def span(trace, sid, parent, name, start_ms, end_ms, attrs=None, status=0, events=(), style=0):
    out = {"traceId": ident(trace, style), "spanId": ident(sid, style), "name": name, "kind": 1,
           "startTimeUnixNano": str(T0 + start_ms * MS) if style != 1 else T0 + start_ms * MS,
           "endTimeUnixNano": str(T0 + end_ms * MS),
           "attributes": [{"key": k, "value": wrap(v, style)} for k, v in (attrs or {}).items()],
           "status": {"code": status} if style != 1 else {"code": ["STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                                    "STATUS_CODE_ERROR"][status]}}
    if parent:
        out["parentSpanId"] = ident(parent, style)
    if events:
        out["events"] = [{"name": n, "timeUnixNano": str(T0 + t * MS)} for n, t in events]
    return out


def request(spans, service="chat-api"):
    return {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                               "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]}]}


STAGE_ATTRS = {  # per convention: (attributes marking the stage, token keys)
    "genai": {"llm": {"gen_ai.operation.name": "chat"}, "retrieval": {"gen_ai.operation.name": "retrieval"},
              "tool": {"gen_ai.operation.name": "execute_tool"}, "other": {}},
    "openinference": {"llm": {"openinference.span.kind": "LLM"}, "retrieval": {"openinference.span.kind": "RETRIEVER"},
                      "tool": {"openinference.span.kind": "TOOL"}, "other": {"openinference.span.kind": "CHAIN"}},
}
TOKENS = {"new": ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.model"),
          "old": ("gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "gen_ai.request.model"),
          "openinference": ("llm.token_count.prompt", "llm.token_count.completion", "llm.model_name")}


def covered_ms(intervals):
    """Slow obvious union length: count the covered whole milliseconds."""
    seen = set()
    for s, e in intervals:
        seen.update(range(s, e))
    return float(len(seen))


def build(rng, n_traces, convention="genai", tokens="new", style=0):
    """(export request objects, truth frame) for ``n_traces`` random requests."""
    objs, truth = [], []
    for i in range(n_traces):
        trace = f"{rng.integers(1, 2**62):016x}{i:016x}"
        start = int(rng.integers(0, 3_600_000))
        dur = int(rng.integers(50, 5000))
        children, stage_iv = [], {s: [] for s in STAGE_ATTRS["genai"]}
        inp = out = 0
        model, first_token, failed_stage, first_fail_end = None, None, None, None
        for k in range(int(rng.integers(0, 5))):
            stage = ["retrieval", "llm", "tool", "other"][int(rng.integers(0, 4))]
            s = start + int(rng.integers(0, dur))
            e = min(start + dur, s + int(rng.integers(0, dur)))
            attrs = dict(STAGE_ATTRS[convention][stage])
            events = ()
            if stage == "llm":
                a, b = int(rng.integers(1, 900)), int(rng.integers(1, 900))
                name = ["sage-large-1", "sage-mini-1"][int(rng.integers(0, 2))]
                attrs.update({TOKENS[tokens][0]: a, TOKENS[tokens][1]: b, TOKENS[tokens][2]: name})
                inp, out = inp + a, out + b
                if model is None or s < model[0]:
                    model = (s, name)
                t = s + int(rng.integers(0, max(1, e - s)))
                events = (("gen_ai.first_token", t),)
                first_token = t if first_token is None else min(first_token, t)
            status = 2 if rng.random() < 0.2 else 0
            if status == 2 and (first_fail_end is None or e < first_fail_end):
                failed_stage, first_fail_end = stage, e
            stage_iv[stage].append((s, e))
            children.append(span(trace, f"{k + 2:016x}", f"{1:016x}", f"{stage}-{k}", s, e, attrs, status, events,
                                 style))
        root_status = 2 if rng.random() < 0.3 else 0
        root = span(trace, f"{1:016x}", None, "POST /chat", start, start + dur, {"http.route": "/chat"},
                    root_status, style=style)
        objs.append(request([root] + children))
        row = {"timestamp": pd.Timestamp(T0 + start * MS, unit="ns", tz="UTC"), "trace_id": trace,
               "latency_ms": float(dur), "error": root_status == 2, "spans": 1 + len(children),
               "input_tokens": float(inp) if model else np.nan, "output_tokens": float(out) if model else np.nan,
               "model_version": model[1] if model else None,
               "ttft_ms": float(first_token - start) if first_token is not None else np.nan,
               "error_stage": failed_stage or ("other" if root_status == 2 else None)}
        for stage, iv in stage_iv.items():
            row[f"{stage}_ms"] = covered_ms(iv)
        truth.append(row)
    return objs, pd.DataFrame(truth).set_index("timestamp")


def compare(got, truth):
    truth = truth.sort_values(["timestamp", "trace_id"], kind="stable")
    got = got.reset_index().sort_values(["timestamp", "trace_id"], kind="stable").set_index("timestamp")
    assert len(got) == len(truth)
    assert list(got["trace_id"]) == list(truth["trace_id"])
    for col in ("latency_ms", "ttft_ms", "input_tokens", "output_tokens", "retrieval_ms", "llm_ms", "tool_ms",
                "other_ms"):
        np.testing.assert_allclose(got[col].to_numpy(float), truth[col].to_numpy(float), rtol=0, atol=1e-9,
                                   equal_nan=True, err_msg=col)
    for col in ("error", "spans"):
        assert list(got[col]) == list(truth[col]), col
    for col in ("model_version", "error_stage"):
        a = [None if pd.isna(v) else v for v in got[col]]
        b = [None if pd.isna(v) else v for v in truth[col]]
        assert a == b, col


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12), convention=st.sampled_from(["genai", "openinference"]),
       style=st.integers(0, 2), layout=st.sampled_from(["json", "jsonl", "jsonl.gz", "dir"]))
def test_requests_equal_the_truth_in_every_encoding(tmp_path_factory, seed, n, convention, style, layout):
    tokens = "openinference" if convention == "openinference" else ["new", "old"][seed % 2]
    objs, truth = build(np.random.default_rng(seed), n, convention, tokens, style)
    folder = tmp_path_factory.mktemp("otel")
    if layout == "json":
        path = folder / "t.json"
        merged = {"resourceSpans": [rs for o in objs for rs in o["resourceSpans"]]}
        path.write_text(json.dumps(merged, indent=2))
    elif layout == "dir":
        for i, o in enumerate(objs):
            (folder / f"part{i:03d}.json").write_text(json.dumps(o))
        path = folder
    else:
        text = "\n".join(json.dumps(o) for o in objs) + "\n"
        path = folder / f"t.{layout}"
        path.write_bytes(gzip.compress(text.encode()) if layout.endswith("gz") else text.encode())
    got = aimon.io.read_otel(path)
    compare(got, truth)
    assert got.attrs["aimon_otel"]["skipped"] == 0
    assert isinstance(got.index, pd.DatetimeIndex) and str(got.index.tz) == "UTC"
    # roles infer on the result, so the log is ready for ops()
    r = got.aimon.roles
    assert (r["latency"], r["ttft"], r["error"], r["input_tokens"]) == ("latency_ms", "ttft_ms", "error",
                                                                       "input_tokens")


def test_span_level_has_parents_stages_and_attributes(tmp_path):
    objs, truth = build(np.random.default_rng(3), 5)
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in objs))
    spans = aimon.io.read_otel(path, level="span", keep_attributes=True)
    assert len(spans) == int(truth["spans"].sum())
    roots = spans[spans["parent_span_id"].isna()]
    assert len(roots) == len(truth) and set(roots["stage"]) == {"other"}
    assert (roots["http.route"] == "/chat").all()
    kids = spans[spans["parent_span_id"].notna()]
    assert set(kids["stage"]) <= {"llm", "retrieval", "tool", "other"}
    assert (kids["name"].str.split("-").str[0] == kids["stage"]).all()
    req = aimon.io.read_otel(path, keep_attributes=True)
    assert "http.route" in req.columns and "service.name" in req.columns
    assert "http.route" not in aimon.io.read_otel(path).columns


def test_ttft_from_attributes_in_seconds(tmp_path):
    root = span("ab" * 16, "01" * 8, None, "req", 0, 1000)
    llm = span("ab" * 16, "02" * 8, "01" * 8, "llm", 100, 900,
               {"gen_ai.operation.name": "chat", "gen_ai.server.time_to_first_token": 0.25})
    (tmp_path / "a.json").write_text(json.dumps(request([root, llm])))
    got = aimon.io.read_otel(tmp_path / "a.json")
    assert got["ttft_ms"].iloc[0] == pytest.approx(350.0)
    assert got["llm_ms"].iloc[0] == 800.0 and got["retrieval_ms"].iloc[0] == 0.0


def test_malformed_records_are_named_counted_and_the_rest_read(tmp_path):
    objs, truth = build(np.random.default_rng(5), 4)
    lines = [json.dumps(o) for o in objs]
    bad_span = request([{"traceId": "zz", "spanId": "01" * 8, "startTimeUnixNano": "1", "endTimeUnixNano": "2"}])
    no_time = request([{"traceId": "cd" * 16, "spanId": "01" * 8, "endTimeUnixNano": "2"}])
    lines[1:1] = ["{not json", json.dumps({"hello": 1}), json.dumps(bad_span), json.dumps(no_time)]
    (tmp_path / "x.jsonl").write_text("\n".join(lines))
    with pytest.warns(DataDroppedWarning, match="x.jsonl line 2"):
        got = aimon.io.read_otel(tmp_path / "x.jsonl")
    compare(got, truth)
    meta = got.attrs["aimon_otel"]
    assert meta["skipped"] == 4 and meta["records"] == 8
    assert any("line 3" in p and "resourceSpans" in p for p in meta["problems"])
    assert any("line 5" in p and "startTimeUnixNano" in p for p in meta["problems"])


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(AimonError, match="neither a file nor a folder"):
        aimon.io.read_otel(tmp_path / "missing.json")
    with pytest.raises(AimonError, match="no trace files"):
        aimon.io.read_otel(tmp_path)
    (tmp_path / "a.json").write_text(json.dumps(request([])))
    with pytest.raises(AimonError, match="level="):
        aimon.io.read_otel(tmp_path / "a.json", level="trace")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = aimon.io.read_otel(tmp_path / "a.json")
    assert len(empty) == 0 and "latency_ms" in empty.columns
