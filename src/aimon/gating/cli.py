"""``aimon gate gate.toml ...`` and ``aimon check batch.csv --profile ref.json``.

Exit codes: 0 passed, 1 blocked, 2 bad configuration or input (the message says what to fix).
The files written (``--json``, ``--junit``, ``--markdown``) are exactly what the Python call's
:class:`~aimon.gating.result.GateResult` writes.
"""
from __future__ import annotations

import sys
from pathlib import Path

READERS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
           ".jsonl": "jsonl", ".ndjson": "jsonl"}


def read_table(path):
    """A DataFrame from a CSV/TSV (optionally .gz), Parquet, JSON or JSON-lines file."""
    import pandas as pd

    from ..errors import AimonError

    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        suffixes = suffixes[:-1]
    kind = READERS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        raise AimonError(f"{str(path)!r}: unknown file type; use .csv, .tsv, .parquet, .json or .jsonl.")
    if not p.exists():
        raise AimonError(f"{str(path)!r}: no such file.")
    try:
        if kind == "csv":
            return pd.read_csv(p)
        if kind == "tsv":
            return pd.read_csv(p, sep="\t")
        if kind == "parquet":
            return pd.read_parquet(p)
        return pd.read_json(p, lines=kind == "jsonl")
    except ImportError as exc:
        raise AimonError(f"{str(path)!r}: reading {kind} needs an extra package ({exc}); "
                         "for Parquet: pip install pyarrow.") from exc
    except Exception as exc:  # a malformed file: name it
        raise AimonError(f"{str(path)!r} cannot be read as {kind}: {exc}") from exc


def _outputs(parser):
    parser.add_argument("--json", metavar="PATH", help="write the verdict as JSON")
    parser.add_argument("--junit", metavar="PATH", help="write JUnit XML (one test case per check)")
    parser.add_argument("--markdown", metavar="PATH", help="write a Markdown table (for a pull-request comment)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def add_commands(sub) -> None:
    """Register ``gate`` and ``check`` on the ``aimon`` command's subparsers."""
    g = sub.add_parser("gate", help="release gate: may the candidate model replace production? (exit 0/1/2)",
                       description="Compare a candidate model's inference log with production's on quality, "
                                   "latency and schema, as configured in a gate.toml file (docs/gate.md). "
                                   "Exit 0 passed, 1 blocked, 2 bad configuration or input.")
    g.add_argument("config", help="gate.toml with the settings")
    g.add_argument("--candidate", help="the candidate's log (csv, parquet, json); overrides [inputs]")
    g.add_argument("--production", help="the production model's log on the same rows")
    g.add_argument("--data", help="a batch of inputs to check against the profile")
    g.add_argument("--profile", help="reference profile JSON/npz; overrides [schema] profile")
    _outputs(g)
    g.set_defaults(run=run_gate)
    c = sub.add_parser("check", help="check a batch of inputs against a reference profile (exit 0/1/2)",
                       description="Schema and data checks of a batch against a saved profile "
                                   "(ref.aimon.profile().to_json('ref.json')). Exit 0 passed, 1 failed, 2 bad input.")
    c.add_argument("batch", help="the batch (csv, parquet, json)")
    c.add_argument("--profile", required=True, help="reference profile (.json or .npz)")
    c.add_argument("--drift", default="fail", choices=["fail", "warn", "off"],
                   help="what a drifted column does (default: fail)")
    _outputs(c)
    c.set_defaults(run=run_check)


def _finish(result, args) -> int:
    if args.json:
        result.to_json(args.json)
    if args.junit:
        result.to_junit_xml(args.junit)
    if args.markdown:
        result.to_markdown(args.markdown)
    if not args.quiet:
        print(result.summary())
    return 0 if result.passed else 1


def _guard(fn, args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..errors import AimonError

    try:
        return fn(args)
    except AimonError as exc:
        print(f"aimon {args.command}: {exc}", file=sys.stderr)
        return 2


def run_gate(args) -> int:
    return _guard(_gate, args)


def run_check(args) -> int:
    return _guard(_check, args)


def _gate(args) -> int:
    from ..errors import AimonError
    from . import config
    from .core import gate

    kwargs, inputs = config.load(args.config)
    for key in ("candidate", "production", "data"):
        if getattr(args, key):
            inputs[key] = getattr(args, key)
    if args.profile:
        kwargs["schema"] = args.profile
    if "candidate" not in inputs:
        raise AimonError("No candidate log: pass --candidate PATH (or candidate = ... in [inputs]).")
    frames = {k: read_table(v) for k, v in inputs.items()}
    try:
        result = gate(**frames, **kwargs)
    except TypeError as exc:  # a value of the wrong type in the file
        raise AimonError(f"gate file: {exc}") from exc
    return _finish(result, args)


def _check(args) -> int:
    from .schema import check

    return _finish(check(read_table(args.batch), args.profile, drift=args.drift), args)
