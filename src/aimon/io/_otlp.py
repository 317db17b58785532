"""Decode OTLP/JSON trace exports into plain span records (dicts), naming what could not be read.

Encoding (OTLP specification, "JSON Protobuf Encoding"): a file holds one
``ExportTraceServiceRequest`` object (``{"resourceSpans": [...]}``) or, as the collector's file
exporter writes it, one such object per line. Under each resource span are ``scopeSpans`` (older
exports: ``instrumentationLibrarySpans``) and under those ``spans``. Trace and span ids are hex
strings (protobuf's own JSON mapping would give base64: both are read); 64-bit integers
(``startTimeUnixNano``, ``intValue``) may be strings; enums (``kind``, ``status.code``) may be
numbers or their names. Attribute values are wrapped: ``{"stringValue": ...}``, ``intValue``,
``doubleValue``, ``boolValue``, ``arrayValue: {"values": [...]}``, ``kvlistValue``, ``bytesValue``.
Files may be gzip-compressed (recognised by their first bytes, whatever their name).
"""
from __future__ import annotations

import base64
import binascii
import gzip
import json
from pathlib import Path

from ..errors import AimonError

SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz", ".otlp", ".otlp.gz")
STATUS_NAMES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
KIND_NAMES = ("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
KIND_BY_NAME = {f"SPAN_KIND_{k}": i for i, k in enumerate(KIND_NAMES)}


class Malformed(ValueError):
    """One record or span that cannot be read (the reason is the message)."""


def files_of(path_or_dir) -> list[Path]:
    """The export files named by a file, a folder (its trace files, sorted) or a list of either."""
    if isinstance(path_or_dir, (list, tuple)):
        out = []
        for p in path_or_dir:
            out += files_of(p)
        return out
    p = Path(path_or_dir)
    if p.is_dir():
        found = sorted(f for f in p.iterdir() if f.is_file() and f.name.lower().endswith(SUFFIXES))
        if not found:
            raise AimonError(f"read_otel(): no trace files in {str(p)!r} (looked for names ending in "
                             f"{', '.join(SUFFIXES)}). Pass the file itself to read another name.")
        return found
    if not p.is_file():
        raise AimonError(f"read_otel(): {str(p)!r} is neither a file nor a folder.")
    return [p]


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise AimonError(f"read_otel(): {str(path)!r} looks gzip-compressed but cannot be "
                             f"decompressed ({exc}).") from exc
    return raw.decode("utf-8", errors="replace")


def records(text: str):
    """(line number, parsed object or the Malformed error) for each request object in ``text``.

    A file that is one JSON document (possibly pretty-printed over many lines) is one record at
    line 1 (a list of requests gives one record each); otherwise every non-empty line is a record.
    """
    stripped = text.strip()
    if not stripped:
        return
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    if whole is not None:
        for obj in (whole if isinstance(whole, list) else [whole]):
            yield 1, obj
        return
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield i, json.loads(line)
        except json.JSONDecodeError as exc:
            yield i, Malformed(f"not JSON ({exc.msg} at column {exc.colno})")


def value(v):
    """The Python value of an OTLP ``AnyValue`` wrapper (None when empty)."""
    if not isinstance(v, dict):
        return v
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        d = v["doubleValue"]
        return float(d) if not isinstance(d, str) else float(d.replace("Infinity", "inf"))
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "arrayValue" in v:
        return [value(x) for x in (v["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in v:
        return attributes((v["kvlistValue"] or {}).get("values", []))
    if "bytesValue" in v:
        return v["bytesValue"]
    return None


def attributes(items) -> dict:
    """``[{"key": k, "value": {...}}, ...]`` as a plain dict (a bad value is kept as None)."""
    out = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item:
            try:
                out[item["key"]] = value(item.get("value"))
            except (TypeError, ValueError):
                out[item["key"]] = None
    return out


def hex_id(raw, nbytes: int, what: str, required=True) -> str | None:
    """A lowercase hex id from hex (the OTLP/JSON form) or base64 (protobuf's JSON mapping)."""
    if raw in (None, ""):
        if required:
            raise Malformed(f"no {what}")
        return None
    if not isinstance(raw, str):
        raise Malformed(f"{what} {raw!r} is not a string")
    if len(raw) == 2 * nbytes:
        try:
            int(raw, 16)
            return raw.lower()
        except ValueError:
            pass
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) == nbytes:
        return decoded.hex()
    raise Malformed(f"{what} {raw!r} is neither {2 * nbytes} hex digits nor base64 of {nbytes} bytes")


def nanos(raw, what: str) -> int:
    try:
        out = int(raw)
    except (TypeError, ValueError):
        raise Malformed(f"{what} {raw!r} is not an integer number of nanoseconds") from None
    if out <= 0:
        raise Malformed(f"{what} is {out}, not a time")
    return out


def _enum(raw, names, default=0):
    if raw is None:
        return default
    if isinstance(raw, str):
        if raw in names:
            return names[raw]
        return int(raw)
    return int(raw)


def span_record(span: dict, resource: dict, scope: str) -> dict:
    """One span as a flat dict: ids, times (ns), name, kind, status, attributes, events."""
    if not isinstance(span, dict):
        raise Malformed("a span is not a JSON object")
    start = nanos(span.get("startTimeUnixNano"), "startTimeUnixNano")
    end = nanos(span.get("endTimeUnixNano"), "endTimeUnixNano")
    if end < start:
        raise Malformed(f"ends {(start - end) / 1e6:.3f} ms before it starts")
    status = span.get("status") or {}
    try:
        code = _enum(status.get("code"), STATUS_NAMES)
        kind = _enum(span.get("kind"), KIND_BY_NAME)
    except (TypeError, ValueError):
        raise Malformed(f"status {status!r} or kind {span.get('kind')!r} is not an OTLP enum") from None
    events = []
    for ev in span.get("events") or []:
        if isinstance(ev, dict):
            try:
                events.append((str(ev.get("name", "")), int(ev["timeUnixNano"]), attributes(ev.get("attributes"))))
            except (KeyError, TypeError, ValueError):
                continue
    return {
        "trace_id": hex_id(span.get("traceId"), 16, "traceId"),
        "span_id": hex_id(span.get("spanId"), 8, "spanId"),
        "parent_span_id": hex_id(span.get("parentSpanId"), 8, "parentSpanId", required=False),
        "name": str(span.get("name", "")),
        "kind": KIND_NAMES[kind] if 0 <= kind < len(KIND_NAMES) else str(kind),
        "start_ns": start,
        "end_ns": end,
        "status_code": code,
        "status_message": str(status.get("message", "") or ""),
        "attributes": attributes(span.get("attributes")),
        "events": events,
        "resource": resource,
        "scope": scope,
    }


def spans_of(obj) -> tuple[list[dict], list[str]]:
    """Spans of one ``ExportTraceServiceRequest`` and the reasons for each span left out."""
    if not isinstance(obj, dict) or not isinstance(obj.get("resourceSpans", obj.get("batches")), list):
        raise Malformed("no 'resourceSpans' list (not an OTLP/JSON trace export)")
    out, bad = [], []
    for rs in obj.get("resourceSpans", obj.get("batches")):
        if not isinstance(rs, dict):
            bad.append("a resourceSpans entry is not an object")
            continue
        resource = attributes((rs.get("resource") or {}).get("attributes"))
        for ss in rs.get("scopeSpans", rs.get("instrumentationLibrarySpans")) or []:
            if not isinstance(ss, dict):
                bad.append("a scopeSpans entry is not an object")
                continue
            scope = str((ss.get("scope") or ss.get("instrumentationLibrary") or {}).get("name", ""))
            for k, span in enumerate(ss.get("spans") or []):
                try:
                    out.append(span_record(span, resource, scope))
                except Malformed as exc:
                    sid = span.get("spanId") if isinstance(span, dict) else None
                    bad.append(f"span {sid or k!r}: {exc}")
    return out, bad
