"""API serializers of the classrooms app."""
