"""Scenario "chatbot": an LLM customer-support assistant (business hours in Berlin).

Story: a router sends each conversation turn to a large or a small model (technical questions
go to the large one more often). Latency is time to first token plus decoding time, which grows
with the number of output tokens. A reference evaluation grades ~5% of the answers for
hallucination; a few users leave thumbs up/down, more often down after a hallucination, a
hand-off to a human (``fallback``) or an error.
"""
from __future__ import annotations

import numpy as np

from ._arrivals import Seasonality
from ._common import (categorical, draw_codes, load_factor, pareto_tail, redraw_codes, round_dec,
                      sigmoid, total_variation)
from ._events import EventSpec, of_kind, progress, rows_in

SEASON = Seasonality("Europe/Berlin", night=0.12, opens=8.0, closes=18.5, evening=0.4,
                     weekend=0.6)

MODEL_VERSIONS = ("sage-large-1", "sage-mini-1", "sage-mini-2")
PRICE_PER_MTOK = ((2.50, 10.00), (0.15, 0.60), (0.12, 0.50))   # USD per 1M (input, output)
TTFT_MS = (420.0, 180.0, 160.0)                                  # median time to first token
MS_PER_TOKEN = (28.0, 11.0, 10.0)                                # decoding speed
HALLUCINATION_LOGIT = (-3.3, -2.5, -2.6)                         # at a confidence of 0.8

TOPIC = ("billing", "technical", "account", "shipping", "returns", "other")
TOPIC_P = (0.22, 0.20, 0.15, 0.18, 0.12, 0.13)
TOPIC_OUTAGE_P = (0.15, 0.45, 0.12, 0.12, 0.08, 0.08)
LARGE_SHARE = (0.25, 0.60, 0.30, 0.15, 0.15, 0.30)               # routed to the large model
OUTPUT_EFFECT = (0.0, 0.30, -0.10, -0.20, -0.10, 0.10)           # log output tokens
CONFIDENCE_EFFECT = (0.20, -0.60, 0.10, 0.30, 0.20, -0.40)
FALLBACK_EFFECT = (0.40, 0.20, 0.80, 0.0, 0.30, 0.10)
LANGUAGE = ("de", "en", "fr", "it", "es", "nl")
LANGUAGE_P = (0.38, 0.30, 0.12, 0.08, 0.07, 0.05)
FEEDBACK = ("up", "down")

EVAL_SHARE = 0.05            # share of answers graded by the reference evaluation
ROLLOUT_RAMP = 0.4           # the rollout reaches its final share after 40% of its window

EVENTS = (
    EventSpec("latency_spike", (0.03, 0.08), 40, "latency_ms,ttft_ms", 3.5,
              "GPU pool saturated: time to first token and latency x3.5 for {duration}.",
              at_peak=True),
    EventSpec("error_burst", (0.10, 0.14), 20, "error", 0.30,
              "Provider rate limiting: 30% of requests fail for {duration}.", at_peak=True),
    EventSpec("category_mix_change", (0.16, 0.36), 36 * 60, "topic",
              round(total_variation(TOPIC_P, TOPIC_OUTAGE_P), 4),
              "App outage: 'technical' questions rise from 20% to 45% of traffic for {duration}."),
    EventSpec("latency_spike", (0.38, 0.42), 30, "latency_ms,ttft_ms", 4.0,
              "Inference node failover: time to first token and latency x4 for {duration}.",
              at_peak=True),
    EventSpec("rollout", (0.40, 1.0), None, "model_version", 0.8,
              "sage-mini-2 replaces sage-mini-1: its share of the small-model traffic grows "
              "linearly to 80%, then stays."),
    EventSpec("hallucination_increase", (0.45, 0.70), 36 * 60, "hallucination,feedback", 3.0,
              "Stale retrieval index for sage-large-1: its hallucination rate x3 for {duration}."),
    EventSpec("latency_degradation", (0.72, 0.86), 20 * 60, "latency_ms,ttft_ms", 2.0,
              "KV-cache leak: latency grows steadily to x2 over {duration}, then a restart fixes it."),
    EventSpec("error_burst", (0.88, 0.93), 25, "error", 0.25,
              "Upstream API outage: 25% of requests fail for {duration}.", at_peak=True),
)


