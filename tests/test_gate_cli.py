"""`aimon gate gate.toml ...` and `aimon check batch --profile ref.json`: exit codes 0/1/2, and files
that are exactly what the Python call writes."""
import json

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.cli import main
from aimon.errors import AimonError
from aimon.gating import config

GATE_TOML = """
alpha = 0.05
seed = 0
[quality]
metrics = ["accuracy", "f1"]
margin = 0.01
[latency]
sla_ms = 400
max_ratio = 1.10
[schema]
profile = "ref.json"
drift = "warn"
[consistency]
level = "warn"
"""


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(0)
    n = 2000
    y = (rng.random(n) < 0.4).astype(int)
    prod = pd.DataFrame({"request_id": np.arange(n), "label": y,
                         "prediction": np.where(rng.random(n) < 0.88, y, 1 - y),
                         "latency_ms": rng.gamma(4, 30, n), "income": rng.gamma(5, 10, n),
                         "channel": rng.choice(["web", "app"], n)})
    good = prod.assign(prediction=np.where(rng.random(n) < 0.9, y, 1 - y))
    bad = prod.assign(prediction=np.where(rng.random(n) < 0.8, y, 1 - y))
    aimon.profile(prod[["income", "channel"]]).to_json(tmp_path / "ref.json")
    prod.to_csv(tmp_path / "prod.csv", index=False)
    good.to_csv(tmp_path / "good.csv", index=False)
    bad.to_csv(tmp_path / "bad.csv", index=False)
    prod.iloc[:500][["income", "channel"]].to_csv(tmp_path / "batch.csv", index=False)
    prod.iloc[:500][["income"]].to_csv(tmp_path / "broken.csv", index=False)
    (tmp_path / "gate.toml").write_text(GATE_TOML)
    return tmp_path


def _run(files, *args):
    return main(["gate", str(files / "gate.toml"), "--production", str(files / "prod.csv"), "--quiet", *args])


def test_gate_exit_codes_and_files_match_the_python_call(files):
    assert _run(files, "--candidate", str(files / "good.csv"), "--data", str(files / "batch.csv")) == 0
    out = [f"--json={files / 'g.json'}", f"--junit={files / 'g.xml'}", f"--markdown={files / 'g.md'}"]
    assert _run(files, "--candidate", str(files / "bad.csv"), *out) == 1
    kwargs, _ = config.load(files / "gate.toml")
    py = aimon.gate(candidate=pd.read_csv(files / "bad.csv"), production=pd.read_csv(files / "prod.csv"), **kwargs)
    assert (files / "g.json").read_text() == py.to_json()
    assert (files / "g.xml").read_text() == py.to_junit_xml()
    assert (files / "g.md").read_text() == py.to_markdown()
    assert json.loads((files / "g.json").read_text())["passed"] is False


def test_gate_blocks_a_broken_batch(files, capsys):
    code = main(["gate", str(files / "gate.toml"), "--candidate", str(files / "good.csv"),
                 "--production", str(files / "prod.csv"), "--data", str(files / "broken.csv")])
    assert code == 1
    assert "schema.columns" in capsys.readouterr().out


@pytest.mark.parametrize("toml,match", [
    ("[quality]\nmetrics = ['bleu']\n", "not a metric the gate knows"),
    ("[quality]\nmetric = 'f1'\n", "unknown key 'metric' in \\[quality\\]"),
    ("[qualty]\nmetrics = 'f1'\n", "unknown section \\[qualty\\]"),
    ("sla = 3\n", "unknown key 'sla' at the top level"),
    ("[latency\n", "not valid TOML"),
    ("[latency]\nsla_ms = 'fast'\n", "latency_sla_ms"),
])
def test_bad_config_exits_2_with_the_reason(files, capsys, toml, match):
    (files / "gate.toml").write_text(toml)
    assert _run(files, "--candidate", str(files / "good.csv")) == 2
    err = capsys.readouterr().err
    assert err.startswith("aimon gate: ")
    import re

    assert re.search(match, err), err


