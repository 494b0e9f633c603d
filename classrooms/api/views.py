"""API views of the classrooms app."""
