"""aimon.gate / aimon.check: verdicts, calibration, bad input, schema checks and result formats."""
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.errors import AimonError, SchemaError


def _logs(n=3000, acc_p=0.88, acc_c=0.88, seed=0, latency_scale=1.0, scores=False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(int)

    def model(acc):
        return np.where(rng.random(n) < acc, y, 1 - y)

    prod = pd.DataFrame({"request_id": np.arange(n), "label": y, "prediction": model(acc_p),
                         "latency_ms": rng.gamma(4, 30, n), "region": rng.choice(["eu", "us"], n)})
    cand = prod.assign(prediction=model(acc_c), latency_ms=rng.gamma(4, 30, n) * latency_scale)
    if scores:
        prod["score"] = np.clip(0.5 * y + rng.normal(0.25, 0.2, n), 0, 1)
        cand["score"] = np.clip(0.5 * y + rng.normal(0.25, 0.2, n), 0, 1)
    return cand, prod


# ----------------------------------------------------------------------------- verdicts
def test_identical_models_pass_every_check():
    _, prod = _logs(scores=True)
    g = aimon.gate(candidate=prod, production=prod, quality=["accuracy", "precision", "recall", "f1", "auc"],
                   latency_sla_ms=1000)
    assert g.passed and set(g.table["status"]) == {"pass"}
    assert g.info["pairing"].startswith("by request id") and g.info["golden rows"] == len(prod)


def test_worse_candidate_is_blocked_with_evidence_and_the_accessor_agrees():
    cand, prod = _logs(acc_c=0.80)
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", margin=0.01)
    row = g.table.set_index("check").loc["quality.accuracy"]
    assert not g.passed and row["status"] == "fail" and row["p_value"] < 0.05
    assert np.isclose(row["value"], (cand["prediction"] == cand["label"]).mean())
    assert "golden rows" in row["evidence"]
    same = cand.aimon.gate(production=prod, quality="accuracy", margin=0.01)
    pd.testing.assert_frame_equal(same.table, g.table)


def test_rows_are_paired_by_request_id_whatever_their_order():
    cand, prod = _logs(acc_c=0.80)
    shuffled = prod.sample(frac=1.0, random_state=1)
    a = aimon.gate(candidate=cand, production=prod, quality="accuracy", consistency="off")
    b = aimon.gate(candidate=cand, production=shuffled, quality="accuracy", consistency="off")
    pd.testing.assert_frame_equal(a.table.drop(columns="evidence"), b.table.drop(columns="evidence"))
    nid = aimon.gate(candidate=cand.drop(columns="request_id"), production=prod.drop(columns="request_id"),
                     quality="accuracy", consistency="off")
    assert nid.info["pairing"].startswith("by row order")


def test_point_estimate_worse_but_not_significant_is_a_warning():
    cand, prod = _logs(n=200, acc_c=0.85, acc_p=0.88, seed=3)
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", consistency="off")
    r = g.table.iloc[0]
    if r["value"] < r["limit"] and r["p_value"] >= 0.05:
        assert r["status"] == "warn" and g.passed


def test_min_quality_floor_and_error_ceiling():
    cand, prod = _logs()
    acc = (cand["prediction"] == cand["label"]).mean()
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", min_quality=acc + 0.01)
    assert g.table.set_index("check").loc["quality.accuracy_min", "status"] == "fail"
    rng = np.random.default_rng(0)
    y = rng.normal(size=500)
    reg_p = pd.DataFrame({"label": y, "prediction": y + rng.normal(0, 1, 500)})
    reg_c = reg_p.assign(prediction=y + rng.normal(0, 1.5, 500))
    r = aimon.gate(candidate=reg_c, production=reg_p, quality=["mae", "rmse"], min_quality={"mae": 0.1})
    t = r.table.set_index("check")
    assert t.loc["quality.mae", "status"] == t.loc["quality.rmse", "status"] == "fail"
    assert t.loc["quality.mae_max", "status"] == "fail"
    assert np.isclose(t.loc["quality.mae", "value"], np.mean(np.abs(reg_c["prediction"] - y)))


def test_auto_quality_picks_accuracy_and_auc_and_multiclass_accuracy():
    cand, prod = _logs(scores=True)
    checks = aimon.gate(candidate=cand, production=prod).table["check"].tolist()
    assert "quality.accuracy" in checks and "quality.auc" in checks
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], 600)
    mc = pd.DataFrame({"label": y, "prediction": np.where(rng.random(600) < 0.8, y, "a")})
    g = aimon.gate(candidate=mc, production=mc)
    assert g.table["check"].tolist()[0] == "quality.accuracy" and g.passed
    with pytest.raises(AimonError, match="does not apply to a multiclass"):
        aimon.gate(candidate=mc, production=mc, quality="f1")