def test_bad_inputs_exit_2(files, capsys):
    prod = pd.read_csv(files / "prod.csv")
    prod.iloc[:-10].to_csv(files / "short.csv", index=False)
    prod.assign(label=np.nan).to_csv(files / "nolabel.csv", index=False)
    prod.assign(prediction=np.nan).to_csv(files / "nanpred.csv", index=False)
    (files / "gate.toml").write_text("[quality]\nmetrics = 'accuracy'\n")
    assert _run(files, "--candidate", str(files / "short.csv")) == 2
    assert "only in production" in capsys.readouterr().err
    assert main(["gate", str(files / "gate.toml"), "--candidate", str(files / "nolabel.csv"), "--production",
                 str(files / "nolabel.csv")]) == 2
    assert "No labels on the golden set" in capsys.readouterr().err
    assert _run(files, "--candidate", str(files / "nanpred.csv")) == 2
    assert "all missing" in capsys.readouterr().err
    assert _run(files, "--candidate", str(files / "missing.csv")) == 2
    assert "no such file" in capsys.readouterr().err
    assert _run(files, "--candidate", str(files / "gate.toml")) == 2
    assert main(["gate", str(files / "nope.toml"), "--candidate", str(files / "good.csv")]) == 2


def test_inputs_section_paths_are_relative_to_the_file(files):
    (files / "gate.toml").write_text('[inputs]\ncandidate = "good.csv"\nproduction = "prod.csv"\n'
                                     '[quality]\nmetrics = "accuracy"\n')
    assert main(["gate", str(files / "gate.toml"), "--quiet"]) == 0


def test_check_command(files, capsys):
    ref = str(files / "ref.json")
    assert main(["check", str(files / "batch.csv"), "--profile", ref]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert main(["check", str(files / "broken.csv"), "--profile", ref, "--junit", str(files / "c.xml")]) == 1
    assert "channel" in capsys.readouterr().out and "<failure" in (files / "c.xml").read_text()
    assert main(["check", str(files / "batch.csv"), "--profile", str(files / "none.json")]) == 2


def test_config_parse_maps_every_key():
    kwargs, inputs = config.parse("""
alpha = 0.01
n_boot = 500
[inputs]
candidate = "/abs/c.csv"
[quality]
metrics = ["f1"]
margin = 0.02
min = {f1 = 0.6}
[latency]
sla_ms = 250
max_ratio = false
by = "region"
[schema]
profile = "/abs/ref.json"
[consistency]
level = "off"
[roles]
latency = "t_ms"
""")
    assert kwargs == {"alpha": 0.01, "n_boot": 500, "quality": ["f1"], "margin": 0.02, "min_quality": {"f1": 0.6},
                      "latency_sla_ms": 250, "max_latency_ratio": None, "by": "region", "schema": "/abs/ref.json",
                      "consistency": "off", "latency": "t_ms"}
    assert inputs == {"candidate": "/abs/c.csv"}
    with pytest.raises(AimonError):
        config.parse("[inputs]\ncandidate = 3\n")


def test_documented_gate_toml_parses_and_the_ci_example_uploads_junit():
    from pathlib import Path
    import re

    docs = Path(__file__).resolve().parents[1] / "docs"
    block = re.search(r"```toml\n(.*?)```", (docs / "gate.md").read_text(), re.S).group(1)
    kwargs, inputs = config.parse(block)
    assert set(inputs) == {"candidate", "production", "data"} and kwargs["quality"] == ["f1", "auc"]
    wf = (docs / "examples" / "aimon-gate.yml").read_text()
    assert "aimon gate " in wf and "--junit gate-report.xml" in wf
    assert "actions/upload-artifact" in wf and "gate-report.xml" in wf.split("upload-artifact")[1]
    try:
        import yaml
    except ImportError:
        return
    steps = yaml.safe_load(wf)["jobs"]["gate"]["steps"]
    assert any("aimon gate" in s.get("run", "") for s in steps)


def test_python_dash_m_aimon_returns_the_exit_code(files):
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    (files / "gate.toml").write_text("[quality]\nmetrics = 'accuracy'\n")
    out = subprocess.run([sys.executable, "-m", "aimon", "gate", str(files / "gate.toml"), "--candidate",
                          str(files / "bad.csv"), "--production", str(files / "prod.csv")],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 1 and "BLOCKED" in out.stdout
