"""Results to families (opt-in): when a teacher releases a quiz's results to a class, each student (and the parent
e-mail on record, where the school turned RESULTS_EMAIL_TO_PARENTS on and the teacher ticks it) gets a short
e-mail with their attempt report attached, sent by a Celery worker.

Who gets one is decided once, in results_email_preview: the graded attempts of the teacher's quiz
(QuizAttempt.objects.gradable_by) by students who are now in the chosen class, a class the teacher may see
(SchoolClass.objects.visible_to). A student of another class who took the same quiz is never in it.

Never twice: a ResultEmail row is unique per (attempt, recipient). Sending again creates rows only for new
recipients and re-queues only those pending or failed. The worker marks a row `sending` (committed) before it
talks to the mail server and `sent` after: a retried task skips a sent row, and a row left `sending` by a worker
that died mid-send is not sent again automatically (at most once), the page shows it for the teacher to check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import active_user
from accounts.services import audit_record
from analytics import exports
from attempts.models import AttemptStatus, QuizAttempt
from classrooms.models import SchoolClass
from grading.services.common import marks_text
from quizzes.models import Quiz
from reports.errors import ReportError
from reports.models import ResultEmail
from reports.selectors import finished_attempts_of

logger = logging.getLogger(__name__)

Recipient = ResultEmail.Recipient
Status = ResultEmail.Status


@dataclass
class RecipientRow:
    attempt: QuizAttempt
    recipient: str
    email: str
    status: str = ""  # of an earlier send, if any
    error: str = ""


@dataclass
class ResultsEmailPreview:
    quiz: Quiz
    school_class: SchoolClass
    rows: list[RecipientRow]
    not_graded: list[QuizAttempt]  # finished but awaiting grading: not sent until graded
    no_email: list[QuizAttempt]  # graded, but the student has no e-mail (and no parent e-mail is used)
    parents_enabled: bool
    sample_subject: str = ""
    sample_body: str = ""


def parents_allowed(include_parents: bool) -> bool:
    """Parents are e-mailed only where the school enabled it AND the teacher asked for it: unset means never."""
    return bool(include_parents and settings.RESULTS_EMAIL_TO_PARENTS)


def _message(attempt: QuizAttempt, recipient: str) -> tuple[str, str]:
    quiz = attempt.quiz
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "student": attempt.student,
        "to_parent": recipient == Recipient.PARENT,
        "score": marks_text(attempt.score),
        "total": attempt.total_marks,
        "percentage": marks_text(attempt.percentage),
    }
    subject = f"Results: {quiz.title} — {attempt.student.user.name}"
    return subject[:200], render_to_string("reports/email/results.txt", context)


def results_email_preview(*, quiz: Quiz, school_class: SchoolClass, by, include_parents: bool = False):
    """Who would get a results e-mail (and what an e-mail says), with the status of any earlier send."""
    user = active_user(by)
    if user is None or not user.is_teacher_or_admin:
        raise ReportError("Only teachers and administrators can send results.", status_code=403)
    if not Quiz.objects.manageable_by(user).filter(pk=quiz.pk).exists():
        raise ReportError("Quiz not found.", status_code=404)
    if not SchoolClass.objects.visible_to(user).filter(pk=school_class.pk).exists():
        raise ReportError("Class not found.", status_code=404)
    finished = finished_attempts_of(quiz=quiz, by=user, school_class=school_class, mode="last")
    graded = [a for a in finished if a.status == AttemptStatus.GRADED]
    not_graded = [a for a in finished if a.status != AttemptStatus.GRADED]
    earlier = {(e.attempt_id, e.recipient): e for e in ResultEmail.objects.filter(attempt__in=graded)}
    parents = parents_allowed(include_parents)
    rows, no_email = [], []
    for attempt in graded:
        targets = []
        if attempt.student.user.email:
            targets.append((Recipient.STUDENT, attempt.student.user.email))
        if parents and attempt.student.parent_email:
            targets.append((Recipient.PARENT, attempt.student.parent_email))
        if not targets:
            no_email.append(attempt)
        for recipient, email in targets:
            before = earlier.get((attempt.pk, recipient))
            rows.append(
                RecipientRow(attempt, recipient, email, before.status if before else "", before.error if before else "")
            )
    preview = ResultsEmailPreview(quiz, school_class, rows, not_graded, no_email, parents)
    if rows:
        preview.sample_subject, preview.sample_body = _message(rows[0].attempt, rows[0].recipient)
    return preview


@transaction.atomic
def results_emails_send(
    *, quiz: Quiz, school_class: SchoolClass, by, include_parents: bool = False
) -> list[ResultEmail]:
    """Record one ResultEmail per recipient of the preview and queue the pending and failed ones; a recipient
    already sent to is left alone. Returns the rows queued."""
    preview = results_email_preview(quiz=quiz, school_class=school_class, by=by, include_parents=include_parents)
    if not preview.rows:
        raise ReportError("Nobody to send to: no graded attempt in this class has an e-mail address.")
    ResultEmail.objects.bulk_create(
        [
            ResultEmail(quiz=quiz, attempt=r.attempt, recipient=r.recipient, email=r.email, requested_by=by)
            for r in preview.rows
        ],
        ignore_conflicts=True,
    )
    attempts = [r.attempt.pk for r in preview.rows]
    to_send = list(
        ResultEmail.objects.select_for_update()
        .filter(attempt_id__in=attempts, status__in=[Status.PENDING, Status.FAILED])
        .filter(recipient__in=[Recipient.STUDENT, *([Recipient.PARENT] if preview.parents_enabled else [])])
    )
    ResultEmail.objects.filter(pk__in=[e.pk for e in to_send]).update(status=Status.PENDING, error="")
    audit_record(
        action="quiz.results_emailed", by=by, entity=quiz,
        new={"class": str(school_class), "queued": len(to_send), "parents": preview.parents_enabled},
    )  # fmt: skip
    ids = [e.pk for e in to_send]
    if ids:
        transaction.on_commit(lambda: send_result_emails.delay(ids))
    return to_send


def results_email_deliver(*, email_id: int) -> str:
    """Send one pending results e-mail, at most once. Returns the row's final status."""
    with transaction.atomic():
        row = (
            ResultEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "attempt__quiz__created_by__user", "attempt__student__user", "attempt__student__school_class"
            )
            .filter(pk=email_id)
            .first()
        )
        if row is None:
            return "locked"
        if row.status != Status.PENDING:
            return row.status
        row.status = Status.SENDING
        row.save(update_fields=["status"])
    attempt = row.attempt
    try:
        subject, body = _message(attempt, row.recipient)
        # The student's own view of their attempt (the review rules of the attempts app), for the parent too.
        report = exports.attempt_pdf(attempt, viewer=attempt.student.user)
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.email])
        message.attach(report.filename, report.content, report.content_type)
        message.send()
    except Exception as exc:
        logger.warning("results e-mail %s failed", row.pk, exc_info=True)
        ResultEmail.objects.filter(pk=row.pk).update(status=Status.FAILED, error=str(exc)[:500] or "send failed")
        return Status.FAILED
    ResultEmail.objects.filter(pk=row.pk).update(status=Status.SENT, sent_at=timezone.now(), error="")
    return Status.SENT


@shared_task(name="reports.tasks.send_result_emails", ignore_result=True)
def send_result_emails(email_ids: list[int]) -> None:
    for email_id in email_ids:
        results_email_deliver(email_id=email_id)
