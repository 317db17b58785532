"""Loaders of the bundled inference logs.

The files are looked up in the installed package first (``aimon/_data`` inside a wheel) and
then in the checkout (the top-level ``datasets/`` folder). A parsed frame is cached per process;
every call returns a fresh deep copy, so changing one loaded frame never affects the next load.
"""
from __future__ import annotations

import copy
import importlib.resources
from pathlib import Path

from ..errors import AimonError
from ._catalog import BUNDLED
from ._io import read_frame

__all__ = ["load_credit_scoring", "load_chatbot", "data_dirs"]

_CACHE = {}


def load_credit_scoring():
    """Bundled 30-day log of a loan-default classifier (New York business hours).

    About 130,000 requests with numeric and categorical features, late labels (``label`` is NaN
    until ``label_time``), latency and HTTP status, and ten labelled events (latency spikes, a
    slow degradation, error bursts, a covariate shift, a channel-mix change, a missing-value
    surge, a model rollout and a concept drift) in ``df.attrs["events"]``. The first seven days
    are clean (``df.attrs["reference_end"]``). Equal to
    ``simulate(**df.attrs["simulate_args"])``. See ``datasets/credit_scoring.md``.

    Returns
    -------
    DataFrame
        One row per request, indexed by the UTC ``timestamp``; ``attrs`` holds ``events``,
        ``reference_end``, ``timezone`` and ``simulate_args``.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> len(df), df.attrs["events"]["kind"].iloc[0]
    (128916, 'latency_spike')
    """
    return _load("credit_scoring")


def load_chatbot(resources=False):
    """Bundled 14-day log of an LLM customer-support assistant (Berlin business hours).

    About 120,000 requests with tokens, cost, time to first token, errors, hand-offs to a human,
    confidence, graded hallucinations (~5% of rows) and sparse user feedback, plus labelled
    events (latency spikes, a degradation, error bursts, a topic-mix change, a hallucination
    increase for one model and a rollout) in ``df.attrs["events"]``. Equal to
    ``simulate(**df.attrs["simulate_args"])``. See ``datasets/chatbot.md``.

    Parameters
    ----------
    resources : bool
        Also return the deployment's per-minute resource series (GPU utilisation, queue depth,
        replicas, GPU memory) with their incidents in ``attrs["events"]``; see
        :func:`aimon.datasets.simulate_resources`. The log itself is the same either way.

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``resources=True``
        One row per request, indexed by the UTC ``timestamp``; ``attrs`` as for
        :func:`load_credit_scoring`. Then the resource frame.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_chatbot()
    >>> len(df), sorted(df.attrs["events"]["kind"].unique())[:2]
    (120523, ['category_mix_change', 'error_burst'])
    """
    log = _load("chatbot")
    if not resources:
        return log
    from ._resources import simulate_resources

    return log, simulate_resources(log)


def data_dirs():
    """Candidate folders holding the bundled files, in lookup order."""
    dirs = []
    try:
        packaged = importlib.resources.files("aimon") / "_data"
        if packaged.is_dir():
            dirs.append(packaged)
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    dirs.append(Path(__file__).resolve().parents[3] / "datasets")
    return dirs


def bundled_file(name: str) -> Path:
    """Path of a file shipped with the bundled datasets (from a checkout or an installed wheel), e.g.
    ``chatbot_traces.otlp.jsonl.gz`` (an OpenTelemetry export of the chatbot log) or
    ``chatbot_prometheus.json.gz`` (a saved Prometheus answer).

    Examples
    --------
    >>> import aimon
    >>> aimon.datasets.bundled_file("chatbot_traces.otlp.jsonl.gz").name
    'chatbot_traces.otlp.jsonl.gz'
    """
    tried = []
    for folder in data_dirs():
        if (folder / name).is_file():
            return Path(str(folder / name))
        tried.append(str(folder))
    raise AimonError(f"No bundled file {name!r} in: {'; '.join(tried)}. Files: the *.gz and *.json files "
                     f"of the datasets/ folder of a checkout.")


def _locate(name):
    tried = []
    for folder in data_dirs():
        csv, schema = folder / f"{name}.csv.gz", folder / f"{name}.schema.json"
        if csv.is_file() and schema.is_file():
            return csv, schema
        tried.append(str(folder))
    raise AimonError(
        f"The bundled dataset {name!r} ({name}.csv.gz and {name}.schema.json) was not found in: "
        f"{'; '.join(tried)}. Regenerate it from a checkout of pandas-aimon with "
        "`python -m aimon.datasets.build` (writes datasets/), or reinstall the package; "
        f"`aimon.datasets.simulate(**{BUNDLED[name]!r})` gives the same frame.")


def _signature(path):
    try:
        stat = Path(str(path)).stat()
        return (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:  # not a file-system path (e.g. a zipped install): trust the location
        return (str(path), None, None)


def _load(name):
    csv, schema = _locate(name)
    key = (_signature(csv), _signature(schema))
    cached = _CACHE.get(name)
    if cached is None or cached[0] != key:
        frame = read_frame(csv.read_bytes(), schema.read_bytes(), where=str(csv))
        cached = (key, frame)
        _CACHE[name] = cached
    frame = cached[1]
    out = frame.copy(deep=True)
    out.attrs = copy.deepcopy(frame.attrs)
    return out
