"""API serializers of the attempts app."""
