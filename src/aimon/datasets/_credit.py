"""Scenario "credit_scoring": a tabular binary classifier scoring loan applications.

Story: an online lender (business hours in New York) scores each application for the
probability of early default. The ground truth arrives hours to days later. The label is drawn
from a *true* logistic model of the features; the deployed model is a slightly mis-specified
estimate of it, so its AUC is realistic (about 0.85) rather than perfect.
"""
from __future__ import annotations

import numpy as np

from ._arrivals import Seasonality
from ._common import (NAT, NS_PER_MINUTE, categorical, draw_codes, load_factor, pareto_tail,
                      redraw_codes, round_dec, round_step, sigmoid, total_variation)
from ._events import EventSpec, of_kind, progress, rows_before, rows_in

SEASON = Seasonality("America/New_York", night=0.10, opens=8.0, closes=19.0, evening=0.35,
                     weekend=0.45)

MODEL_VERSIONS = ("gbm-2026.02", "gbm-2026.03")
EMPLOYMENT = ("salaried", "self_employed", "contract", "unemployed", "retired")
EMPLOYMENT_P = (0.58, 0.13, 0.12, 0.07, 0.10)
REGION = ("northeast", "midwest", "south", "west")
REGION_P = (0.18, 0.21, 0.38, 0.23)
CHANNEL = ("web", "mobile", "branch", "partner")
CHANNEL_P = (0.42, 0.33, 0.15, 0.10)
CHANNEL_CAMPAIGN_P = (0.30, 0.25, 0.10, 0.35)

BASE_MISSING = 0.01          # share of applications without a stated income, always
ROLLOUT_RAMP = 0.4           # the rollout reaches its final share after 40% of its window

# Logistic models over standardised features: (intercept, debt, income, loan, age, history,
# accounts) + per-category effects (employment, channel, region).
TRUE = dict(b=(-1.50, 1.25, -0.85, 0.60, -0.30, -0.45, 0.25),
            employment=(0.0, 0.30, 0.45, 1.10, -0.10), channel=(0.0, 0.15, -0.30, 0.60),
            region=(0.0, 0.10, 0.15, -0.05))
DRIFTED = dict(b=(-1.50, -0.40, 0.45, -0.30, 0.70, 0.25, 1.30),
               employment=(0.0, -0.40, 0.10, 0.20, 0.80), channel=(0.0, 0.70, 0.30, -0.60),
               region=(0.50, -0.30, 0.0, 0.20))
DEPLOYED = (  # gbm-2026.02, then the retrained gbm-2026.03 (a little closer to the truth)
    dict(b=(-1.40, 1.10, -0.75, 0.50, -0.25, -0.40, 0.30),
         employment=(0.0, 0.25, 0.40, 0.90, 0.0), channel=(0.0, 0.10, -0.20, 0.50),
         region=(0.0, 0.0, 0.0, 0.0)),
    dict(b=(-1.45, 1.20, -0.80, 0.55, -0.28, -0.42, 0.27),
         employment=(0.0, 0.28, 0.42, 1.00, -0.05), channel=(0.0, 0.12, -0.25, 0.55),
         region=(0.0, 0.05, 0.10, 0.0)),
)

EVENTS = (
    EventSpec("latency_spike", (0.02, 0.06), 45, "latency_ms", 4.0,
              "Credit-bureau lookups slow down: latency x4 for {duration}.", at_peak=True),
    EventSpec("error_burst", (0.07, 0.10), 20, "status_code", 0.35,
              "Feature-store node restarts: 35% of requests fail with HTTP 500/503 for "
              "{duration}.", at_peak=True),
    EventSpec("covariate_shift", (0.12, 0.32), 4 * 1440, "debt_ratio,loan_amount", 0.75,
              "Large-loan promotion: debt_ratio and loan_amount means up by 0.75 reference sd "
              "for {duration}."),
    EventSpec("latency_spike", (0.34, 0.37), 30, "latency_ms", 5.0,
              "Garbage-collection storm on the scoring pods: latency x5 for {duration}.",
              at_peak=True),
    EventSpec("missing_surge", (0.38, 0.42), 6 * 60, "income", 0.30,
              "Web-form release drops the income field: 30% of rows miss income for {duration}.",
              at_peak=True),
    EventSpec("category_mix_change", (0.43, 0.58), 3 * 1440, "channel",
              round(total_variation(CHANNEL_P, CHANNEL_CAMPAIGN_P), 4),
              "Partner campaign: the 'partner' channel share rises from 10% to 35% for {duration}."),
    EventSpec("rollout", (0.45, 1.0), None, "model_version", 0.7,
              "gbm-2026.03 is rolled out: its traffic share grows linearly to 70%, then stays."),
    EventSpec("error_burst", (0.60, 0.62), 25, "status_code", 0.25,
              "Database failover: 25% of requests fail with HTTP 500/503 for {duration}.",
              at_peak=True),
    EventSpec("latency_degradation", (0.63, 0.72), 36 * 60, "latency_ms", 2.5,
              "Memory leak: latency grows steadily to x2.5 over {duration}, then a restart fixes it."),
    EventSpec("concept_drift", (0.76, 1.0), None, "label", 0.4,
              "Economic shock: default risk follows a different relation to the features "
              "(40% of the true logit replaced) until the end of the log; inputs unchanged."),
)


