"""Tasks of the analytics app (see STYLE.md)."""
