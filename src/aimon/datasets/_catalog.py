"""The bundled datasets: how each is generated and what its columns mean (for the data cards)."""
from __future__ import annotations

# name -> the exact simulate() arguments of the committed files
BUNDLED = {
    "credit_scoring": {"scenario": "credit_scoring", "days": 30, "rps": 0.05, "seed": 2026,
                       "start": "2026-03-01", "events": True},
    "chatbot": {"scenario": "chatbot", "days": 14, "rps": 0.1, "seed": 2026,
                "start": "2026-03-01", "events": True},
}

TITLES = {
    "credit_scoring": "Credit scoring: inference log of a loan-default classifier",
    "chatbot": "Chatbot: inference log of an LLM customer-support assistant",
}

STORIES = {
    "credit_scoring": (
        "An online lender scores every loan application with a binary classifier that returns the "
        "probability of early default (`score`; `prediction` = `score >= 0.5`). Traffic follows "
        "office hours in New York: busy 9:00-19:00 on weekdays, a smaller after-work bump, quiet "
        "nights, weekends at about 45% of a weekday. The ground truth (`label`, 1 = default) arrives "
        "hours to days after the request (median about 18 h; 2% never arrive), so the last days of "
        "the log are only partly labelled. Labels are drawn from a true logistic model of the "
        "features; the deployed model is an imperfect estimate of it (AUC about 0.84 on clean days)."
    ),
    "chatbot": (
        "A customer-support assistant answers questions in six languages. A router sends each "
        "request to a large or a small model (`sage-large-1`, `sage-mini-1`; `sage-mini-2` is rolled "
        "out during the log). Traffic follows office hours in Berlin, with a larger evening and "
        "weekend share than the lender. Latency is time to first token plus decoding time, which "
        "grows with the number of output tokens. A reference evaluation grades about 5% of the "
        "answers for hallucination; about 9% of users leave a thumbs up or down."
    ),
}

COLUMNS = {
    "credit_scoring": {
        "timestamp (index)": "request time, UTC, millisecond resolution",
        "request_id": "unique request key (joins late labels)",
        "model_version": "model that answered (`gbm-2026.02`; `gbm-2026.03` after the rollout)",
        "latency_ms": "end-to-end scoring time in ms (0.1 ms); grows with `payload_kb` and load",
        "status_code": "HTTP status: 200, or 500/503 for failures (error = status_code >= 500)",
        "income": "stated yearly income, USD (3 significant digits; about 1% missing)",
        "debt_ratio": "monthly debt payments / income (3 decimals)",
        "age": "applicant age, years",
        "credit_history_months": "length of the credit history, months",
        "num_open_accounts": "open credit accounts",
        "loan_amount": "requested amount, USD (3 significant digits)",
        "payload_kb": "request size in kB (grows with the bureau report); drives latency",
        "employment_type": "salaried, self_employed, contract, unemployed, retired",
        "region": "northeast, midwest, south, west",
        "channel": "web, mobile, branch, partner",
        "score": "predicted probability of default (4 decimals)",
        "prediction": "1 if score >= 0.5 else 0",
        "label": "1.0 = defaulted, 0.0 = repaid; NaN while the outcome is not known yet",
        "label_time": "when the label arrived (UTC, whole minutes); NaT if not yet",
    },
    "chatbot": {
        "timestamp (index)": "request time, UTC, millisecond resolution",
        "request_id": "unique request key",
        "model_version": "`sage-large-1`, `sage-mini-1` or `sage-mini-2`",
        "topic": "billing, technical, account, shipping, returns, other",
        "language": "de, en, fr, it, es, nl",
        "input_tokens": "prompt tokens (system prompt + retrieved context + question)",
        "output_tokens": "generated tokens (cut short when the request fails)",
        "ttft_ms": "time to first token, ms (0.1 ms)",
        "latency_ms": "end-to-end time, ms (0.1 ms); always > ttft_ms, grows with output_tokens",
        "cost_usd": "price of the tokens at the model's rates, USD (1e-6)",
        "error": "the request failed",
        "fallback": "the conversation was handed to a human agent",
        "score": "model confidence in [0, 1] (4 decimals)",
        "hallucination": "1.0/0.0 on the ~5% graded by the reference evaluation, NaN elsewhere",
        "feedback": "user thumbs `up`/`down`; missing for most rows",
    },
}
