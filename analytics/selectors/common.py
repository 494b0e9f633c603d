"""What every analytics read shares: the app's domain error, the choice of attempts, and the attempt row the
dashboards list. Who may see which rows is not decided here but by the models' scoped querysets."""

from __future__ import annotations

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt
from quizsite.api.fields import score_number
from quizsite.errors import DomainError

ATTEMPT_MODES = ("all", "first", "best", "last")
PENDING_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.AUTO_SUBMITTED)


class AnalyticsError(DomainError):
    """Bad analytics/export input (an unknown attempts mode or export format)."""


def parse_attempts_mode(value: str | None) -> str:
    mode = (value or "all").strip().lower()
    if mode not in ATTEMPT_MODES:
        raise AnalyticsError(f"attempts must be one of: {', '.join(ATTEMPT_MODES)}.")
    return mode


def finished_attempts() -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(status__in=FINISHED_STATUSES)


# What the quiz analytics and the results export read of each attempt of a quiz.
RESULT_FIELDS = (
    "id",
    "student_id",
    "student__user__name",
    "student__registration_number",
    "attempt_number",
    "score",
    "total_marks",
    "percentage",
    "passed",
    "status",
    "total_violations",
    "auto_submitted_due_to_violations",
    "submitted_at",
)


def result_rows(attempts: QuerySet[QuizAttempt]) -> list[dict]:
    """RESULT_FIELDS of each attempt as a dict, in one query, plus `key`: the id as text, which hashes in C (a UUID
    object hashes in Python) for the quiz analytics' pass over every mark."""
    return [
        dict(zip((*RESULT_FIELDS, "key"), values, strict=True))
        for values in attempts.values_list(*RESULT_FIELDS, Cast("id", CharField()))
    ]


def result_percentage(percentage, status: str) -> float | None:
    """An attempt's percentage as every attempt list shows it: none while answers await a teacher. The stored
    figure then counts only the automatically marked questions, and read as the result it misleads (a student with
    5 of 15 marks so far and an essay worth 10 still to mark is not on 33 %). Averages already leave such attempts
    out: they are taken over graded attempts only."""
    return None if status in PENDING_STATUSES else score_number(percentage)


def student_ref(student_id, name, registration_number) -> dict:
    return {"id": student_id, "name": name, "registration_number": registration_number}


def attempt_row(a: QuizAttempt) -> dict:
    """An attempt as the dashboards list it (needs quiz and student__user loaded)."""
    return {
        "id": a.pk,
        "quiz": {"id": a.quiz_id, "title": a.quiz.title, "subject": a.quiz.subject},
        "student": student_ref(a.student_id, a.student.user.name, a.student.registration_number),
        "attempt_number": a.attempt_number,
        "score": score_number(a.score),
        "total_marks": a.total_marks,
        "percentage": result_percentage(a.percentage, a.status),
        "awaiting_grading": a.status in PENDING_STATUSES,
        "status": a.status,
        "passed": a.passed,
        "total_violations": a.total_violations,
        "submitted_at": a.submitted_at,
    }
