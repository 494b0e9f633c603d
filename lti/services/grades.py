"""Assignment and Grade Services: the score of the attempt that counts goes to the LMS line item (issue 19).

Which attempt counts: the quiz has no best/last/first setting yet, so the best finished attempt counts (highest
score, the earliest of equals), the same rule a gradebook shows a student who retook a quiz to improve.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from accounts.models import User
from accounts.services.audit import audit_record
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt
from lti.errors import LtiError
from lti.models import GradeStatus, GradeSync, Identity, QuizLink
from lti.toolconf import http_session, registration_for

logger = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def counted_attempts(link: QuizLink) -> list[tuple[QuizAttempt, str]]:
    """(the attempt that counts, the LMS user id) for each student of this link's LMS who finished the quiz."""
    subs = dict(
        Identity.objects.filter(issuer=link.platform.issuer, user__student__isnull=False).values_list("user_id", "sub")
    )
    if not subs:
        return []
    best: dict = {}
    attempts = (
        QuizAttempt.objects.filter(quiz_id=link.quiz_id, student_id__in=list(subs), status__in=FINISHED_STATUSES)
        .exclude(score__isnull=True)
        .order_by("student_id", "-score", "submitted_at")
    )
    for attempt in attempts:
        best.setdefault(attempt.student_id, attempt)
    return [(a, subs[a.student_id]) for a in best.values()]


def grades_queue_for_quiz(quiz_id) -> list[GradeSync]:
    """After a submit, hand mark or regrade of `quiz_id`: a waiting GradeSync for every counted score the LMS does
    not have yet. Returns them; the caller queues the sends."""
    queued = []
    links = QuizLink.objects.select_related("platform").filter(quiz_id=quiz_id, platform__is_active=True)
    for link in links.exclude(lineitem_url=""):
        for attempt, sub in counted_attempts(link):
            current = GradeSync.objects.filter(link=link, attempt=attempt).first()
            total = Decimal(attempt.total_marks or 0)
            fully_graded = attempt.status == AttemptStatus.GRADED
            if (
                current
                and (current.score_given, current.score_maximum, current.fully_graded)
                == (attempt.score, total, fully_graded)
                and current.status != GradeStatus.FAILED
            ):
                continue
            sync, _ = GradeSync.objects.update_or_create(
                link=link,
                attempt=attempt,
                defaults={
                    "lms_user_id": sub,
                    "status": GradeStatus.WAITING,
                    "score_given": attempt.score,
                    "score_maximum": total,
                    "fully_graded": fully_graded,
                    "tries": 0,
                    "last_error": "",
                },
            )
            queued.append(sync)
    return queued


def _grade(sync: GradeSync) -> Grade:
    attempt = sync.attempt
    return (
        Grade()
        .set_score_given(float(sync.score_given))
        .set_score_maximum(float(sync.score_maximum))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded" if sync.fully_graded else "PendingManual")
        .set_timestamp((attempt.submitted_at or timezone.now()).isoformat())
        .set_user_id(sync.lms_user_id)
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, LtiServiceException):
        return f"The LMS answered {exc.response.status_code}: {exc.response.text[:300]}"
    return f"{type(exc).__name__}: {exc}"[:500]


def grade_send(*, sync_id) -> GradeSync | None:
    """Post one score (token by client_credentials with our signed assertion; pylti1p3 does both). Records the
    outcome; returns the row, whose status says whether to try again (waiting) or not (sent, failed)."""
    sync = GradeSync.objects.select_related("link__platform", "attempt").filter(pk=sync_id).first()
    if sync is None or sync.status == GradeStatus.SENT:
        return sync
    link = sync.link
    scopes = link.ags_scopes or [SCORE_SCOPE]
    service = AssignmentsGradesService(
        ServiceConnector(registration_for(link.platform), http_session()),
        {"scope": scopes, "lineitem": link.lineitem_url},
    )
    try:
        service.put_grade(_grade(sync))
    except Exception as exc:  # the LMS or the network: recorded on the row, never raised into the worker
        sync.tries += 1
        sync.last_error = _reason(exc)
        sync.status = GradeStatus.FAILED if sync.tries >= settings.LTI_GRADE_MAX_TRIES else GradeStatus.WAITING
        sync.save(update_fields=["tries", "last_error", "status", "updated_at"])
        if sync.status == GradeStatus.FAILED:
            audit_record(
                action="lti.grade.failed",
                entity=sync.attempt,
                new={"line_item": link.lineitem_url, "reason": sync.last_error},
            )
        return sync
    sync.tries += 1
    sync.status = GradeStatus.SENT
    sync.sent_at = timezone.now()
    sync.last_error = ""
    sync.save(update_fields=["tries", "status", "sent_at", "last_error", "updated_at"])
    audit_record(
        action="lti.grade.sent",
        entity=sync.attempt,
        new={"line_item": link.lineitem_url, "score_given": sync.score_given, "score_maximum": sync.score_maximum},
    )
    return sync


@transaction.atomic
def grade_resend(*, sync: GradeSync, by: User, request=None) -> GradeSync:
    """A teacher sends a score again (after the LMS was down, or the line item was fixed)."""
    if not QuizLink.objects.manageable_by(by).filter(pk=sync.link_id).exists():
        raise LtiError("Only the quiz's teacher can resend its grades.", status_code=403)
    sync.status = GradeStatus.WAITING
    sync.tries = 0
    sync.last_error = ""
    sync.save(update_fields=["status", "tries", "last_error", "updated_at"])
    audit_record(action="lti.grade.resend", by=by, entity=sync.attempt, request=request)
    return sync


def grade_syncs_for_quiz(quiz, user):
    """The passback rows of a quiz `user` manages (the page and any export call this)."""
    links = QuizLink.objects.manageable_by(user).filter(quiz=quiz)
    return (
        GradeSync.objects.filter(link__in=links)
        .select_related("attempt__student__user", "link__platform")
        .order_by("attempt__student__user__name", "-updated_at")
    )


__all__ = ["counted_attempts", "grade_resend", "grade_send", "grade_syncs_for_quiz", "grades_queue_for_quiz"]