def _features(rng, n):
    employment = draw_codes(rng, n, EMPLOYMENT_P)
    region = draw_codes(rng, n, REGION_P)
    channel = draw_codes(rng, n, CHANNEL_P)
    retired = employment == EMPLOYMENT.index("retired")
    z_age = rng.standard_normal(n)
    age = np.where(retired, np.clip(67.0 + 6.0 * z_age, 55, 90), np.clip(40.0 + 11.0 * z_age, 18, 75))
    age = np.rint(age).astype(np.int64)
    log_income = (10.75 + np.array([0.0, 0.05, -0.10, -0.90, -0.25])[employment]
                  + 0.012 * (np.minimum(age, 60) - 40) + rng.normal(0.0, 0.45, n))
    history = np.floor(rng.random(n) ** 0.6 * (age - 18) * 12).astype(np.int64)
    accounts = rng.poisson(1.0 + history / 60.0).astype(np.int64)
    return {
        "income": round_step(np.exp(log_income), 100),
        "debt_ratio": round_dec(rng.beta(2.2, 4.5, n), 3),
        "age": age,
        "credit_history_months": history,
        "num_open_accounts": accounts,
        "loan_amount": round_step(np.exp(9.1 + 0.55 * (log_income - 10.75)
                                          + rng.normal(0.0, 0.6, n)), 100),
        "payload_kb": round_dec(1.2 + 0.6 * accounts + rng.gamma(2.0, 0.8, n), 2),
        "employment_type": employment,
        "region": region,
        "channel": channel,
    }


def _design(f):
    """Standardised numeric inputs of the logistic models (6 x n, in the order of ``b[1:]``)."""
    x = np.empty((6, f["age"].size))
    np.log(f["income"], out=x[1])
    np.log(f["loan_amount"], out=x[2])
    x[0], x[1], x[2] = (f["debt_ratio"] - 0.33) / 0.17, (x[1] - 10.75) / 0.5, (x[2] - 9.1) / 0.65
    x[3] = (f["age"] - 42) / 13.0
    x[4] = (f["credit_history_months"] - 180) / 125.0
    x[5] = (f["num_open_accounts"] - 4.0) / 2.8
    return x


def _category_key(f):
    """One code per (employment, channel, region) combination, for a single table lookup."""
    key = f["employment_type"].astype(np.int16) * len(CHANNEL) + f["channel"]
    return key * len(REGION) + f["region"]


def _logit(x, key, model, rows=slice(None)):
    """Logit of default under ``model`` for ``rows``, from the design ``x`` and category key."""
    effects = (np.asarray(model["employment"])[:, None, None]
               + np.asarray(model["channel"])[None, :, None]
               + np.asarray(model["region"])[None, None, :]).ravel()
    z = np.asarray(model["b"][1:], dtype=float) @ x[:, rows]
    z += model["b"][0]
    z += effects[key[rows]]
    return z


def _reference_sd(x, ref):
    values = x[ref] if ref.stop - ref.start >= 2 else x
    return float(np.nanstd(values)) if values.size >= 2 else 0.0


