"""``gate.toml``: the settings of :func:`aimon.gate` in a file, for CI (schema in docs/gate.md).

Every key maps to one keyword of :func:`aimon.gate`; an unknown section or key is an error (a
typo must not silently switch a check off). ``false`` switches a limit off where the keyword
accepts None. Relative paths are relative to the file.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import AimonError

# section -> {key in the file: keyword of aimon.gate}; "" is the top level
SCHEMA = {
    "": {"alpha": "alpha", "n_boot": "n_boot", "seed": "seed", "strict": "strict"},
    "inputs": {"candidate": None, "production": None, "data": None},
    "quality": {"metrics": "quality", "margin": "margin", "min": "min_quality", "pos_label": "pos_label",
                "decision_threshold": "decision_threshold"},
    "latency": {"sla_ms": "latency_sla_ms", "quantile": "latency_quantile", "max_ratio": "max_latency_ratio",
                "ttft_sla_ms": "ttft_sla_ms", "max_ttft_ratio": "max_ttft_ratio",
                "max_cost_ratio": "max_cost_ratio", "by": "by"},
    "schema": {"profile": "schema", "range_tolerance": "range_tolerance", "max_share": "max_share",
               "max_missing_increase": "max_missing_increase", "drift": "drift"},
    "consistency": {"level": "consistency", "min_agreement": "min_agreement",
                    "max_prediction_shift": "max_prediction_shift"},
    "roles": None,  # any role keyword (checked by infer_roles)
}
NULLABLE = {"max_latency_ratio", "max_ttft_ratio", "max_cost_ratio", "latency_sla_ms", "ttft_sla_ms", "min_quality"}


def _tomllib():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 (conditional dependency "tomli; python_version<'3.11'")
        import tomli as tomllib
    return tomllib


def parse(text: str, base: Path | None = None) -> tuple[dict, dict]:
    """(keywords of aimon.gate, input paths) from the TOML text of a gate file."""
    tomllib = _tomllib()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AimonError(f"gate file: not valid TOML ({exc}).") from exc
    kwargs, inputs = {}, {}
    for key, value in doc.items():
        if isinstance(value, dict):
            if key not in SCHEMA or key == "":
                raise AimonError(f"gate file: unknown section [{key}]. Sections: "
                                 f"{', '.join('[' + s + ']' for s in SCHEMA if s)}.")
            known = SCHEMA[key]
            for k, v in value.items():
                if known is None:  # [roles]
                    kwargs[k] = None if v is False else v
                    continue
                if k not in known:
                    raise AimonError(f"gate file: unknown key {k!r} in [{key}]. Known keys: {', '.join(known)}.")
                if key == "inputs":
                    inputs[k] = _path(v, base, f"[inputs] {k}")
                    continue
                kw = known[k]
                if kw == "schema":
                    v = _path(v, base, "[schema] profile")
                if kw == "quality" and isinstance(v, str) and v.lower() == "none":
                    v = None
                if v is False and kw in NULLABLE:
                    v = None
                kwargs[kw] = v
        elif key in SCHEMA[""]:
            kwargs[SCHEMA[""][key]] = value
        else:
            raise AimonError(f"gate file: unknown key {key!r} at the top level. Top-level keys: "
                             f"{', '.join(SCHEMA[''])}; sections: {', '.join('[' + s + ']' for s in SCHEMA if s)}.")
    return kwargs, inputs


def _path(v, base, where) -> str:
    if not isinstance(v, str):
        raise AimonError(f"gate file: {where} must be a path (a string), got {v!r}.")
    p = Path(v)
    return str(p if p.is_absolute() or base is None else base / p)


def load(path) -> tuple[dict, dict]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AimonError(f"gate file {str(path)!r} cannot be read ({exc.strerror or exc}).") from exc
    return parse(text, p.parent)
