"""The verdict of a release gate: one row per check, and the same in HTML, JSON, JUnit and Markdown."""
from __future__ import annotations

import html
import json
import math

import numpy as np
import pandas as pd

COLUMNS = ["check", "status", "value", "limit", "evidence", "test", "p_value"]
STATUSES = ("pass", "warn", "fail")
_MARK = {"pass": "✅", "warn": "⚠️", "fail": "❌"}
_COLOR = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}


def _num(x):
    """A JSON-safe number (None for NaN/inf)."""
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _fmt(x) -> str:
    x = _num(x)
    if x is None:
        return ""
    return f"{x:.4g}"


class GateResult:
    """The verdict of :func:`aimon.gate` or :func:`aimon.check`.

    Attributes
    ----------
    passed : bool
        True when no check failed (warnings do not block).
    table : DataFrame
        One row per check: ``check, status, value, limit, evidence, test, p_value``. ``status``
        is 'pass', 'warn' or 'fail'; ``value`` is the candidate's number (or the effect) and
        ``limit`` what it was held to; ``evidence`` says how sure the verdict is, in words.
    info : dict
        How the inputs were read: how rows were paired, how many golden rows, rows left out.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> prod = pd.DataFrame({"label": y, "prediction": np.where(rng.random(500) < 0.9, y, 1 - y)})
    >>> g = aimon.gate(candidate=prod, production=prod, quality="accuracy")
    >>> g.passed, g.table["status"].tolist()
    (True, ['pass', 'pass'])
    """

    def __init__(self, table: pd.DataFrame, info: dict | None = None, title: str = "Release gate"):
        self.table = table[COLUMNS].reset_index(drop=True)
        self.info = dict(info or {})
        self.title = title

    @property
    def passed(self) -> bool:
        """True when no check failed (warnings do not block)."""
        return not (self.table["status"] == "fail").any()

    @property
    def failed(self) -> pd.DataFrame:
        """The failed checks."""
        return self.table[self.table["status"] == "fail"]

    @property
    def warnings(self) -> pd.DataFrame:
        """The checks with status 'warn'."""
        return self.table[self.table["status"] == "warn"]

    @property
    def verdict(self) -> str:
        counts = self.table["status"].value_counts()
        parts = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("fail", "warn", "pass") if counts.get(s, 0))
        return f"{'PASSED' if self.passed else 'BLOCKED'} ({parts or 'no checks'})"

    def summary(self) -> str:
        lines = [f"{self.title}: {self.verdict}"]
        for r in self.table.itertuples(index=False):
            if r.status != "pass":
                lines.append(f"  {r.status.upper()} {r.check}: {r.evidence}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "GateResult\n" + self.summary()

    def __bool__(self) -> bool:
        return self.passed

    # ------------------------------------------------------------------ notebook
    def _repr_html_(self) -> str:
        color = _COLOR["pass" if self.passed else "fail"]
        info = "; ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in self.info.items())
        rows = []
        for r in self.table.itertuples(index=False):
            rows.append(
                f"<tr><td>{html.escape(str(r.check))}</td>"
                f"<td style='color:{_COLOR.get(r.status, '#000')};font-weight:bold'>{html.escape(str(r.status))}</td>"
                f"<td>{_fmt(r.value)}</td><td>{_fmt(r.limit)}</td><td>{html.escape(str(r.evidence))}</td>"
                f"<td>{html.escape(str(r.test))}</td><td>{_fmt(r.p_value)}</td></tr>")
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        return (f"<p style='font-size:1.2em'><b>{html.escape(self.title)}:</b> "
                f"<span style='color:{color};font-weight:bold'>{html.escape(self.verdict)}</span></p>"
                + (f"<p><small>{info}</small></p>" if info else "")
                + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    # ------------------------------------------------------------------ CI formats
    def to_dict(self) -> dict:
        checks = []
        for r in self.table.to_dict("records"):
            checks.append({k: (_num(r[k]) if k in ("value", "limit", "p_value") else str(r[k])) for k in COLUMNS})
        return {"title": self.title, "passed": self.passed, "verdict": self.verdict,
                "info": {str(k): (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
                         for k, v in self.info.items()},
                "checks": checks}

    def _write(self, text: str, path) -> str | None:
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return None

    def to_json(self, path=None) -> str | None:
        """The verdict as JSON text (written to ``path`` when given): ``passed``, ``verdict``,
        ``info`` and one object per check (NaN as null)."""
        return self._write(json.dumps(self.to_dict(), indent=2, allow_nan=False), path)

    def to_junit_xml(self, path=None) -> str | None:
        """JUnit XML (one ``testcase`` per check; a failed check is a ``failure``, a warning is
        reported in ``system-out``), as CI systems display test results."""
        import xml.etree.ElementTree as ET

        t = self.table
        suite = ET.Element("testsuite", name=self.title, tests=str(len(t)),
                           failures=str(int((t["status"] == "fail").sum())), errors="0", skipped="0")
        for r in t.itertuples(index=False):
            case = ET.SubElement(suite, "testcase", classname="aimon.gate", name=str(r.check))
            text = (f"status={r.status} value={_fmt(r.value)} limit={_fmt(r.limit)} p_value={_fmt(r.p_value)} "
                    f"test={r.test}: {r.evidence}")
            if r.status == "fail":
                ET.SubElement(case, "failure", message=str(r.evidence), type="blocked").text = text
            else:
                ET.SubElement(case, "system-out").text = text
        root = ET.Element("testsuites")
        root.append(suite)
        return self._write('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode"), path)

    def to_markdown(self, path=None) -> str | None:
        """A Markdown table for a pull-request comment (verdict first)."""
        def cell(x):
            return str(x).replace("|", "\\|").replace("\n", " ")

        lines = [f"**{cell(self.title)}: {_MARK['pass' if self.passed else 'fail']} {cell(self.verdict)}**", "",
                 "| check | status | value | limit | evidence | p-value |", "|---|---|---|---|---|---|"]
        for r in self.table.itertuples(index=False):
            lines.append(f"| {cell(r.check)} | {_MARK.get(r.status, '')} {r.status} | {_fmt(r.value)} | "
                         f"{_fmt(r.limit)} | {cell(r.evidence)} | {_fmt(r.p_value)} |")
        return self._write("\n".join(lines) + "\n", path)

    # ------------------------------------------------------------------ plot
    def plot(self, ax=None):
        """Each check's value relative to its limit, oriented so that beyond 1 is the wrong side
        (value / limit, or limit / value for higher-is-better checks such as accuracy), coloured
        by status. Checks without a numeric value and limit are left out. Returns the matplotlib Axes.
        """
        from ..plotting import _axes

        t = self.table
        v = pd.to_numeric(t["value"], errors="coerce").to_numpy(dtype=float)
        lim = pd.to_numeric(t["limit"], errors="coerce").to_numpy(dtype=float)
        higher = np.array([_higher_is_better(c) for c in t["check"]], dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(higher, lim / v, v / lim)
        keep = np.isfinite(rel)
        ax = _axes(ax, figsize=(7, 0.35 * max(int(keep.sum()), 2) + 1))
        y = np.arange(int(keep.sum()))
        ax.barh(y, rel[keep], color=[_COLOR[s] for s in t["status"][keep]])
        ax.axvline(1.0, color="black", lw=1, ls="--")
        ax.set_yticks(y, [str(c) for c in t["check"][keep]])
        ax.invert_yaxis()
        ax.set_xlabel("relative to the limit (> 1: beyond it)")
        ax.set_title(f"{self.title}: {self.verdict}")
        return ax


def _higher_is_better(check: str) -> bool:
    check = str(check)
    if check.startswith("quality."):
        return not check.split("[")[0].split(".")[1].startswith(("mae", "rmse"))
    return check.startswith("consistency.agreement")


def row(check, status, value=np.nan, limit=np.nan, evidence="", test="", p_value=np.nan) -> dict:
    if status not in STATUSES:
        raise ValueError(status)
    return {"check": check, "status": status, "value": value, "limit": limit, "evidence": evidence,
            "test": test, "p_value": p_value}


def make(rows, info=None, title="Release gate") -> GateResult:
    return GateResult(pd.DataFrame(list(rows), columns=COLUMNS), info, title)
