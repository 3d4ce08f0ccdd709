"""Incident files in, a checked collection out: loading, validation, model, derived values."""
