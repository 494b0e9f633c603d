"""API views of the grading app."""