def test_pos_label_and_score_only_logs():
    rng = np.random.default_rng(2)
    y = rng.choice(["bad", "good"], 800)
    s = np.clip((y == "bad") * 0.4 + rng.random(800) * 0.6, 0, 1)
    prod = pd.DataFrame({"label": y, "score": s})
    g = aimon.gate(candidate=prod, production=prod, quality=["f1", "auc"], pos_label="bad")
    assert g.passed
    assert np.isclose(g.table.set_index("check").loc["quality.f1", "value"],
                      __import__("sklearn.metrics").metrics.f1_score(y == "bad", s >= 0.5))


# ----------------------------------------------------------------------------- item 5: calibration
def _null_or_worse(rng, n, acc_c):
    y = (rng.random(n) < 0.3).astype(int)
    prod = pd.DataFrame({"label": y, "prediction": np.where(rng.random(n) < 0.85, y, 1 - y)})
    return prod.assign(prediction=np.where(rng.random(n) < acc_c, y, 1 - y)), prod


def test_gate_is_calibrated_on_null_pairs_and_blocks_a_three_point_drop():
    rng = np.random.default_rng(2026)
    # 200 pairs of equally accurate models (independent errors: the hardest case), margin 0
    null_blocked = sum(not aimon.gate(candidate=c, production=p, consistency="off").passed
                       for c, p in (_null_or_worse(rng, 1000, 0.85) for _ in range(200)))
    slack = 2 * np.sqrt(0.05 * 0.95 / 200)
    assert null_blocked / 200 <= 0.05 + slack
    # a candidate 3 points less accurate on 5,000 golden rows
    worse_blocked = sum(not aimon.gate(candidate=c, production=p, consistency="off").passed
                        for c, p in (_null_or_worse(rng, 5000, 0.82) for _ in range(100)))
    assert worse_blocked / 100 >= 0.90


# ----------------------------------------------------------------------------- latency, TTFT, cost
def test_latency_sla_ratio_and_segments():
    cand, prod = _logs(latency_scale=1.4)
    cand.loc[cand["region"] == "eu", "latency_ms"] /= 1.4  # only the us segment is slower
    g = aimon.gate(candidate=cand, production=prod, quality=None, consistency="off", latency_sla_ms=150,
                   by="region")
    t = g.table.set_index("check")
    assert t.loc["latency.p95_sla", "status"] == "fail"
    assert np.isclose(t.loc["latency.p95_sla", "value"], cand["latency_ms"].quantile(0.95))
    assert t.loc["latency.ratio[region=us]", "status"] == "fail"
    assert t.loc["latency.ratio[region=eu]", "status"] == "pass"
    assert "requests over 150 ms" in t.loc["latency.p95_sla", "evidence"]


def test_llm_candidate_cheaper_but_slower():
    rng = np.random.default_rng(4)
    n = 2000
    prod = pd.DataFrame({"ttft_ms": rng.gamma(4, 50, n), "latency_ms": rng.gamma(4, 500, n),
                         "cost_usd": rng.gamma(2, 0.002, n)})
    cand = pd.DataFrame({"ttft_ms": rng.gamma(4, 50, n) * 1.5, "latency_ms": rng.gamma(4, 500, n) * 1.5,
                         "cost_usd": rng.gamma(2, 0.002, n) * 0.4})
    g = aimon.gate(candidate=cand, production=prod, ttft_sla_ms=2000)
    t = g.table.set_index("check")
    assert t.loc["ttft.ratio", "status"] == t.loc["latency.ratio", "status"] == "fail"
    assert t.loc["cost.per_request_ratio", "status"] == "pass"
    assert np.isclose(t.loc["cost.per_request_ratio", "value"], cand["cost_usd"].mean() / prod["cost_usd"].mean())
    assert t.loc["ttft.p95_sla", "status"] == "pass"


def test_consistency_is_a_warning_by_default():
    cand, prod = _logs(acc_c=0.88, acc_p=0.88)
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", min_agreement=0.95)
    t = g.table.set_index("check")
    agree = (cand["prediction"] == prod["prediction"]).mean()
    assert np.isclose(t.loc["consistency.agreement", "value"], agree)
    assert t.loc["consistency.agreement", "status"] == "warn" and g.passed
    strict = aimon.gate(candidate=cand, production=prod, quality="accuracy", min_agreement=0.95, consistency="fail")
    assert not strict.passed


