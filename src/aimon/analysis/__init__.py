"""Diagnosis: correlation of system and model health, segment drill-down, root causes."""
