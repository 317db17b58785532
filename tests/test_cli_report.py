"""`aimon report LOG`: the monitoring report of a user's own log, with texts true for it."""
import re
import sys

import numpy as np
import pandas as pd
import pytest

from aimon.cli import main
from aimon.errors import AimonError
from aimon.report.userlog import read_log


@pytest.fixture(scope="module")
def user_log(tmp_path_factory):
    """The stranger's log of issue 11: 5 days, text times, durations in seconds, 'yes'/'no' labels."""
    rng = np.random.default_rng(3)
    n = 3600
    ts = pd.date_range("2026-03-01", periods=n, freq="2min")
    y = rng.random(n) < 0.3
    p = np.clip(np.where(y, 0.7, 0.3) + rng.normal(0, 0.2, n), 0, 1)
    df = pd.DataFrame({"ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "duration": rng.gamma(2, 0.02, n),
                       "http_status": rng.choice([200] * 30 + [500], n), "y_hat": (p > 0.5).astype(int),
                       "y": np.where(y, "yes", "no"), "p": p, "channel": rng.choice(["web", "app"], n)})
    folder = tmp_path_factory.mktemp("log")
    df.to_csv(folder / "log.csv", index=False)
    df.to_json(folder / "log.jsonl", orient="records", lines=True)
    return folder, df


def _run(args, capsys):
    code = main(["report", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_of_a_users_log_is_true_for_it(user_log, tmp_path, capsys):
    folder, df = user_log
    code, out, err = _run([folder / "log.csv", "--latency", "duration", "--latency-unit", "s", "--error",
                           "http_status", "--pos-label", "yes", "--score", "p", "--out", tmp_path], capsys)
    assert code == 0, err
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[^\"]+", "", html)
    p50 = np.percentile(df["duration"] * 1000, 50)
    assert f"Latency p50 {p50:.0f} ms" in out  # seconds converted once, to ms
    assert "aimon report: monitoring log.csv (3,600 rows)" in out
    for wrong in ("bundled", "first week", "labels arrive late", "injected"):
        assert wrong not in text and wrong not in out, wrong
    assert "Every request has its label." in out
    assert "(target: 1.5x the p95 latency of the first 7 days, rounded)" in out
    assert not re.search(r"\de\+\d", text) and not re.search(r"\de[+-]\d", out)
    assert "accuracy" in text and "Dynamic thresholds" in text


def test_report_slo_target_can_be_given_and_jsonl_is_read(user_log, tmp_path, capsys):
    folder, _ = user_log
    code, out, err = _run([folder / "log.jsonl", "--timestamp", "ts", "--latency", "duration", "--latency-unit",
                           "s", "--slo-ms", "250", "--out", tmp_path], capsys)
    assert code == 0, err
    assert "SLO p95 <= 250 ms (target given with --slo-ms)" in out


def test_report_says_which_roles_it_did_not_find(user_log, tmp_path, capsys):
    folder, _ = user_log
    code, out, err = _run([folder / "log.csv", "--out", tmp_path], capsys)
    assert code == 0, err
    assert "latency='duration'" in out and "error='http_status'" in out
    # the encoding mismatch stops the quality section only, and says how to fix it
    assert "Section 'quality' left out" in out and "pos_label" in out


def test_bad_inputs_exit_2_with_a_message(tmp_path, capsys):
    code, _, err = _run([tmp_path / "nope.csv"], capsys)
    assert code == 2 and "no such file" in err
    (tmp_path / "log.xlsx").write_text("x")
    code, _, err = _run([tmp_path / "log.xlsx"], capsys)
    assert code == 2 and ".parquet" in err
    (tmp_path / "t.csv").write_text("when,latency_ms\nsoon,3\nlater,4\n")
    code, _, err = _run([tmp_path / "t.csv", "--timestamp", "when", "--out", tmp_path], capsys)
    assert code == 2 and "could be read as a time" in err


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "log.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    with pytest.raises(AimonError, match=r"pip install pandas-aimon\[parquet\]"):
        read_log(path)


def test_parquet_is_read_when_pyarrow_is_there(user_log, tmp_path):
    pytest.importorskip("pyarrow")
    _, df = user_log
    df.head(50).to_parquet(tmp_path / "log.parquet")
    pd.testing.assert_frame_equal(read_log(tmp_path / "log.parquet"), df.head(50))
