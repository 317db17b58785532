"""Diagnosis: correlation of system and model health, segment drill-down, root causes, and the
retraining signal (analyses that combine metrics, drift and change detections)."""
