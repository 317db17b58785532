"""OpenTelemetry traces (OTLP/JSON) -> an inference log (one row per request) or a span table.

The root span of each trace is the request: its start is the timestamp, its duration the
latency, its status (code 2, ``STATUS_CODE_ERROR``) the error. GenAI attributes are mapped to
the conventional roles whichever convention wrote them:

=================  =====================================================================
column             attributes read (first present wins)
=================  =====================================================================
``input_tokens``   ``gen_ai.usage.input_tokens``, ``gen_ai.usage.prompt_tokens``,
                   ``llm.token_count.prompt`` (OpenInference)
``output_tokens``  ``gen_ai.usage.output_tokens``, ``gen_ai.usage.completion_tokens``,
                   ``llm.token_count.completion``
``model_version``  ``gen_ai.response.model``, ``gen_ai.request.model``, ``llm.model_name``
``ttft_ms``        a span event named ``gen_ai.first_token``/``first_token``/``llm.first_token``,
                   else ``gen_ai.response.time_to_first_token`` or
                   ``gen_ai.server.time_to_first_token`` (seconds after the LLM span's start);
                   measured from the start of the request
=================  =====================================================================

Each span gets a *stage*: ``llm`` (``gen_ai.operation.name`` chat / text_completion /
generate_content, OpenInference kind LLM), ``retrieval`` (operation retrieval or embeddings,
kinds RETRIEVER, RERANKER, EMBEDDING: embedding the query is part of retrieving context),
``tool`` (execute_tool, kind TOOL) or ``other``. Per request, ``<stage>_ms`` is the time covered
by that stage's spans below the root (the union of their intervals, so nested or parallel spans
are not counted twice), and ``error_stage`` the stage of the first span that failed.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import AimonError, DataDroppedWarning
from . import _otlp

STAGES = ("retrieval", "llm", "tool", "other")
LEVELS = ("request", "span")
INPUT_TOKENS = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")
OUTPUT_TOKENS = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")
MODEL = ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name")
TTFT_EVENTS = ("gen_ai.first_token", "first_token", "llm.first_token")
TTFT_SECONDS = ("gen_ai.response.time_to_first_token", "gen_ai.server.time_to_first_token")
OPERATION_STAGE = {"chat": "llm", "text_completion": "llm", "generate_content": "llm",
                   "completion": "llm", "retrieval": "retrieval", "retrieve": "retrieval",
                   "embeddings": "retrieval", "execute_tool": "tool"}
OPENINFERENCE_STAGE = {"LLM": "llm", "RETRIEVER": "retrieval", "RERANKER": "retrieval",
                       "EMBEDDING": "retrieval", "TOOL": "tool"}
MAPPED = set(INPUT_TOKENS + OUTPUT_TOKENS + MODEL + TTFT_SECONDS) | {"gen_ai.operation.name",
                                                                      "openinference.span.kind"}


def _first(attrs: dict, keys):
    for k in keys:
        v = attrs.get(k)
        if v is not None and not isinstance(v, (list, dict)):
            return v
    return None


def _number(v):
    try:
        out = float(v)
    except (TypeError, ValueError):
        return np.nan
    return out if np.isfinite(out) else np.nan


def stage_of(attrs: dict) -> str:
    """``retrieval``, ``llm``, ``tool`` or ``other`` from the span's GenAI / OpenInference attributes."""
    op = attrs.get("gen_ai.operation.name")
    if isinstance(op, str) and op.lower() in OPERATION_STAGE:
        return OPERATION_STAGE[op.lower()]
    kind = attrs.get("openinference.span.kind")
    if isinstance(kind, str) and kind.upper() in OPENINFERENCE_STAGE:
        return OPENINFERENCE_STAGE[kind.upper()]
    return "other"


def _ttft_ns(span: dict):
    """Absolute time (ns) of the first token of an LLM span, or None."""
    for name, t, _ in span["events"]:
        if name in TTFT_EVENTS:
            return t
    seconds = _number(_first(span["attributes"], TTFT_SECONDS))
    return None if np.isnan(seconds) else span["start_ns"] + int(round(seconds * 1e9))


def _covered(intervals) -> int:
    """Length (ns) of the union of ``[start, end)`` intervals."""
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + (cur_e - cur_s if cur_e is not None else 0)


