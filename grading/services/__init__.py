"""Writes of the grading app: keyword-only, atomic, each takes the acting user and resolves the attempt or quiz it
is given through that user's scope (QuizAttempt.objects.gradable_by, Quiz.objects.manageable_by), so the pages, the
API, the socket and Celery cannot check differently.

    marking        a teacher's marks on an attempt; the result e-mail (and its task)
    board          the live board's actions: extend one or all, force-submit, reinstate
    regrade        re-marking after an answer key changes (the quizzes app's hook, its task and service)
    notifications  marking a user's notifications read
"""

from grading.services.board import attempt_extend_time, attempt_force_submit, attempt_reinstate, quiz_extend_time
from grading.services.common import MAX_EXTENSION_MINUTES, GradingError
from grading.services.marking import attempt_grade, attempt_graded_email_send
from grading.services.notifications import notification_mark_read, notifications_mark_all_read
from grading.services.regrade import RegradeResult, question_answer_key_changed, question_regrade

__all__ = [
    "MAX_EXTENSION_MINUTES",
    "GradingError",
    "RegradeResult",
    "attempt_extend_time",
    "attempt_force_submit",
    "attempt_grade",
    "attempt_graded_email_send",
    "attempt_reinstate",
    "notification_mark_read",
    "notifications_mark_all_read",
    "question_answer_key_changed",
    "question_regrade",
    "quiz_extend_time",
]