# ----------------------------------------------------------------------------- item 7: bad input
def test_different_rows_are_an_error():
    cand, prod = _logs()
    with pytest.raises(AimonError, match="only in the candidate"):
        aimon.gate(candidate=cand, production=prod.iloc[:-5])
    with pytest.raises(AimonError, match="same rows"):
        aimon.gate(candidate=cand.drop(columns="request_id"), production=prod.drop(columns="request_id").iloc[:-5])


def test_no_labels_on_the_golden_set_is_an_error():
    cand, prod = _logs()
    with pytest.raises(AimonError, match="No labels on the golden set"):
        aimon.gate(candidate=cand.assign(label=np.nan), production=prod.assign(label=np.nan), quality="accuracy")
    with pytest.raises(AimonError, match="No labels"):
        aimon.gate(candidate=cand.drop(columns="label"), production=prod.drop(columns="label"), quality="f1")
    auto = aimon.gate(candidate=cand.drop(columns="label"), production=prod.drop(columns="label"))
    assert auto.table.set_index("check").loc["quality", "status"] == "warn"


def test_all_nan_predictions_are_an_error_naming_the_model():
    cand, prod = _logs()
    with pytest.raises(AimonError, match="candidate model's predictions .* all missing"):
        aimon.gate(candidate=cand.assign(prediction=np.nan), production=prod)


def test_unknown_metric_and_bad_options_are_errors():
    cand, prod = _logs()
    with pytest.raises(AimonError, match="not a metric the gate knows"):
        aimon.gate(candidate=cand, production=prod, quality="bleu")
    for kw in ({"alpha": 1.5}, {"margin": -0.1}, {"drift": "maybe"}, {"n_boot": 10}, {"latency_sla_ms": -3},
               {"min_quality": {"bleu": 1}}):
        with pytest.raises(AimonError):
            aimon.gate(candidate=cand, production=prod, **kw)
    with pytest.raises(SchemaError):
        aimon.gate(candidate=[1, 2], production=prod)
    with pytest.raises(SchemaError, match="latency"):
        aimon.gate(candidate=cand.drop(columns="latency_ms"), latency_sla_ms=100)
    with pytest.raises(AimonError, match="disagree on the label"):
        aimon.gate(candidate=cand, production=prod.assign(label=1 - prod["label"]))
    with pytest.raises(AimonError, match="schema="):
        aimon.gate(candidate=cand, production=prod, data=cand)


def test_inputs_are_not_mutated():
    cand, prod = _logs(scores=True)
    before = cand.copy(), prod.copy()
    aimon.gate(candidate=cand, production=prod, schema=prod.drop(columns=["label", "prediction"]), by="region")
    pd.testing.assert_frame_equal(cand, before[0])
    pd.testing.assert_frame_equal(prod, before[1])


# ----------------------------------------------------------------------------- schema
@pytest.fixture(scope="module")
def reference():
    rng = np.random.default_rng(0)
    n = 3000
    return pd.DataFrame({"income": rng.gamma(5, 10, n), "age": rng.integers(18, 80, n),
                         "channel": pd.Categorical(rng.choice(["web", "app"], n)),
                         "note": np.where(rng.random(n) < 0.02, None, "x")})


def test_profile_json_carries_the_schema(reference, tmp_path):
    prof = aimon.profile(reference)
    meta = json.loads(prof.to_json())
    cols = {c["name"]: c for c in meta["columns"]}
    assert cols["income"]["range"] == [reference["income"].min(), reference["income"].max()]
    assert cols["age"]["dtype"] == "int64" and cols["channel"]["kind"] == "categorical"
    assert sorted(cols["channel"]["categories"]) == ["app", "web"]
    assert np.isclose(cols["note"]["missing_share"], reference["note"].isna().mean())
    for c in meta["columns"]:  # a profile saved without values still knows the range
        c["values"] = None
    back = aimon.Profile.from_json(json.dumps(meta))
    assert back["income"].value_range == (reference["income"].min(), reference["income"].max())


def test_check_clean_batch_passes(reference):
    g = reference.iloc[:500].aimon.check(aimon.profile(reference))
    assert g.passed, g.summary()


