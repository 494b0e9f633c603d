"""The teacher's actions on the live exam board: more time for one student or for everyone, ending an attempt now,
handing an ended attempt back. Each resolves the attempt or quiz through the acting user's scope, is audited and
pushed to the board and to the student's exam page once it commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, notify
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason
from attempts.services import attempt_submit
from grading.selectors import REINSTATABLE_REASONS
from grading.services.common import (
    MAX_EXTENSION_MINUTES,
    GradingError,
    lock_gradable_attempt,
    manageable_quiz,
    score_summary,
)
from quizsite.live import publish_attempt_event, publish_quiz_event
from quizzes.models import Quiz
from quizzes.signals import announce_results_changed


def _check_minutes(minutes) -> int:
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise GradingError("Minutes must be a whole number.") from None
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise GradingError(f"Minutes must be between 1 and {MAX_EXTENSION_MINUTES}.")
    return minutes


def _push_deadline(attempt: QuizAttempt, event: str, extra: dict[str, Any]) -> None:
    data = {
        "attempt_id": str(attempt.pk),
        "student_id": str(attempt.student_id),
        "status": attempt.status,
        "deadline": attempt.deadline.isoformat(),
        "seconds_remaining": attempt.seconds_remaining(),
        **extra,
    }
    publish_attempt_event(attempt.pk, event, data)
    publish_quiz_event(attempt.quiz_id, event, data)


@transaction.atomic
def attempt_extend_time(*, attempt: QuizAttempt, by: User, minutes: int, request=None) -> QuizAttempt:
    """Give one student more time: the attempt's deadline moves by `minutes`."""
    minutes = _check_minutes(minutes)
    attempt = lock_gradable_attempt(attempt, by=by)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise GradingError("Only an attempt in progress can be given more time.")
    old = attempt.deadline
    attempt.deadline = old + timedelta(minutes=minutes)
    attempt.save(update_fields=["deadline"])
    audit_record(
        action="attempt.extend_time",
        by=by,
        entity=attempt,
        old={"deadline": old},
        new={"deadline": attempt.deadline, "minutes": minutes},
        request=request,
    )
    _push_deadline(attempt, "time_extended", {"minutes": minutes})
    return attempt


@transaction.atomic
def quiz_extend_time(*, quiz: Quiz, by: User, minutes: int, request=None) -> int:
    """Give everyone taking the quiz right now more time. Returns how many attempts were extended."""
    minutes = _check_minutes(minutes)
    quiz = manageable_quiz(quiz, by=by)
    attempts = list(
        QuizAttempt.objects.gradable_by(by)
        .select_for_update()
        .filter(quiz=quiz, status=AttemptStatus.IN_PROGRESS)
        .order_by("pk")
    )
    delta = timedelta(minutes=minutes)
    for attempt in attempts:
        attempt.deadline += delta
    QuizAttempt.objects.bulk_update(attempts, ["deadline"])
    audit_record(
        action="quiz.extend_time",
        by=by,
        entity=quiz,
        new={"minutes": minutes, "attempts": [str(a.pk) for a in attempts]},
        request=request,
    )
    for attempt in attempts:
        _push_deadline(attempt, "time_extended", {"minutes": minutes})
    return len(attempts)


@transaction.atomic
def attempt_force_submit(*, attempt: QuizAttempt, by: User, request=None) -> QuizAttempt:
    """End a student's attempt now (the attempts app's submit, reason `teacher`), audited and pushed to them."""
    locked = lock_gradable_attempt(attempt, by=by)
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt has already been submitted.")
    attempt = attempt_submit(attempt=locked, by=by, reason=SubmitReason.TEACHER)
    attempt.refresh_from_db()
    audit_record(
        action="attempt.force_submit",
        by=by,
        entity=attempt,
        old={"status": AttemptStatus.IN_PROGRESS},
        new=score_summary(attempt),
        request=request,
    )
    data = {"attempt_id": str(attempt.pk), "student_id": str(attempt.student_id), "status": attempt.status}
    publish_attempt_event(attempt.pk, "attempt_force_submitted", data)
    return attempt


def _seconds_to_give(attempt: QuizAttempt, minutes: int | None) -> int:
    if minutes not in (None, ""):
        return _check_minutes(minutes) * 60
    left = (attempt.deadline - attempt.submitted_at).total_seconds() if attempt.submitted_at else 0
    seconds = int(left) if attempt.submit_reason != SubmitReason.DEADLINE else 0
    if seconds < 60:
        raise GradingError("The attempt had no time left: say how many minutes to give.")
    return seconds


@transaction.atomic
def attempt_reinstate(
    *, attempt: QuizAttempt, by: User, reason: str, minutes: int | None = None, request=None
) -> QuizAttempt:
    """Hand an attempt ended by the clock, by violations or by a teacher back to the student.

    It returns to `in_progress` with a new deadline: now plus `minutes`, or, when not given, the time the student
    still had when it was ended. Automatic marks are cleared (the attempt is marked again when it is submitted);
    a teacher's hand marks stay. Violations stay on record.
    """
    reason = (reason or "").strip()
    if not reason:
        raise GradingError("Give a reason for reinstating the attempt.")
    attempt = lock_gradable_attempt(attempt, by=by)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt is already in progress.")
    if attempt.submit_reason not in REINSTATABLE_REASONS:
        raise GradingError("Only an attempt ended by the time limit, by violations or by a teacher can be reinstated.")
    if QuizAttempt.objects.filter(
        quiz_id=attempt.quiz_id, student_id=attempt.student_id, status=AttemptStatus.IN_PROGRESS
    ).exists():
        raise GradingError("The student already has another attempt of this quiz in progress.")
    seconds = _seconds_to_give(attempt, minutes)

    old = {**score_summary(attempt), "submit_reason": attempt.submit_reason, "submitted_at": attempt.submitted_at}
    attempt.status = AttemptStatus.IN_PROGRESS
    attempt.submitted_at = None
    attempt.submit_reason = ""
    attempt.auto_submitted_due_to_violations = False
    attempt.violation_baseline = attempt.total_violations  # a fresh allowance; the lifetime count stays
    attempt.score = attempt.percentage = attempt.passed = None
    attempt.deadline = timezone.now() + timedelta(seconds=seconds)
    attempt.save(
        update_fields=[
            "status",
            "submitted_at",
            "submit_reason",
            "auto_submitted_due_to_violations",
            "violation_baseline",
            "score",
            "percentage",
            "passed",
            "deadline",
        ]
    )
    StudentAnswer.objects.filter(attempt=attempt, graded_by__isnull=True).update(marks_awarded=None, is_final=False)
    audit_record(
        action="attempt.reinstate",
        by=by,
        entity=attempt,
        old=old,
        new={"status": attempt.status, "deadline": attempt.deadline, "reason": reason},
        request=request,
    )
    notify(
        users=[attempt.student.user],
        type="attempt_reinstated",
        title=f"Your attempt was reopened: {attempt.quiz.title}",
        message=f"Your teacher reopened your attempt ({reason}). You have {seconds // 60} minutes to finish.",
        link=reverse("attempts:take", args=[attempt.pk]),
    )
    _push_deadline(attempt, "attempt_reinstated", {"reason": reason})
    announce_results_changed(attempt.quiz_id)
    return attempt
