"""Forms of the grading app (see STYLE.md)."""
