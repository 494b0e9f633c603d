"""API serializers of the analytics app."""