def test_check_finds_each_schema_problem_naming_column_and_rows(reference, tmp_path):
    path = tmp_path / "ref.json"
    aimon.profile(reference).to_json(path)
    batch = reference.iloc[:1000].copy()
    batch = batch.drop(columns="age").assign(extra=1)
    batch["income"] = batch["income"].to_numpy()
    batch.loc[batch.index[:50], "income"] = 1e6                      # 5% out of range
    batch["channel"] = batch["channel"].astype(str)
    batch.loc[batch.index[:30], "channel"] = "kiosk"                 # unseen category, 3%
    batch.loc[batch.index[100:300], "note"] = None                   # missing share 2% -> ~20%
    g = aimon.check(batch, str(path), drift="off")
    t = g.table.set_index("check")
    assert not g.passed
    assert t.loc["schema.columns", "status"] == "fail" and "'age'" in t.loc["schema.columns", "evidence"]
    assert t.loc["schema.extra_columns", "status"] == "warn"
    assert "50 of 1,000 rows" in t.loc["schema.range[income]", "evidence"]
    assert "30 of 1,000 rows" in t.loc["schema.categories[channel]", "evidence"]
    assert "'kiosk'" in t.loc["schema.categories[channel]", "evidence"]
    assert t.loc["schema.missing[note]", "status"] == "fail"
    wrong = reference.iloc[:100].assign(income="high")
    w = aimon.check(wrong, aimon.profile(reference), drift="off").table.set_index("check")
    assert w.loc["schema.dtype[income]", "status"] == "fail" and "100 rows" in w.loc["schema.dtype[income]", "evidence"]


def test_check_reports_calibrated_drift(reference):
    shifted = reference.iloc[:800].assign(income=lambda d: d["income"] * 1.5)
    g = aimon.check(shifted, reference, range_tolerance=1.0)
    t = g.table.set_index("check")
    assert t.loc["data.drift[income]", "status"] == "fail"
    assert aimon.check(shifted, reference, range_tolerance=1.0, drift="warn").passed


def test_check_bad_inputs(reference, tmp_path):
    with pytest.raises(AimonError, match="no such file"):
        aimon.check(reference, str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(AimonError, match="not a readable aimon profile"):
        aimon.check(reference, str(bad))
    with pytest.raises(AimonError, match="no rows"):
        aimon.check(reference.iloc[:0], reference)
    with pytest.raises(AimonError, match="max_share"):
        aimon.check(reference, reference, max_share=2)


def test_gate_with_schema_and_data(reference):
    cand, prod = _logs(n=1000)
    batch = reference.iloc[:300].drop(columns="age")
    g = aimon.gate(candidate=cand, production=prod, schema=aimon.profile(reference), data=batch)
    assert not g.passed and g.failed["check"].tolist() == ["schema.columns"]
    assert g.info["data rows"] == 300


# ----------------------------------------------------------------------------- result formats
def test_result_formats_agree_and_escape_names():
    cand, prod = _logs(acc_c=0.8)
    prof = aimon.profile(pd.DataFrame({"<b>x</b>": np.arange(100.0)}))
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", schema=prof,
                   data=pd.DataFrame({"<b>x</b>": np.arange(100.0) + 1000}), drift="off")
    doc = json.loads(g.to_json())
    assert doc["passed"] is False and len(doc["checks"]) == len(g.table)
    assert [c["status"] for c in doc["checks"]] == g.table["status"].tolist()
    suite = ET.fromstring(g.to_junit_xml()).find("testsuite")
    assert int(suite.get("failures")) == len(g.failed) == len(suite.findall("testcase/failure"))
    assert len(suite.findall("testcase")) == len(g.table)
    md = g.to_markdown()
    assert md.startswith("**Release gate: ❌ BLOCKED") and md.count("\n| ") == len(g.table) + 1
    html = g._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert html.index("BLOCKED") < html.index("<table>")
    assert not bool(g) and "BLOCKED" in repr(g)


def test_result_writes_files_and_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    cand, prod = _logs()
    g = aimon.gate(candidate=cand, production=prod, latency_sla_ms=300)
    g.to_json(tmp_path / "g.json")
    g.to_junit_xml(tmp_path / "g.xml")
    g.to_markdown(tmp_path / "g.md")
    assert json.loads((tmp_path / "g.json").read_text()) == json.loads(g.to_json())
    assert (tmp_path / "g.xml").read_text() == g.to_junit_xml()
    ax = g.plot()
    assert len(ax.patches) == int(np.isfinite(pd.to_numeric(g.table["value"]) / pd.to_numeric(g.table["limit"])).sum())
    widths = {lab.get_text(): p.get_width() for lab, p in zip(ax.get_yticklabels(), ax.patches)}
    t = g.table.set_index("check")
    assert np.isclose(widths["quality.accuracy"], t.loc["quality.accuracy", "limit"] / t.loc["quality.accuracy", "value"])
    assert np.isclose(widths["latency.ratio"], t.loc["latency.ratio", "value"] / t.loc["latency.ratio", "limit"])


