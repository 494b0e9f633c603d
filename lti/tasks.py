"""Grade passback off the request: one task per score, retried with back-off while the LMS is unreachable."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from lti.models import GradeStatus
from lti.services.grades import grade_send


def backoff_seconds(tries: int) -> int:
    return min(settings.LTI_GRADE_RETRY_BASE_SECONDS * 2 ** max(tries - 1, 0), 3600)


@shared_task(name="lti.tasks.send_grade", ignore_result=True)
def send_grade(sync_id: str) -> None:
    sync = grade_send(sync_id=sync_id)
    if sync is not None and sync.status == GradeStatus.WAITING and sync.tries:
        send_grade.apply_async((sync_id,), countdown=backoff_seconds(sync.tries))