def _span_row(sp: dict, keep_attributes: bool) -> dict:
    a = sp["attributes"]
    row = {
        "timestamp": sp["start_ns"], "trace_id": sp["trace_id"], "span_id": sp["span_id"],
        "parent_span_id": sp["parent_span_id"], "name": sp["name"], "kind": sp["kind"],
        "stage": stage_of(a), "service": sp["resource"].get("service.name"),
        "latency_ms": (sp["end_ns"] - sp["start_ns"]) / 1e6, "error": sp["status_code"] == 2,
        "status_message": sp["status_message"], "model_version": _first(a, MODEL),
        "input_tokens": _number(_first(a, INPUT_TOKENS)), "output_tokens": _number(_first(a, OUTPUT_TOKENS)),
    }
    t = _ttft_ns(sp)
    row["ttft_ms"] = (t - sp["start_ns"]) / 1e6 if t is not None else np.nan
    if keep_attributes:
        row.update({k: v for k, v in a.items() if k not in MAPPED and k not in row})
    return row


def _request_row(spans: list[dict], keep_attributes: bool) -> tuple[dict, int]:
    """One request from the spans of one trace; also the number of extra roots (0 normally)."""
    ids = {sp["span_id"] for sp in spans}
    roots = [sp for sp in spans if sp["parent_span_id"] is None or sp["parent_span_id"] not in ids]
    roots.sort(key=lambda sp: (sp["start_ns"], -sp["end_ns"]))
    root = roots[0]
    below = [sp for sp in spans if sp is not root]
    a = root["attributes"]
    row = {"timestamp": root["start_ns"], "trace_id": root["trace_id"], "name": root["name"],
           "service": root["resource"].get("service.name"),
           "latency_ms": (root["end_ns"] - root["start_ns"]) / 1e6, "error": root["status_code"] == 2}
    stages = [stage_of(sp["attributes"]) for sp in below]
    llm = [sp for sp, st in zip(below, stages) if st == "llm"]
    token_spans = llm or [root]
    for col, keys in (("input_tokens", INPUT_TOKENS), ("output_tokens", OUTPUT_TOKENS)):
        vals = [_number(_first(sp["attributes"], keys)) for sp in token_spans]
        vals = [v for v in vals if not np.isnan(v)]
        if not vals and llm:  # totals written on the root only
            vals = [v for v in [_number(_first(a, keys))] if not np.isnan(v)]
        row[col] = float(sum(vals)) if vals else np.nan
    model = None
    for sp in sorted(llm, key=lambda s: s["start_ns"]) + [root]:
        model = _first(sp["attributes"], MODEL)
        if model is not None:
            break
    row["model_version"] = model
    firsts = [t for t in (_ttft_ns(sp) for sp in llm + [root]) if t is not None]
    row["ttft_ms"] = (min(firsts) - root["start_ns"]) / 1e6 if firsts else np.nan
    for stage in STAGES:
        iv = [(sp["start_ns"], sp["end_ns"]) for sp, st in zip(below, stages) if st == stage]
        row[f"{stage}_ms"] = _covered(iv) / 1e6 if iv else 0.0
    failed = sorted(((sp["end_ns"], st) for sp, st in zip(below, stages) if sp["status_code"] == 2),
                    key=lambda pair: pair[0])  # the first to end; ties in the order of the export
    row["error_stage"] = failed[0][1] if failed else (stage_of(a) if row["error"] else None)
    row["spans"] = len(spans)
    if keep_attributes:
        row.update({k: v for k, v in {**root["resource"], **a}.items() if k not in MAPPED and k not in row})
    return row, len(roots) - 1


REQUEST_COLUMNS = ("trace_id", "name", "service", "latency_ms", "error", "input_tokens", "output_tokens",
                   "model_version", "ttft_ms", *(f"{s}_ms" for s in STAGES), "error_stage", "spans")
SPAN_COLUMNS = ("trace_id", "span_id", "parent_span_id", "name", "kind", "stage", "service", "latency_ms",
                "error", "status_message", "model_version", "input_tokens", "output_tokens", "ttft_ms")