def test_rows_with_a_missing_prediction_or_label_are_left_out_and_counted():
    cand, prod = _logs(n=1000, acc_c=0.85)
    cand.loc[:29, "prediction"] = np.nan
    prod.loc[500:519, "label"] = np.nan  # not golden (no label in either log)
    cand.loc[500:519, "label"] = np.nan
    g = aimon.gate(candidate=cand, production=prod, quality="accuracy", consistency="off")
    row = g.table.iloc[0]
    assert g.info["golden rows"] == 980
    assert "950 golden rows, 30 left out" in row["evidence"]
    keep = cand["prediction"].notna() & prod["label"].notna()
    assert np.isclose(row["value"], (cand.loc[keep, "prediction"] == prod.loc[keep, "label"]).mean())
    # tiny and unequal inputs: two golden rows still give an answer, not a crash
    tiny = aimon.gate(candidate=cand.iloc[40:42], production=prod.iloc[40:42], quality="accuracy", consistency="off")
    assert tiny.table.iloc[0]["status"] in ("pass", "warn", "fail")


def test_strict_mode_needs_proof_of_non_inferiority():
    cand, prod = _logs(n=3000)
    same = aimon.gate(candidate=prod, production=prod, quality="accuracy", consistency="off", strict=True)
    assert not same.passed  # margin 0: "not worse" can never be proven
    proven = aimon.gate(candidate=prod, production=prod, quality="accuracy", margin=0.02, consistency="off",
                        strict=True)
    assert proven.passed and proven.table.iloc[0]["p_value"] < 0.05
    small = aimon.gate(candidate=cand.iloc[:100], production=prod.iloc[:100], quality="accuracy", margin=0.02,
                       consistency="off", strict=True)
    assert not small.passed  # 100 rows cannot prove a 2-point margin
    fast = aimon.gate(candidate=cand, quality=None, latency_sla_ms=400, strict=True)
    assert fast.passed and fast.table.iloc[0]["p_value"] < 0.05
    near = aimon.gate(candidate=cand, quality=None, latency_sla_ms=cand["latency_ms"].quantile(0.95) * 1.01,
                      strict=True)
    assert not near.passed


def test_latency_only_gate_needs_no_paired_rows():
    cand, prod = _logs(n=1500)
    g = aimon.gate(candidate=cand.iloc[:1000], production=prod.iloc[500:], quality=None, consistency="off")
    assert g.table["check"].tolist() == ["latency.ratio"] and "pairing" not in g.info


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.integers(0, 10_000), st.integers(2, 60), st.floats(0, 0.5), st.booleans())
@settings(max_examples=40, deadline=None)
def test_random_logs_with_nan_and_ties_give_an_answer_or_a_clear_error(seed, n, nan_share, ties):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(float)
    y[rng.random(n) < nan_share] = np.nan
    pc = rng.integers(0, 2, n).astype(float)
    pc[rng.random(n) < nan_share] = np.nan
    pp = rng.integers(0, 2, n).astype(float)
    lat = np.round(rng.gamma(2, 50, n), 0 if ties else 3)
    lat[rng.random(n) < nan_share] = np.nan
    prod = pd.DataFrame({"label": y, "prediction": pp, "latency_ms": lat})
    cand = pd.DataFrame({"label": y, "prediction": pc, "latency_ms": lat[::-1].copy()})
    try:
        g = aimon.gate(candidate=cand, production=prod, quality="accuracy", latency_sla_ms=100, n_boot=100)
    except AimonError as exc:
        assert str(exc)
        return
    row = g.table.set_index("check").loc["quality.accuracy"]
    keep = ~np.isnan(y) & ~np.isnan(pc)
    assert np.isclose(row["value"], np.mean(pc[keep] == y[keep]))
    assert set(g.table["status"]) <= {"pass", "warn", "fail"}
    sla = g.table.set_index("check").loc["latency.p95_sla"]
    assert np.isclose(sla["value"], np.nanquantile(lat[::-1], 0.95))


def test_a_segment_without_latency_is_a_warning_not_a_crash():
    cand, prod = _logs(n=600)
    cand.loc[cand["region"] == "eu", "latency_ms"] = np.nan
    g = aimon.gate(candidate=cand, production=prod, quality=None, consistency="off", by="region")
    t = g.table.set_index("check")
    assert t.loc["latency[region=eu]", "status"] == "warn" and "no usable value" in t.loc["latency[region=eu]", "evidence"]
    assert t.loc["latency.ratio", "evidence"].endswith(f"{int((cand['region'] == 'eu').sum()):,} rows without a value left out")
