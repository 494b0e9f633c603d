"""Forms of the quizzes app (see STYLE.md)."""
