"""What every grading service shares: the app's error, loading an attempt or a quiz through the acting user's scope
(so a page, the API and the socket cannot check differently), and how a result is summed up for the student."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from accounts.models import User
from attempts.models import QuizAttempt
from quizsite.errors import DomainError
from quizzes.models import Quiz

MAX_EXTENSION_MINUTES = 24 * 60


class GradingError(DomainError):
    """Anything the grading app refuses: bad marks, an attempt in the wrong state, a bad extension."""


def lock_gradable_attempt(attempt: QuizAttempt, *, by: User) -> QuizAttempt:
    """The attempt, locked until the transaction ends, if `by` may grade and act on it. Anyone else is told it does
    not exist, as the interfaces' 404 tells them."""
    locked = (
        QuizAttempt.objects.gradable_by(by)
        .select_for_update()
        .select_related("quiz", "student__user")
        .filter(pk=attempt.pk)
        .first()
    )
    if locked is None:
        raise GradingError("No such attempt.", status_code=404)
    return locked


def manageable_quiz(quiz: Quiz, *, by: User) -> Quiz:
    """The quiz, if `by` may watch and act on its board."""
    found = Quiz.objects.manageable_by(by).filter(pk=quiz.pk).first()
    if found is None:
        raise GradingError("No such quiz.", status_code=404)
    return found


def score_summary(attempt: QuizAttempt) -> dict[str, Any]:
    """What the audit log records of an attempt's result before and after a change."""
    return {
        "status": attempt.status,
        "score": attempt.score,
        "total_marks": attempt.total_marks,
        "percentage": attempt.percentage,
        "passed": attempt.passed,
    }


def marks_text(value: Decimal | None) -> str:
    """A score as a student reads it in a notification or an e-mail: 12.5, 9, never 9.00."""
    if value is None:
        return "-"
    return f"{Decimal(value).normalize():f}"


def result_link(attempt: QuizAttempt) -> str:
    return reverse("attempts:result", args=[attempt.pk])
