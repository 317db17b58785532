"""The on-disk format of a bundled dataset: a gzip CSV plus a JSON schema sidecar.

``<name>.csv.gz`` holds the rows (first column the UTC ``timestamp`` index); it is written with
gzip ``mtime=0`` and no file name so that the same frame always gives the same bytes.
``<name>.schema.json`` holds what CSV cannot: each column's dtype (categories in order, time
zones), the frame's ``attrs`` (scenario, time zone, ``simulate()`` arguments) and the events table.
Floats are written by pandas in their shortest round-trip form and read back exactly
(``float_precision="round_trip"`` before pandas 3.1, where it became the only behaviour).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import re

import pandas as pd

from ..errors import AimonError
from ._events import make_table

FORMAT = "aimon-dataset/1"
TIME_DTYPE = "datetime64[ns, UTC]"
# pandas >= 3.1 always parses floats exactly and deprecates the option; older versions need it.
_PANDAS = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", pd.__version__).groups())
_EXACT_FLOATS = {} if _PANDAS >= (3, 1) else {"float_precision": "round_trip"}


def _dtype_spec(name, dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {"name": name, "dtype": "category", "categories": [str(c) for c in dtype.categories],
                "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.DatetimeTZDtype):
        if str(dtype.tz) != "UTC":
            raise AimonError(f"column {name!r}: only UTC times can be stored, found {dtype}.")
        return {"name": name, "dtype": TIME_DTYPE}
    kind = str(dtype)
    if kind not in ("int64", "float64", "bool"):
        raise AimonError(f"column {name!r}: dtype {kind} cannot be stored in a bundled dataset.")
    return {"name": name, "dtype": kind}


def schema_of(df, name, csv_bytes):
    """The JSON-ready sidecar describing ``df`` (written next to its CSV)."""
    attrs = df.attrs
    events = attrs["events"]
    return {
        "format": FORMAT,
        "name": name,
        "rows": int(len(df)),
        "csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
        "index": _dtype_spec(df.index.name, df.index.dtype),
        "columns": [_dtype_spec(c, df[c].dtype) for c in df.columns],
        "attrs": {
            "scenario": attrs["scenario"],
            "timezone": attrs["timezone"],
            "reference_end": attrs["reference_end"].isoformat(),
            "simulate_args": attrs["simulate_args"],
        },
        "events": [
            {"event_id": int(r.event_id), "kind": r.kind, "start": r.start.isoformat(),
             "end": r.end.isoformat(), "columns": r.columns, "magnitude": float(r.magnitude),
             "description": r.description}
            for r in events.itertuples(index=False)
        ],
    }


def csv_bytes(df):
    """The frame as UTF-8 CSV bytes (index first, ``\\n`` line ends, shortest float form)."""
    return df.to_csv(lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S.%f%z").encode("utf-8")


def gzip_bytes(data):
    """Reproducible gzip: fixed level, ``mtime=0`` and no file name in the header."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def json_bytes(obj):
    return (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _to_utc(values):
    out = pd.to_datetime(values, format="ISO8601", utc=True)
    return out.dt.as_unit("ns") if isinstance(out, pd.Series) else out.as_unit("ns")


def read_frame(csv_gz, schema_raw, where):
    """Rebuild the frame from the two files' bytes; ``where`` names them in error messages."""
    schema = json.loads(schema_raw)
    if schema.get("format") != FORMAT:
        raise AimonError(f"{where}: unknown format {schema.get('format')!r} (expected {FORMAT!r}). "
                         "Regenerate it with `python -m aimon.datasets.build`.")
    raw = gzip.decompress(csv_gz)
    if hashlib.sha256(raw).hexdigest() != schema["csv_sha256"]:
        raise AimonError(f"{where}: the CSV does not match its schema (checksum differs). "
                         "Regenerate both with `python -m aimon.datasets.build`.")
    specs = [schema["index"], *schema["columns"]]
    dtypes = {}
    for spec in specs:
        if spec["dtype"] == "category":
            dtypes[spec["name"]] = pd.CategoricalDtype(spec["categories"], ordered=spec["ordered"])
        elif spec["dtype"] == TIME_DTYPE:
            dtypes[spec["name"]] = "str"
        else:
            dtypes[spec["name"]] = spec["dtype"]
    frame = pd.read_csv(io.BytesIO(raw), dtype=dtypes, keep_default_na=False,
                        na_values={n: [""] for n in dtypes}, **_EXACT_FLOATS)
    expected = [s["name"] for s in specs]
    if list(frame.columns) != expected:
        raise AimonError(f"{where}: columns {list(frame.columns)} differ from the schema {expected}.")
    for spec in schema["columns"]:
        if spec["dtype"] == TIME_DTYPE:
            frame[spec["name"]] = _to_utc(frame[spec["name"]])
    index_name = schema["index"]["name"]
    frame.index = pd.DatetimeIndex(_to_utc(frame.pop(index_name)), name=index_name)
    attrs = schema["attrs"]
    frame.attrs = {
        "scenario": attrs["scenario"],
        "timezone": attrs["timezone"],
        "reference_end": pd.Timestamp(attrs["reference_end"]).tz_convert("UTC").as_unit("ns"),
        "simulate_args": attrs["simulate_args"],
        "events": make_table(schema["events"]),
    }
    return frame
