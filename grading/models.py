"""Grading owns no tables of its own: it writes marks onto attempts.StudentAnswer and scores onto
attempts.QuizAttempt through its services, and reads them through its selectors."""
