"""A teacher's marks on a finished attempt, and the result e-mail that follows.

The e-mail's Celery task is declared here, next to the service that queues it and the function it runs, so this
module and grading.tasks (where Celery finds it) do not import each other."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, notify
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.questions import attempt_questions
from attempts.scoring import recompute_totals
from grading.services.common import GradingError, lock_gradable_attempt, marks_text, result_link, score_summary
from quizsite.api.fields import score_number
from quizsite.live import publish_quiz_event
from quizzes.signals import announce_results_changed

TWO_PLACES = Decimal("0.01")


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


def _validated_grades(attempt: QuizAttempt, grades: list[dict[str, Any]]) -> list[tuple[StudentAnswer, Decimal, str]]:
    """Each grade's answer (one of this attempt's: the attempt scopes the ids), its marks and feedback. Raises on
    the first bad grade, before anything is written."""
    answers = {str(a.pk): a for a in StudentAnswer.objects.filter(attempt=attempt).select_related("question")}
    # Issue 16: the attempt's own questions (random slots' draws included, at the slot's marks), in its order.
    links = attempt_questions(attempt)
    quiz_marks = {qq.question_id: qq for qq in links}
    order = {qq.question_id: i for i, qq in enumerate(links, start=1)}

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
        maximum = qq.marks if qq is not None else answer.question.marks
        position = order.get(answer.question_id, 0)
        marks = _parse_marks(grade.get("marks_awarded"), position=position, maximum=maximum)
        feedback = grade.get("feedback")
        feedback = answer.feedback if feedback is None else str(feedback).strip()
        validated.append((answer, marks, feedback))
    return validated


@transaction.atomic
def attempt_grade(*, attempt: QuizAttempt, by: User, grades: list[dict[str, Any]], request=None) -> QuizAttempt:
    """Record a teacher's marks and feedback on some or all answers of a finished attempt.

    Each grade is {"answer_id", "marks_awarded", "feedback"}; marks lie between 0 and the question's marks in
    this quiz. Everything is validated before anything is written: one bad grade saves none. A mark given to an
    objective answer overrides the automatic one (it is kept by later re-marking). The attempt becomes `graded`
    when no answer awaits marks; the student is then notified and e-mailed.
    """
    attempt = lock_gradable_attempt(attempt, by=by)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt is still in progress; it can be graded once it is submitted.")
    if not grades:
        raise GradingError("Give at least one grade.")
    validated = _validated_grades(attempt, grades)

    was = score_summary(attempt)
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
        new={"answers": new_marks, **score_summary(attempt)},
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
            "score": score_number(attempt.score),
            "status": attempt.status,
        },
    )
    announce_results_changed(attempt.quiz_id)
    return attempt


def _notify_graded(attempt: QuizAttempt, *, updated: bool) -> None:
    quiz = attempt.quiz
    verdict = "passed" if attempt.passed else "did not pass"
    title = f"{'Updated result' if updated else 'Your result'}: {quiz.title}"
    message = (
        f"You scored {marks_text(attempt.score)} out of {attempt.total_marks} ({marks_text(attempt.percentage)}%) "
        f"and {verdict}."
    )
    notify(users=[attempt.student.user], type="attempt_graded", title=title, message=message, link=result_link(attempt))
    attempt_id = str(attempt.pk)
    transaction.on_commit(lambda: send_attempt_graded_email.delay(attempt_id), robust=True)


def attempt_graded_email_send(*, attempt_id) -> bool:
    """E-mail the student their result (the Celery task's body). False when there is nothing to send."""
    attempt = QuizAttempt.objects.select_related("quiz", "student__user").filter(pk=attempt_id).first()
    if attempt is None or attempt.status != AttemptStatus.GRADED or not attempt.student.user.email:
        return False
    quiz = attempt.quiz
    verdict = "passed" if attempt.passed else "did not pass"
    body = (
        f"Hello {attempt.student.user.name},\n\n"
        f'Your attempt at "{quiz.title}" ({quiz.subject}) has been graded.\n'
        f"Score: {marks_text(attempt.score)} out of {attempt.total_marks} ({marks_text(attempt.percentage)}%). "
        f"You {verdict}.\n"
        f"\nSee the details in Quizsite: {result_link(attempt)}\n"
    )
    send_mail(
        subject=f"Your result: {quiz.title}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[attempt.student.user.email],
    )
    return True


@shared_task(
    name="grading.tasks.send_attempt_graded_email",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_attempt_graded_email(attempt_id: str) -> bool:
    """E-mail a student that their attempt was graded (console backend unless EMAIL_BACKEND says otherwise)."""
    return attempt_graded_email_send(attempt_id=attempt_id)
