"""Regenerate the bundled datasets byte for byte: ``python -m aimon.datasets.build [OUT_DIR]``.

For each dataset of ``_catalog.BUNDLED`` this simulates the frame and writes
``<name>.csv.gz``, ``<name>.schema.json`` and the data card ``<name>.md``, then ``README.md``.
Without ``OUT_DIR`` the files go to the ``datasets/`` folder of the checkout.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import AimonError
from . import _cards, _traces
from ._catalog import BUNDLED
from ._io import csv_bytes, gzip_bytes, json_bytes, schema_of
from .simulate import simulate

__all__ = ["main", "checkout_dir"]


def checkout_dir():
    """The ``datasets/`` folder of the source checkout this module belongs to."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "pyproject.toml").is_file():
        raise AimonError(f"{root} is not a pandas-aimon checkout (no pyproject.toml): "
                         "pass the folder to write to, e.g. main('my_datasets').")
    return root / "datasets"


def main(out_dir=None):
    """Write every bundled dataset (data, schema, card) and the README; returns the paths."""
    out = checkout_dir() if out_dir is None else Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written, summaries, frames = [], [], {}
    for name, args in BUNDLED.items():
        df = frames[name] = simulate(**args)
        raw = csv_bytes(df)
        gz = gzip_bytes(raw)
        files = {
            f"{name}.csv.gz": gz,
            f"{name}.schema.json": json_bytes(schema_of(df, name, raw)),
            f"{name}.md": _cards.card(name, df, len(gz)).encode("utf-8"),
        }
        for filename, data in files.items():
            (out / filename).write_bytes(data)
            written.append(out / filename)
        summaries.append(_cards.summary(name, df, len(gz)))
    for filename, data in _traces.exports(frames["chatbot"]).items():  # telemetry of the same simulation
        (out / filename).write_bytes(gzip_bytes(data))
        written.append(out / filename)
    (out / "README.md").write_bytes(_cards.readme(summaries).encode("utf-8"))
    written.append(out / "README.md")
    return written


if __name__ == "__main__":
    for path in main(sys.argv[1] if len(sys.argv) > 1 else None):
        print(f"{path.stat().st_size:>10,}  {path}")
