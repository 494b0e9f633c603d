"""Selectors of the analytics app (see STYLE.md)."""
