"""Tasks of the grading app (see STYLE.md)."""
