"""API views of the quizzes app."""
