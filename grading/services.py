"""Writes of the grading app: grading and regrading attempts, the teacher's actions on the live board,
notifications read state. Keyword-only, atomic, each takes the acting user; pages, API and Celery call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.services import audit_record, notify
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason
from attempts.scoring import mark_objective_answers, recompute_totals
from grading.selectors import REINSTATABLE_REASONS
from quizsite.errors import DomainError
from quizsite.live import publish_attempt_event, publish_quiz_event
from quizzes.models import Question, QuestionType, Quiz, QuizQuestion
from quizzes.signals import announce_results_changed

logger = logging.getLogger(__name__)

MAX_EXTENSION_MINUTES = 24 * 60
TWO_PLACES = Decimal("0.01")


class GradingError(DomainError):
    """Anything the grading app refuses: bad marks, an attempt in the wrong state, a bad extension."""


# --- Helpers --------------------------------------------------------------------------------------------------
def _link(*candidates: tuple[str, list]) -> str:
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def _result_link(attempt: QuizAttempt) -> str:
    # The student's result page belongs to the attempts app; link to it when it exists, else to their list.
    return _link(("attempts:result", [attempt.pk]), ("attempts:detail", [attempt.pk]), ("attempts:mine", []))


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{Decimal(value).normalize():f}"


def _after_commit_invalidate(quiz_id) -> None:
    announce_results_changed(quiz_id)


def _lock_attempt(attempt: QuizAttempt) -> QuizAttempt:
    return QuizAttempt.objects.select_for_update().select_related("quiz", "student__user").get(pk=attempt.pk)


def _score_summary(attempt: QuizAttempt) -> dict[str, Any]:
    return {
        "status": attempt.status,
        "score": attempt.score,
        "total_marks": attempt.total_marks,
        "percentage": attempt.percentage,
        "passed": attempt.passed,
    }


def _notify_graded(attempt: QuizAttempt, *, updated: bool) -> None:
    quiz = attempt.quiz
    verdict = "passed" if attempt.passed else "did not pass"
    title = f"{'Updated result' if updated else 'Your result'}: {quiz.title}"
    message = (
        f"You scored {_fmt(attempt.score)} out of {attempt.total_marks} ({_fmt(attempt.percentage)}%) and {verdict}."
    )
    notify(
        users=[attempt.student.user], type="attempt_graded", title=title, message=message, link=_result_link(attempt)
    )
    from grading.tasks import send_attempt_graded_email

    attempt_id = str(attempt.pk)
    transaction.on_commit(lambda: send_attempt_graded_email.delay(attempt_id), robust=True)


# --- Grading --------------------------------------------------------------------------------------------------
def _parse_marks(raw, *, position: int, maximum: int) -> Decimal:
    try:
        marks = Decimal(str(raw))
    except (InvalidOperation, ValueError, TypeError):
        raise GradingError(f"Question {position}: marks must be a number.") from None
    if not marks.is_finite():
        raise GradingError(f"Question {position}: marks must be a number.")
    if marks != marks.quantize(TWO_PLACES):
        raise GradingError(f"Question {position}: marks may have at most two decimal places.")
    if marks < 0 or marks > maximum:
        raise GradingError(f"Question {position}: marks must be between 0 and {maximum}.")
    return marks


@transaction.atomic
def attempt_grade(*, attempt: QuizAttempt, by: User, grades: list[dict[str, Any]], request=None) -> QuizAttempt:
    """Record a teacher's marks and feedback on some or all answers of a finished attempt.

    Each grade is {"answer_id", "marks_awarded", "feedback"}; marks lie between 0 and the question's marks in
    this quiz. Everything is validated before anything is written: one bad grade saves none. A mark given to an
    objective answer overrides the automatic one (it is kept by later re-marking). The attempt becomes `graded`
    when no answer awaits marks; the student is then notified and e-mailed.
    """
    attempt = _lock_attempt(attempt)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt is still in progress; it can be graded once it is submitted.")
    if not grades:
        raise GradingError("Give at least one grade.")

    answers = {str(a.pk): a for a in StudentAnswer.objects.filter(attempt=attempt).select_related("question")}
    quiz_marks = {qq.question_id: qq for qq in QuizQuestion.objects.filter(quiz_id=attempt.quiz_id)}
    order = {qid: i for i, qid in enumerate(sorted(quiz_marks, key=lambda q: quiz_marks[q].order_index), start=1)}

    validated: list[tuple[StudentAnswer, Decimal, str]] = []
    seen: set[str] = set()
    for grade in grades:
        answer_id = str(grade.get("answer_id") or "")
        answer = answers.get(answer_id)
        if answer is None:
            raise GradingError(f"Answer {answer_id or '(missing)'} is not part of this attempt.")
        if answer_id in seen:
            raise GradingError(f"Answer {answer_id} is graded twice in one request.")
        seen.add(answer_id)
        qq = quiz_marks.get(answer.question_id)
        maximum = qq.marks_override if (qq and qq.marks_override is not None) else answer.question.marks
        position = order.get(answer.question_id, 0)
        marks = _parse_marks(grade.get("marks_awarded"), position=position, maximum=maximum)
        feedback = grade.get("feedback")
        feedback = answer.feedback if feedback is None else str(feedback).strip()
        validated.append((answer, marks, feedback))

    was = _score_summary(attempt)
    old_marks, new_marks = {}, {}
    now = timezone.now()
    for answer, marks, feedback in validated:
        old_marks[str(answer.pk)] = {"marks": answer.marks_awarded, "feedback": answer.feedback}
        answer.marks_awarded = marks
        answer.feedback = feedback
        answer.graded_by = by
        answer.graded_at = now
        answer.is_final = True
        new_marks[str(answer.pk)] = {"marks": marks, "feedback": feedback}
    StudentAnswer.objects.bulk_update(
        [a for a, _, _ in validated], ["marks_awarded", "feedback", "graded_by", "graded_at", "is_final"]
    )
    recompute_totals(attempt)

    audit_record(
        action="attempt.grade",
        by=by,
        entity=attempt,
        old={"answers": old_marks, **was},
        new={"answers": new_marks, **_score_summary(attempt)},
        request=request,
    )
    if attempt.status == AttemptStatus.GRADED and (
        was["status"] != AttemptStatus.GRADED or was["score"] != attempt.score or was["passed"] != attempt.passed
    ):
        _notify_graded(attempt, updated=was["status"] == AttemptStatus.GRADED)
    publish_quiz_event(
        attempt.quiz_id,
        "attempt_graded",
        {
            "attempt_id": str(attempt.pk),
            "student_id": str(attempt.student_id),
            "score": float(attempt.score) if attempt.score is not None else None,
            "status": attempt.status,
        },
    )
    _after_commit_invalidate(attempt.quiz_id)
    return attempt


def attempt_graded_email_send(*, attempt_id) -> bool:
    """E-mail the student their result (Celery task body). False when there is nothing to send."""
    attempt = QuizAttempt.objects.select_related("quiz", "student__user").filter(pk=attempt_id).first()
    if attempt is None or attempt.status != AttemptStatus.GRADED or not attempt.student.user.email:
        return False
    quiz = attempt.quiz
    verdict = "passed" if attempt.passed else "did not pass"
    body = (
        f"Hello {attempt.student.user.name},\n\n"
        f'Your attempt at "{quiz.title}" ({quiz.subject}) has been graded.\n'
        f"Score: {_fmt(attempt.score)} out of {attempt.total_marks} ({_fmt(attempt.percentage)}%). You {verdict}.\n"
    )
    link = _result_link(attempt)
    if link:
        body += f"\nSee the details in Quizsite: {link}\n"
    send_mail(
        subject=f"Your result: {quiz.title}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[attempt.student.user.email],
    )
    return True


# --- Regrade --------------------------------------------------------------------------------------------------
def question_answer_key_changed(question_id, by_id=None) -> None:
    """Called by the quizzes app when a question's correct answer or accepted answers change: every submitted
    attempt that used it is re-marked by a Celery task once the change is committed."""
    from grading.tasks import regrade_question

    qid, uid = str(question_id), (str(by_id) if by_id else None)
    transaction.on_commit(lambda: regrade_question.delay(qid, uid), robust=True)


def regrade_on_answer_key_changed(sender, *, question_id, by_id=None, **kwargs) -> None:
    """Receiver of quizzes.signals.answer_key_changed (connected in GradingConfig.ready)."""
    question_answer_key_changed(question_id, by_id)


@dataclass
class RegradeResult:
    attempts: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)
    quiz_ids: set = field(default_factory=set)


def _regrade_one(attempt_id, question: Question) -> dict[str, Any] | None:
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .select_related("quiz", "student__user")
            .filter(pk=attempt_id, status__in=FINISHED_STATUSES)
            .first()
        )
        if attempt is None:
            return None
        was = _score_summary(attempt)
        # The question may be worth less now: a teacher's mark (kept by re-marking) must not exceed the new
        # maximum in this quiz, or the score could pass the total.
        link = QuizQuestion.objects.filter(quiz_id=attempt.quiz_id, question=question).first()
        if link is not None:
            StudentAnswer.objects.filter(
                attempt=attempt, question=question, marks_awarded__gt=link.marks_override or question.marks
            ).update(marks_awarded=link.marks_override or question.marks)
        if question.type == QuestionType.DESCRIPTIVE:
            # Became descriptive: an automatic mark no longer stands, a teacher must mark it (their marks stay).
            StudentAnswer.objects.filter(attempt=attempt, question=question, graded_by__isnull=True).exclude(
                answer_text__isnull=True
            ).exclude(answer_text="").update(marks_awarded=None)
        mark_objective_answers(attempt)
        recompute_totals(attempt)
        if was["score"] == attempt.score and was["passed"] == attempt.passed and was["status"] == attempt.status:
            return {"attempt": attempt, "changed": False}
        if attempt.status == AttemptStatus.GRADED or was["status"] == AttemptStatus.GRADED:
            notify(
                users=[attempt.student.user],
                type="attempt_regraded",
                title=f"Result updated: {attempt.quiz.title}",
                message=(
                    f"A question's answer key was corrected. Your score changed from {_fmt(was['score'])} to "
                    f"{_fmt(attempt.score)} out of {attempt.total_marks}"
                    + (f" ({'passed' if attempt.passed else 'not passed'})." if attempt.passed is not None else ".")
                ),
                link=_result_link(attempt),
            )
        return {
            "attempt": attempt,
            "changed": True,
            "old": {"score": was["score"], "passed": was["passed"], "status": was["status"]},
            "new": {"score": attempt.score, "passed": attempt.passed, "status": attempt.status},
        }


def question_regrade(*, question_id, by: User | None = None) -> RegradeResult:
    """Re-mark every finished attempt that answered the question, each in its own short transaction (a regrade of
    a large school does not hold every attempt locked at once). Scores, pass/fail and analytics follow; students
    whose score changed are notified; one audit entry records what changed."""
    result = RegradeResult()
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return result
    attempt_ids = list(
        QuizAttempt.objects.filter(answers__question_id=question.pk, status__in=FINISHED_STATUSES)
        .values_list("pk", flat=True)
        .distinct()
    )
    for attempt_id in attempt_ids:
        outcome = _regrade_one(attempt_id, question)
        if outcome is None:
            continue
        result.attempts += 1
        result.quiz_ids.add(outcome["attempt"].quiz_id)
        if outcome["changed"]:
            result.changed.append({"attempt_id": str(attempt_id), "old": outcome["old"], "new": outcome["new"]})
    with transaction.atomic():
        audit_record(
            action="question.regrade",
            by=by,
            entity=question,
            new={"attempts_remarked": result.attempts, "scores_changed": result.changed},
        )
    for quiz_id in result.quiz_ids:
        announce_results_changed(quiz_id)
    return result


# --- Teacher actions on the live board ------------------------------------------------------------------------
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
    attempt = _lock_attempt(attempt)
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
    attempts = list(
        QuizAttempt.objects.select_for_update().filter(quiz=quiz, status=AttemptStatus.IN_PROGRESS).order_by("pk")
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
    from attempts.services import attempt_submit

    locked = _lock_attempt(attempt)
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt has already been submitted.")
    attempt = attempt_submit(attempt=locked, by=by, reason=SubmitReason.TEACHER)
    attempt.refresh_from_db()
    audit_record(
        action="attempt.force_submit",
        by=by,
        entity=attempt,
        old={"status": AttemptStatus.IN_PROGRESS},
        new=_score_summary(attempt),
        request=request,
    )
    data = {"attempt_id": str(attempt.pk), "student_id": str(attempt.student_id), "status": attempt.status}
    publish_attempt_event(attempt.pk, "attempt_force_submitted", data)
    return attempt


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
    attempt = _lock_attempt(attempt)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt is already in progress.")
    if attempt.submit_reason not in REINSTATABLE_REASONS:
        raise GradingError("Only an attempt ended by the time limit, by violations or by a teacher can be reinstated.")
    if (
        QuizAttempt.objects.filter(quiz_id=attempt.quiz_id, student_id=attempt.student_id)
        .filter(status=AttemptStatus.IN_PROGRESS)
        .exists()
    ):
        raise GradingError("The student already has another attempt of this quiz in progress.")
    if minutes not in (None, ""):
        seconds = _check_minutes(minutes) * 60
    else:
        left = (attempt.deadline - attempt.submitted_at).total_seconds() if attempt.submitted_at else 0
        seconds = int(left) if attempt.submit_reason != SubmitReason.DEADLINE else 0
        if seconds < 60:
            raise GradingError("The attempt had no time left: say how many minutes to give.")

    old = {**_score_summary(attempt), "submit_reason": attempt.submit_reason, "submitted_at": attempt.submitted_at}
    now = timezone.now()
    attempt.status = AttemptStatus.IN_PROGRESS
    attempt.submitted_at = None
    attempt.submit_reason = ""
    attempt.auto_submitted_due_to_violations = False
    attempt.violation_baseline = attempt.total_violations  # a fresh allowance; the lifetime count stays
    attempt.score = attempt.percentage = attempt.passed = None
    attempt.deadline = now + timedelta(seconds=seconds)
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
        link=_link(("attempts:take", [attempt.pk]), ("attempts:enter", [])),
    )
    _push_deadline(attempt, "attempt_reinstated", {"reason": reason})
    _after_commit_invalidate(attempt.quiz_id)
    return attempt


# --- Notifications --------------------------------------------------------------------------------------------
def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    if notification.user_id != by.pk:
        raise GradingError("Not your notification.", status_code=404)
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = timezone.now()
        notification.save(update_fields=["is_read", "read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(user_id=by.pk, is_read=False).update(is_read=True, read_at=timezone.now())
