"""API views of the accounts app."""
