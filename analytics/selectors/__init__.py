"""Reads of the analytics app, split along their seams. Analytics owns no tables and writes nothing: every figure
is computed from attempts and answers here, and cached (analytics.cache) until a result changes.

    common       the app's error, the choice of attempts (all/first/best/last), the attempt row dashboards list
    dashboards   admin_analytics(), teacher_analytics(teacher), student_analytics(student)
    quiz         quiz_analytics(quiz, attempts=...): scores, histogram, item statistics, violations
    reports      quiz_results_rows(quiz) for the results export, attempt_report(attempt, viewer=...) for its PDF

None of them decides who may see what: the views load the quiz, teacher, student or attempt through the models'
scoped querysets (Quiz.objects.manageable_by, Teacher.objects.manageable_by, Student.objects.visible_to,
QuizAttempt.objects.reportable_by) and hand the object in.
"""

from analytics.selectors.common import ATTEMPT_MODES, AnalyticsError, parse_attempts_mode
from analytics.selectors.dashboards import admin_analytics, student_analytics, teacher_analytics
from analytics.selectors.quiz import QUIZ_RELATED, quiz_analytics, score_distribution, select_attempts
from analytics.selectors.reports import REPORT_RELATED, attempt_report, quiz_results_rows

__all__ = [
    "ATTEMPT_MODES",
    "QUIZ_RELATED",
    "REPORT_RELATED",
    "AnalyticsError",
    "admin_analytics",
    "attempt_report",
    "parse_attempts_mode",
    "quiz_analytics",
    "quiz_results_rows",
    "score_distribution",
    "select_attempts",
    "student_analytics",
    "teacher_analytics",
]
