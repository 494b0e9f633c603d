"""API serializers of the grading app."""