def generate(rng, ts_ns, load, events, reference_end_ns, period_end_ns):
    """All columns of the chatbot log (a dict in display order) for sorted ``ts_ns``."""
    n = ts_ns.size
    topic = draw_codes(rng, n, TOPIC_P)
    for ev in of_kind(events, "category_mix_change"):
        redraw_codes(rng, topic, rows_in(ts_ns, ev), TOPIC_OUTAGE_P)
    language = draw_codes(rng, n, LANGUAGE_P)
    input_tokens = 350 + np.rint(np.exp(rng.normal(np.log(280.0), 0.6, n))).astype(np.int64)

    # Routing and the rollout of the new small model.
    large = rng.random(n) < np.asarray(LARGE_SHARE)[topic]
    version = np.where(large, 0, 1).astype(np.int8)
    for ev in of_kind(events, "rollout"):
        sl = rows_in(ts_ns, ev)
        share = ev.spec.magnitude * np.clip(progress(ts_ns, sl, ev) / ROLLOUT_RAMP, 0.0, 1.0)
        moved = (rng.random(sl.stop - sl.start) < share) & (version[sl] == 1)
        version[sl] = np.where(moved, 2, version[sl])

    # Errors cut the answer short.
    p_error = 0.004 + 0.002 * load
    for ev in of_kind(events, "error_burst"):
        p_error[rows_in(ts_ns, ev)] = ev.spec.magnitude
    failed = rng.random(n) < p_error
    log_out = np.log(150.0) + 0.25 * large + np.asarray(OUTPUT_EFFECT)[topic] + rng.normal(0, 0.55, n)
    output_tokens = np.clip(np.rint(np.exp(log_out)), 1, 2048)
    output_tokens = np.where(failed, np.floor(output_tokens * rng.random(n)), output_tokens)
    output_tokens = output_tokens.astype(np.int64)

    # Time to first token (prompt size, load) and decoding time (output tokens).
    ttft = (np.asarray(TTFT_MS)[version] * (input_tokens / 650.0) ** 0.5 * load_factor(load, 0.15)
            * np.exp(rng.normal(0.0, 0.25, n)) * pareto_tail(rng, n, 0.01, 2.0, 1.5))
    decode = (output_tokens * np.asarray(MS_PER_TOKEN)[version] * load_factor(load, 0.08)
              * np.exp(rng.normal(0.0, 0.15, n)))
    for ev in of_kind(events, "latency_spike"):
        sl = rows_in(ts_ns, ev)
        ttft[sl] *= ev.spec.magnitude
        decode[sl] *= ev.spec.magnitude
    for ev in of_kind(events, "latency_degradation"):
        sl = rows_in(ts_ns, ev)
        mult = 1.0 + (ev.spec.magnitude - 1.0) * progress(ts_ns, sl, ev)
        ttft[sl] *= mult
        decode[sl] *= mult
    ttft_ms = round_dec(np.clip(ttft, 20.0, 60_000.0), 1)
    latency_ms = round_dec(ttft_ms + np.clip(decode, 1.0, 240_000.0), 1)
    prices = np.asarray(PRICE_PER_MTOK)[version]
    cost = round_dec((input_tokens * prices[:, 0] + output_tokens * prices[:, 1]) / 1e6, 6)

    # Confidence, hallucinations (graded on a sample), hand-offs and user feedback.
    score = round_dec(sigmoid(1.7 + 0.5 * large + np.asarray(CONFIDENCE_EFFECT)[topic]
                              + rng.normal(0.0, 0.9, n)), 4)
    p_halluc = sigmoid(np.asarray(HALLUCINATION_LOGIT)[version] - 3.0 * (score - 0.8))
    for ev in of_kind(events, "hallucination_increase"):
        sl = rows_in(ts_ns, ev)
        hit = version[sl] == 0
        p_halluc[sl] = np.where(hit, np.minimum(1.0, p_halluc[sl] * ev.spec.magnitude), p_halluc[sl])
    hallucinated = rng.random(n) < p_halluc
    graded = rng.random(n) < EVAL_SHARE
    fallback = rng.random(n) < sigmoid(-3.4 + np.asarray(FALLBACK_EFFECT)[topic]
                                       - 2.5 * (score - 0.8) + 2.8 * failed + 1.2 * hallucinated)
    gives = rng.random(n) < 0.08 + 0.10 * fallback
    down = rng.random(n) < sigmoid(-1.8 + 2.4 * hallucinated + 1.3 * fallback + 1.8 * failed
                                   + 0.6 * (latency_ms > 8000))
    feedback = np.where(gives, down.astype(np.int8), -1).astype(np.int8)

    return {
        "request_id": np.arange(1, n + 1, dtype=np.int64),
        "model_version": categorical(version, MODEL_VERSIONS),
        "topic": categorical(topic, TOPIC),
        "language": categorical(language, LANGUAGE),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "ttft_ms": ttft_ms,
        "latency_ms": latency_ms,
        "cost_usd": cost,
        "error": failed,
        "fallback": fallback,
        "score": score,
        "hallucination": np.where(graded, hallucinated.astype(float), np.nan),
        "feedback": categorical(feedback, FEEDBACK),
    }
