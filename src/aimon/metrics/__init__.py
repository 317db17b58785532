"""Metrics per time window: operational (``ops``, ``slo``) and model quality (``quality``)."""
