"""Performance without labels: confidence-based estimates of a classifier's metrics per window."""
