"""A self-contained HTML report: sections of text, tables and embedded PNG figures.

Every string that can come from a user (column names, segment values, titles) is escaped;
tables go through ``DataFrame.to_html(escape=True)``. Figures are embedded as base64 PNG so that
the single file can be mailed or attached to a ticket.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..plotting import figure_to_base64

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.table{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.78em;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f5f5f5;overflow-wrap:anywhere;max-width:9em}pre{background:#f8f8f8;padding:.6em;font-size:.85em;overflow-x:auto}
img{max-width:100%}.note{color:#555;font-size:.9em}
"""


def number(v) -> str:
    """A table number: 4 significant digits, thousands written out (12,345, never 1.234e+04);
    only magnitudes below 1e-4 (p-values) or of 1e15 and more use scientific notation."""
    a = abs(v)
    if 1e4 <= a < 1e15:
        return f"{v:,.0f}"
    return f"{v:.4g}"


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)  # already-escaped HTML fragments

    def text(self, text: str, cls: str | None = None) -> "Section":
        attr = f' class="{cls}"' if cls else ""
        self.blocks.append(f"<p{attr}>{html.escape(str(text))}</p>")
        return self

    def pre(self, text: str) -> "Section":
        self.blocks.append(f"<pre>{html.escape(str(text))}</pre>")
        return self

    def table(self, df: pd.DataFrame, max_rows: int = 30, float_format=number,
              max_columns: int = 9) -> "Section":
        """A table that fits the page: timestamps without constant parts, no row numbers left
        over from a filter (0, 1, 3, ...), wide tables split into parts of ``max_columns`` columns
        (each repeating the row key), and a scroll box rather than a clipped column."""
        shown = _compact(df.head(max_rows))
        index = not _is_row_numbers(shown.index)
        key = [] if index or shown.shape[1] <= max_columns else [shown.columns[0]]
        rest = [c for c in shown.columns if c not in key]
        for i in range(0, max(len(rest), 1), max_columns):
            part = shown[key + rest[i:i + max_columns]]
            frag = part.to_html(escape=True, float_format=float_format, border=0, na_rep="—", index=index)
            self.blocks.append(f'<div class="table">{frag}</div>')
        if len(df) > max_rows:
            self.text(f"({len(df) - max_rows} more rows not shown)", cls="note")
        return self

    def figure(self, fig, alt: str = "figure") -> "Section":
        data = figure_to_base64(fig)
        self.blocks.append(f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}">')
        return self


def _is_row_numbers(index: pd.Index) -> bool:
    return index.name is None and not isinstance(index, pd.MultiIndex) and pd.api.types.is_integer_dtype(index)


def _time_format(values: pd.DatetimeIndex) -> str:
    """The shortest format that shows every timestamp of ``values`` exactly."""
    v = values[~values.isna()]
    if not len(v) or (v.normalize() == v).all():
        return "%Y-%m-%d"
    return "%Y-%m-%d %H:%M" if (v.second == 0).all() and (v.microsecond == 0).all() else "%Y-%m-%d %H:%M:%S"


def _compact(df: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as short strings (no '+00:00', no ':00' seconds, no midnight on daily rows)."""
    out = df.copy()
    if isinstance(out.index, pd.DatetimeIndex):
        name = out.index.name
        out.index = pd.Index(out.index.strftime(_time_format(out.index)), name=name)
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            col = pd.DatetimeIndex(out[c])
            out[c] = pd.Series(col.strftime(_time_format(col)), index=out.index).where(~col.isna(), None)
    return out


class Report:
    """An ordered list of sections rendered to one HTML file."""

    def __init__(self, title: str):
        self.title = title
        self.sections: list[Section] = []

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s

    def to_html(self) -> str:
        body = "".join(f"<h2>{html.escape(s.title)}</h2>{''.join(s.blocks)}" for s in self.sections)
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                f"<style>{_STYLE}</style></head><body><h1>{html.escape(self.title)}</h1>{body}</body></html>")

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"Report({self.title!r}, sections={[s.title for s in self.sections]!r})"
