"""API serializers of the accounts app."""
