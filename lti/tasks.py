"""Grade passback off the request: one task per score, retried with back-off while the LMS is unreachable."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lti.models import GradeStatus, UsedNonce
from lti.services.grades import grade_send


def backoff_seconds(tries: int) -> int:
    return min(settings.LTI_GRADE_RETRY_BASE_SECONDS * 2 ** max(tries - 1, 0), 3600)


@shared_task(name="lti.tasks.send_grade", ignore_result=True)
def send_grade(sync_id: str) -> None:
    sync = grade_send(sync_id=sync_id)
    if sync is not None and sync.status == GradeStatus.WAITING and sync.tries:
        send_grade.apply_async((sync_id,), countdown=backoff_seconds(sync.tries))


@shared_task(name="lti.tasks.purge_used_nonces", ignore_result=True)
def purge_used_nonces() -> int:
    """Forget nonces long after their id_tokens expired (platforms issue them for minutes; the signature check
    refuses an expired token before its nonce is looked at)."""
    deleted, _ = UsedNonce.objects.filter(used_at__lt=timezone.now() - timedelta(days=2)).delete()
    return deleted
