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
table{border-collapse:collapse;font-size:.8em;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f5f5f5}pre{background:#f8f8f8;padding:.6em;font-size:.85em;overflow-x:auto}
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

    def table(self, df: pd.DataFrame, max_rows: int = 30, float_format=number) -> "Section":
        shown = df.head(max_rows)
        self.blocks.append(shown.to_html(escape=True, float_format=float_format, border=0, na_rep="—"))
        if len(df) > max_rows:
            self.text(f"({len(df) - max_rows} more rows not shown)", cls="note")
        return self

    def figure(self, fig, alt: str = "figure") -> "Section":
        data = figure_to_base64(fig)
        self.blocks.append(f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}">')
        return self


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
