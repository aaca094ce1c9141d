"""Models of the readiness app."""