def _frame(rows: list[dict], level: str) -> pd.DataFrame:
    if not rows:
        cols = REQUEST_COLUMNS if level == "request" else SPAN_COLUMNS
        return pd.DataFrame({c: [] for c in cols}, index=pd.DatetimeIndex([], tz="UTC", name="timestamp"))
    df = pd.DataFrame(rows)
    df["timestamp"] = pd.to_datetime(df["timestamp"].astype(np.int64), unit="ns", utc=True)
    df = df.sort_values("timestamp", kind="stable").set_index("timestamp")
    for col in ("input_tokens", "output_tokens"):
        if col in df and df[col].notna().all() and (df[col] == df[col].round()).all():
            df[col] = df[col].astype(np.int64)
    if "model_version" in df and df["model_version"].notna().any():
        df["model_version"] = df["model_version"].astype("category")
    return df


def read_otel(path_or_dir, level="request", keep_attributes=False) -> pd.DataFrame:
    """Read OpenTelemetry traces exported as OTLP/JSON into an inference log or a span table.

    Parameters
    ----------
    path_or_dir : str, Path or list
        A file, a folder (every ``*.json``, ``*.jsonl``, ``*.json.gz``, ... in it) or a list of
        them. A file holds one OTLP/JSON export request or one per line (the OpenTelemetry
        Collector's file exporter); gzip is recognised by content.
    level : {"request", "span"}
        ``"request"``: one row per trace (its root span), with per-stage latency columns;
        ``"span"``: one row per span, with ``parent_span_id`` and ``stage``.
    keep_attributes : bool
        Also keep the attributes that are not mapped to a column, one column per key (request
        level: the root span's and the resource's attributes).

    Returns
    -------
    DataFrame
        Indexed by the UTC start time (``timestamp``), sorted. Request level: ``trace_id``,
        ``name``, ``service``, ``latency_ms``, ``error``, ``input_tokens``, ``output_tokens``
        (summed over the LLM spans), ``model_version``, ``ttft_ms``, ``retrieval_ms``,
        ``llm_ms``, ``tool_ms``, ``other_ms``, ``error_stage``, ``spans``. Span level:
        ``trace_id``, ``span_id``, ``parent_span_id``, ``name``, ``kind``, ``stage``,
        ``service``, ``latency_ms``, ``error``, ``status_message``, the GenAI columns.
        ``attrs["aimon_otel"]`` holds ``files``, ``records``, ``spans``, ``skipped`` (records and
        spans that could not be read, a count) and ``problems`` (file, line and reason of each,
        the first 20); a :class:`~aimon.errors.DataDroppedWarning` names them too.

    Examples
    --------
    >>> import aimon
    >>> path = aimon.datasets.bundled_file("chatbot_traces.otlp.jsonl.gz")
    >>> log = aimon.io.read_otel(path)
    >>> {"latency_ms", "ttft_ms", "retrieval_ms", "llm_ms", "tool_ms"} <= set(log.columns)
    True
    >>> bool((log["retrieval_ms"] + log["llm_ms"] <= log["latency_ms"] + 1e-6).all())
    True
    """
    if level not in LEVELS:
        raise AimonError(f"read_otel(): level={level!r}; choose 'request' (one row per trace) or 'span'.")
    files = _otlp.files_of(path_or_dir)
    spans, problems, n_records, skipped = [], [], 0, 0
    for f in files:
        for line, obj in _otlp.records(_otlp.read_text(f)):
            n_records += 1
            try:
                if isinstance(obj, Exception):
                    raise obj
                got, bad = _otlp.spans_of(obj)
            except _otlp.Malformed as exc:
                skipped += 1
                problems.append(f"{f.name} line {line}: record left out: {exc}")
                continue
            spans += got
            skipped += len(bad)
            problems += [f"{f.name} line {line}: {b}" for b in bad]
    if level == "span":
        rows, extra_roots = [_span_row(sp, keep_attributes) for sp in spans], 0
    else:
        traces: dict = {}
        for sp in spans:
            traces.setdefault(sp["trace_id"], []).append(sp)
        rows, extra_roots = [], 0
        for group in traces.values():
            row, extra = _request_row(group, keep_attributes)
            rows.append(row)
            extra_roots += extra
    df = _frame(rows, level)
    df.attrs["aimon_otel"] = {"files": [str(f) for f in files], "records": n_records, "spans": len(spans),
                              "skipped": skipped, "problems": problems[:20], "extra_roots": extra_roots}
    if skipped:
        shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        warnings.warn(f"read_otel(): {skipped} record(s)/span(s) could not be read and were left out "
                      f"({shown}); see df.attrs['aimon_otel'].", DataDroppedWarning, stacklevel=2)
    return df
