"""Analyses that combine metrics, drift and change detections (e.g. the retraining signal)."""
