"""The report's 'estimated performance' lines: one per day still waiting for its labels."""
import re

import matplotlib

matplotlib.use("Agg")

import aimon  # noqa: E402
from aimon.report.demo import SECTIONS, Context  # noqa: E402
from aimon.report.estimation_section import estimation_section  # noqa: E402
from aimon.report.html import Report  # noqa: E402


def test_estimation_section_lists_the_days_without_labels():
    assert "estimation" in [name for name, _ in SECTIONS]
    df = aimon.datasets.load_credit_scoring()
    report = Report("t")
    lines = estimation_section(Context(df=df, name="credit_scoring", events=None), report)
    end = df.attrs["reference_end"]
    est = aimon.estimate_performance(df[df.index >= end], reference=df[df.index < end],
                                     metrics=["roc_auc", "accuracy"], freq="1D")
    waiting = est.table[est.table["label_coverage"] < 0.9]
    day_lines = [line for line in lines if line.startswith("Estimated performance")]
    assert len(day_lines) == len(waiting) >= 1
    for line, (when, row) in zip(day_lines, waiting.iterrows()):
        assert f"{when:%Y-%m-%d}" in line and f"roc_auc {row['roc_auc_estimate']:.3f}" in line
    assert "Estimated performance while labels are missing" in report.to_html()
    chat = aimon.datasets.load_chatbot()
    assert estimation_section(Context(df=chat, name="chatbot", events=None), Report("c")) == []
    assert all(not re.search(r"nan", line) for line in day_lines)