def generate(rng, ts_ns, load, events, reference_end_ns, period_end_ns):
    """All columns of the credit-scoring log (a dict in display order) for sorted ``ts_ns``."""
    n = ts_ns.size
    f = _features(rng, n)
    ref = rows_before(ts_ns, reference_end_ns)

    # Input drift: covariate shift and a change of the channel mix.
    for ev in of_kind(events, "covariate_shift"):
        sl = rows_in(ts_ns, ev)
        for col in ev.spec.columns.split(","):
            shifted = f[col][sl] + ev.spec.magnitude * _reference_sd(f[col], ref)
            f[col][sl] = round_dec(shifted, 3) if col == "debt_ratio" else round_step(shifted, 100)
    for ev in of_kind(events, "category_mix_change"):
        redraw_codes(rng, f["channel"], rows_in(ts_ns, ev), CHANNEL_CAMPAIGN_P)

    # Ground truth from the true model; the relation changes after a concept drift.
    x, key = _design(f), _category_key(f)
    z_true = _logit(x, key, TRUE)
    for ev in of_kind(events, "concept_drift"):
        sl = rows_in(ts_ns, ev)
        m = ev.spec.magnitude
        z_true[sl] = (1.0 - m) * z_true[sl] + m * _logit(x, key, DRIFTED, sl)
    y = (rng.random(n) < sigmoid(z_true)).astype(float)
    # Labels arrive hours to days later (median ~18 h), loaded by a job that runs every minute.
    delay_ns = ((np.exp(rng.normal(np.log(18.0), 0.8, n)) + 0.5) * 3600e9).astype(np.int64)
    label_ns = -(-(ts_ns + delay_ns) // NS_PER_MINUTE) * NS_PER_MINUTE
    never = rng.random(n) < 0.02
    known = ~never & (label_ns <= period_end_ns)

    # Missing values (after the truth is drawn: the applicant's income still matters).
    income = f["income"]
    income[rng.random(n) < BASE_MISSING] = np.nan
    for ev in of_kind(events, "missing_surge"):
        sl = rows_in(ts_ns, ev)
        income[sl] = np.where(rng.random(sl.stop - sl.start) < ev.spec.magnitude, np.nan, income[sl])
    x[1, np.isnan(income)] = 0.0  # the model imputes the median income

    # Which model answers, and its score.
    version = np.zeros(n, dtype=np.int8)
    z_model = _logit(x, key, DEPLOYED[0])
    for ev in of_kind(events, "rollout"):
        sl = rows_in(ts_ns, ev)
        share = ev.spec.magnitude * np.clip(progress(ts_ns, sl, ev) / ROLLOUT_RAMP, 0.0, 1.0)
        version[sl] = (rng.random(sl.stop - sl.start) < share).astype(np.int8)
        z_model[sl] = np.where(version[sl] == 1, _logit(x, key, DEPLOYED[1], sl), z_model[sl])
    score = round_dec(sigmoid(z_model), 4)

    # Operations: latency grows with payload size and load; a heavy tail; incidents.
    latency = (30.0 * (f["payload_kb"] / 4.0) ** 0.6 * load_factor(load, 0.12)
               * np.exp(rng.normal(0.0, 0.28, n)) * pareto_tail(rng, n, 0.012, 1.8, 2.0))
    for ev in of_kind(events, "latency_spike"):
        latency[rows_in(ts_ns, ev)] *= ev.spec.magnitude
    for ev in of_kind(events, "latency_degradation"):
        sl = rows_in(ts_ns, ev)
        latency[sl] *= 1.0 + (ev.spec.magnitude - 1.0) * progress(ts_ns, sl, ev)
    p_error = 0.0015 + 0.001 * load
    share_500 = np.full(n, 0.7)
    for ev in of_kind(events, "error_burst"):
        sl = rows_in(ts_ns, ev)
        p_error[sl], share_500[sl] = ev.spec.magnitude, 0.3
    failed = rng.random(n) < p_error
    status = np.where(failed, np.where(rng.random(n) < share_500, 500, 503), 200).astype(np.int64)

    return {
        "request_id": np.arange(1, n + 1, dtype=np.int64),
        "model_version": categorical(version, MODEL_VERSIONS),
        "latency_ms": round_dec(np.clip(latency, 1.0, 30_000.0), 1),
        "status_code": status,
        "income": income,
        "debt_ratio": f["debt_ratio"],
        "age": f["age"],
        "credit_history_months": f["credit_history_months"],
        "num_open_accounts": f["num_open_accounts"],
        "loan_amount": f["loan_amount"],
        "payload_kb": f["payload_kb"],
        "employment_type": categorical(f["employment_type"], EMPLOYMENT),
        "region": categorical(f["region"], REGION),
        "channel": categorical(f["channel"], CHANNEL),
        "score": score,
        "prediction": (score >= 0.5).astype(np.int64),
        "label": np.where(known, y, np.nan),
        "label_time": np.where(known, label_ns, NAT),
    }
