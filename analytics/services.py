"""Services of the analytics app (see STYLE.md)."""
