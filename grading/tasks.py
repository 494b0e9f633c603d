"""Celery tasks of the grading app: thin wrappers that load by id and call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def regrade_question(question_id: str, by_id: str | None = None) -> dict:
    """Re-mark every finished attempt that used the question after its answer key changed."""
    from accounts.models import User
    from grading.services import question_regrade

    by = User.objects.filter(pk=by_id).first() if by_id else None
    result = question_regrade(question_id=question_id, by=by)
    return {"attempts": result.attempts, "changed": len(result.changed)}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_attempt_graded_email(attempt_id: str) -> bool:
    """E-mail a student that their attempt was graded (console backend unless EMAIL_BACKEND says otherwise)."""
    from grading.services import attempt_graded_email_send

    return attempt_graded_email_send(attempt_id=attempt_id)
