"""Tasks of the accounts app (see STYLE.md)."""
