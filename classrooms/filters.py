"""Filters of the classrooms app (see STYLE.md)."""
