"""Filters of the accounts app (see STYLE.md)."""
