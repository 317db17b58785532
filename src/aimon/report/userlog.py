"""``aimon report LOG``: the monitoring report of a user's own inference log.

The log is read from CSV, JSON lines or Parquet, its roles are named on the command line where
the conventional names do not find them, and the same sections as ``aimon demo`` write one HTML
file. Rows without a readable timestamp are left out and said.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AimonError, SchemaError

#: role keyword -> command-line option (``--latency duration``)
ROLE_OPTIONS = ("timestamp", "latency", "ttft", "error", "prediction", "score", "label", "segment",
                "input_tokens", "output_tokens", "cost")
READERS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
           ".parquet": "parquet", ".pq": "parquet"}


def read_log(path) -> pd.DataFrame:
    """Read an inference log from ``.csv``/``.tsv``, ``.jsonl``/``.ndjson``/``.json`` or ``.parquet``."""
    path = Path(path)
    if not path.is_file():
        raise AimonError(f"{str(path)!r}: no such file.")
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise AimonError(f"{path.name!r}: cannot tell the format from the suffix {path.suffix!r}; use one of "
                         f"{', '.join(sorted(READERS))}.")
    try:
        if kind == "csv":
            return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        if kind == "jsonl":
            return pd.read_json(path, lines=True)
        if kind == "json":
            return pd.read_json(path)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise AimonError("Reading Parquet needs pyarrow, which aimon does not install by default: "
                             "pip install pandas-aimon[parquet]") from None
        return pd.read_parquet(path)
    except AimonError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise AimonError(f"Could not read {path.name!r} as {kind}: {exc}") from None


def prepare_log(df: pd.DataFrame, roles: dict, reference_end=None) -> tuple[pd.DataFrame, list[str]]:
    """The log in time order on a DatetimeIndex, with its roles attached; and notes on what changed."""
    from .._log import _timestamps
    from ..roles import INDEX, infer_roles, with_roles

    r = infer_roles(df, **roles)
    col = r["timestamp"]
    if col is None:
        from ..roles import require

        require(r, ["timestamp"], df, "aimon report")
    notes = []
    if col != INDEX:
        times, _ = _timestamps(df, col)
        ok = ~np.asarray(times.isna())
        if not ok.any():
            raise SchemaError([f"None of the values of {col!r} could be read as a time; name the time column "
                               f"with --timestamp."], df.columns)
        if not ok.all():
            notes.append(f"{int((~ok).sum())} of {len(df)} rows have no readable timestamp in {col!r} and are "
                         f"left out.")
        df = df.loc[ok].drop(columns=[col]).set_axis(pd.DatetimeIndex(times[ok], name=col), axis=0)
        roles = {k: v for k, v in roles.items() if k != "timestamp"}
    df = df.sort_index(kind="stable")
    out = with_roles(df, **roles) if roles else df
    if reference_end is not None:
        try:
            end = pd.Timestamp(reference_end)
        except (TypeError, ValueError):
            raise AimonError(f"--reference-end {reference_end!r} is not a date; give e.g. 2026-03-08.") from None
        tz = out.index.tz
        if (end.tz is None) != (tz is None):
            end = end.tz_localize(tz) if end.tz is None else end.tz_convert(None)
        out.attrs["reference_end"] = end
    return out, notes


def run_log(path, out_dir="aimon-report", roles=None, reference_end=None, slo_ms=None, pos_label=None,
            echo=print) -> Path:
    """Monitor the log in ``path`` and write ``<out_dir>/report.html`` (see :func:`aimon.report.run`)."""
    from .demo import run

    roles = {k: v for k, v in (roles or {}).items() if v is not None}
    df, notes = prepare_log(read_log(path), roles, reference_end)
    for note in notes:
        echo(note)
    return run(out_dir=out_dir, dataset=Path(path).name, df=df, echo=echo, slo_ms=slo_ms, pos_label=pos_label)


def main(args) -> int:
    """``aimon report`` with parsed arguments: exit 0 when written, 2 on bad input."""
    import sys

    roles = {k: getattr(args, k, None) for k in ROLE_OPTIONS}
    for key in ("latency_unit", "ttft_unit"):
        roles[key] = getattr(args, key, None)
    try:
        run_log(args.log, out_dir=args.out, roles=roles, reference_end=args.reference_end,
                slo_ms=args.slo_ms, pos_label=args.pos_label)
    except AimonError as exc:
        print(f"aimon: {exc}", file=sys.stderr)
        return 2
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("log", help="inference log: .csv, .tsv, .jsonl, .json or .parquet")
    for role in ROLE_OPTIONS:
        parser.add_argument(f"--{role.replace('_', '-')}", dest=role, metavar="COLUMN",
                            help=f"column of the {role} role (default: inferred from the names)")
    parser.add_argument("--latency-unit", choices=["s", "ms", "us"], help="unit of the latency column")
    parser.add_argument("--ttft-unit", choices=["s", "ms", "us"], help="unit of the ttft column")
    parser.add_argument("--pos-label", help="positive class of a binary label (e.g. yes)")
    parser.add_argument("--reference-end", metavar="DATE", help="end of the clean reference period")
    parser.add_argument("--slo-ms", type=float, help="latency SLO target in ms (default: from the first 7 days)")
    parser.add_argument("--out", default="aimon-report", help="output folder (default: aimon-report)")
