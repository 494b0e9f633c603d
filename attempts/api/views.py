"""API views of the attempts app."""
