"""API views of the analytics app."""
