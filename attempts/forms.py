"""Forms of the attempts app (see STYLE.md)."""
