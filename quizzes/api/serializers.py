"""API serializers of the quizzes app."""
