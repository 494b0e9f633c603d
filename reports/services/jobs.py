"""The report job lifecycle: queued -> running -> done | failed, then expired when its file is deleted.

A report that could take more than about a second (a full analytics or results report listing every attempt, a
class pack of attempt reports, a class's claim slips) is rendered by a Celery worker, never in a web request. The
worker renders in chunks (analytics.exports) and after each chunk records its progress and renews its lease
(`heartbeat_at`). A worker killed mid-render stops renewing it: the reaper (a beat task) marks the job failed, and
its owner can retry it. The finished file goes to the default storage; it is served to its owner and admins only
(ReportJob.objects.visible_to) and deleted by the beat task once REPORT_FILES_KEEP_HOURS have passed.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Student, active_user
from accounts.services import audit_record, notify
from analytics import exports, selectors
from classrooms.models import SchoolClass
from classrooms.services import claim_codes_reissue, claim_slips_pdf
from quizsite.errors import DomainError
from quizzes.models import Quiz
from reports.errors import ReportError
from reports.models import ReportJob
from reports.selectors import PACK_MODES, finished_attempts_of, report_card

logger = logging.getLogger(__name__)

# At most this many of one person's reports wait or render at once: a double click or a script cannot fill the
# queue that imports and e-mails share.
MAX_ACTIVE_JOBS_PER_USER = 5
PACK_FORMATS = ("pdf", "zip")
PACK_VIEWS = ("student", "teacher")

Kind = ReportJob.Kind
Status = ReportJob.Status


def _require_staff(by) -> None:
    user = active_user(by)
    if user is None or not user.is_teacher_or_admin:
        raise ReportError("Only teachers and administrators can create reports.", status_code=403)


def _quiz_for(by, quiz_id) -> Quiz:
    quiz = Quiz.objects.manageable_by(by).select_related(*selectors.QUIZ_RELATED).filter(pk=quiz_id).first()
    if quiz is None:
        raise ReportError("Quiz not found.", status_code=404)
    return quiz


def _class_for(by, class_id, *, manage: bool = False) -> SchoolClass:
    classes = SchoolClass.objects.manageable_by(by) if manage else SchoolClass.objects.visible_to(by)
    school_class = classes.filter(pk=class_id).first()
    if school_class is None:
        raise ReportError("Class not found.", status_code=404)
    return school_class


def _student_for(by, student_id) -> Student:
    student = Student.objects.visible_to(by).select_related("user", "school_class").filter(pk=student_id).first()
    if student is None:
        raise ReportError("Student not found.", status_code=404)
    return student


def _date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ReportError(f"{name} must be a date (YYYY-MM-DD).") from None


def _choice(value, allowed: tuple[str, ...], name: str) -> str:
    value = (value or allowed[0]).strip().lower() if isinstance(value, str) or value is None else value
    if value not in allowed:
        raise ReportError(f"{name} must be one of: {', '.join(allowed)}.")
    return value


@transaction.atomic
def report_job_start(
    *,
    by,
    kind: str,
    quiz_id=None,
    class_id=None,
    attempts: str | None = None,
    fmt: str | None = None,
    view: str | None = None,
    email_when_done: bool = False,
    student_id=None,
    date_from=None,
    date_to=None,
) -> ReportJob:
    """Check what is asked (the quiz and class through the scoped querysets: an outsider's are "not found"), record
    the job and queue it on a worker after commit. Nothing is rendered here."""
    _require_staff(by)
    kind = _choice(kind, tuple(Kind.values), "kind")
    params: dict = {}
    if kind == Kind.REPORT_CARDS:
        start, end = _date(date_from, "date_from"), _date(date_to, "date_to")
        if start and end and start > end:
            raise ReportError("The term must start before it ends.")
        params.update({"date_from": start.isoformat() if start else None, "date_to": end.isoformat() if end else None})
        if student_id:
            student = _student_for(by, student_id)
            params["student_id"] = str(student.pk)
            title = f"{student.user.name} ({student.registration_number})"
        elif class_id:
            school_class = _class_for(by, class_id)
            params["class_id"] = str(school_class.pk)
            title = str(school_class)
        else:
            raise ReportError("Choose a student or a class.")
    elif kind == Kind.CLAIM_SLIPS:
        if not class_id:
            raise ReportError("Choose a class.")
        school_class = _class_for(by, class_id, manage=True)
        params["class_id"] = str(school_class.pk)
        title = f"Claim slips — {school_class}"
    else:
        if not quiz_id:
            raise ReportError("Choose a quiz.")
        quiz = _quiz_for(by, quiz_id)
        params["quiz_id"] = str(quiz.pk)
        title = quiz.title
        if kind == Kind.QUIZ_REPORT:
            params["attempts"] = selectors.parse_attempts_mode(attempts)
        elif kind == Kind.CLASS_PACK:
            params["attempts"] = _choice(attempts, PACK_MODES, "attempts")
            params["format"] = _choice(fmt, PACK_FORMATS, "format")
            params["view"] = _choice(view, PACK_VIEWS, "view")
            if class_id:
                school_class = _class_for(by, class_id)
                params["class_id"] = str(school_class.pk)
                title = f"{quiz.title} — {school_class}"
    user = active_user(by)
    active = ReportJob.objects.select_for_update().filter(owner=user, status__in=[Status.QUEUED, Status.RUNNING])
    if len(active) >= MAX_ACTIVE_JOBS_PER_USER:
        raise ReportError(
            f"You already have {MAX_ACTIVE_JOBS_PER_USER} reports waiting or rendering; wait for one to finish.",
            status_code=429,
        )
    job = ReportJob.objects.create(
        owner=user, kind=kind, params=params, title=title[:255], email_when_done=bool(email_when_done)
    )
    audit_record(action="report.requested", by=user, entity=job, new={"kind": kind, **params})
    _queue(job)
    return job


def _queue(job: ReportJob) -> None:
    transaction.on_commit(lambda: run_report_job.delay(str(job.pk)))


@transaction.atomic
def report_job_retry(*, job: ReportJob, by) -> ReportJob:
    """Queue a failed job again (a worker that was killed, a quiz briefly unavailable...). A job still rendering
    whose lease has run out counts as failed."""
    _require_staff(by)
    job = ReportJob.objects.visible_to(by).select_for_update().filter(pk=job.pk).first()
    if job is None:
        raise ReportError("Report not found.", status_code=404)
    lapsed = ReportJob.objects.stale().filter(pk=job.pk).exists()
    if job.status != Status.FAILED and not lapsed:
        raise ReportError("Only a report that failed can be retried.", status_code=409)
    job.status, job.done, job.error, job.finished_at = Status.QUEUED, 0, "", None
    job.save(update_fields=["status", "done", "error", "finished_at"])
    audit_record(action="report.retried", by=by, entity=job)
    _queue(job)
    return job


@transaction.atomic
def report_job_cancel(*, job: ReportJob, by) -> ReportJob:
    """Stop a queued or rendering job: it is marked failed ("Cancelled"), so the worker's next progress update
    finds it gone and stops without writing a file; it can be retried later."""
    _require_staff(by)
    job = ReportJob.objects.visible_to(by).select_for_update().filter(pk=job.pk).first()
    if job is None:
        raise ReportError("Report not found.", status_code=404)
    if job.status not in (Status.QUEUED, Status.RUNNING):
        raise ReportError("Only a report that is waiting or rendering can be cancelled.", status_code=409)
    job.status, job.error, job.finished_at = Status.FAILED, "Cancelled.", timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    audit_record(action="report.cancelled", by=by, entity=job)
    return job


class _LostLease(Exception):
    """The job was reaped or taken over by another worker while this one rendered: stop, write nothing."""


def _claim(job_id) -> ReportJob | None:
    """Take a queued job (or one whose worker stopped renewing its lease) for this worker."""
    now = timezone.now()
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().select_related("owner").filter(pk=job_id).first()
        if job is None:
            return None
        lapsed = job.status == Status.RUNNING and (
            job.heartbeat_at is None or job.heartbeat_at < now - settings.REPORT_JOB_LEASE
        )
        if job.status != Status.QUEUED and not lapsed:
            return None  # done, failed, expired, or rendering on a live worker (a redelivered message)
        job.status, job.tries, job.done, job.error = Status.RUNNING, job.tries + 1, 0, ""
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["status", "tries", "done", "error", "started_at", "heartbeat_at"])
    return job


def _progress_for(job: ReportJob):
    def progress(done: int, total: int) -> None:
        total = max(total, 0)
        updated = ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, tries=job.tries).update(
            done=min(done, total), total=total, heartbeat_at=timezone.now()
        )
        if not updated:
            raise _LostLease

    return progress


def _render(job: ReportJob, progress) -> exports.ExportFile:
    """Render the job's file as its owner may see it now: every object is loaded again through the owner's scoped
    querysets, so a quiz that was reassigned or a class no longer taught is refused, not rendered."""
    owner, params = job.owner, job.params
    if job.kind == Kind.CLAIM_SLIPS:
        school_class = _class_for(owner, params.get("class_id"), manage=True)
        progress(0, 1)
        codes = claim_codes_reissue(school_class=school_class, by=owner)
        content = claim_slips_pdf(codes=codes, title=f"Claim slips — {school_class}")
        progress(1, 1)
        return exports.ExportFile(content, f"{exports._name(str(school_class), 'claim-slips')}.pdf", "application/pdf")
    if job.kind == Kind.REPORT_CARDS:
        start, end = _date(params.get("date_from"), "date_from"), _date(params.get("date_to"), "date_to")
        if params.get("student_id"):
            students = [_student_for(owner, params["student_id"])]
        else:
            school_class = _class_for(owner, params.get("class_id"))
            students = list(
                Student.objects.visible_to(owner)
                .filter(school_class=school_class)
                .select_related("user", "school_class")
                .order_by("user__name", "registration_number")
            )
        cards = (report_card(student=s, by=owner, start=start, end=end) for s in students)
        return exports.report_cards_file(cards, count=len(students), title=job.title, progress=progress)
    quiz = _quiz_for(owner, params.get("quiz_id"))
    if job.kind == Kind.QUIZ_REPORT:
        return exports.full_quiz_report_file(quiz, attempts=params.get("attempts", "all"), progress=progress)
    if job.kind == Kind.RESULTS_REPORT:
        return exports.full_results_report_file(quiz, progress=progress)
    school_class = _class_for(owner, params["class_id"]) if params.get("class_id") else None
    attempts = finished_attempts_of(quiz=quiz, by=owner, school_class=school_class, mode=params.get("attempts", "last"))
    as_student = params.get("view", "student") == "student"
    return exports.attempts_pack_file(
        attempts,
        viewer_for=(lambda a: a.student.user) if as_student else (lambda a: owner),
        fmt=params.get("format", "pdf"),
        title=job.title,
        progress=progress,
    )


def report_job_run(*, job_id) -> ReportJob | None:
    """Render a queued job (the Celery task). Deliberately not one transaction: the progress of a running job must
    be visible to its progress page, and a failure recorded after the render gave up."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        export = _render(job, _progress_for(job))
    except _LostLease:
        logger.warning("report job %s lost its lease while rendering; dropped", job.pk)
        return None
    except DomainError as exc:
        return _fail(job, exc.message)
    except Exception:
        logger.exception("report job %s failed", job.pk)
        return _fail(job, "The report could not be rendered; try again, and tell the administrator if it fails again.")
    return _finish(job, export)


def _finish(job: ReportJob, export: exports.ExportFile) -> ReportJob | None:
    name = default_storage.save(f"reports/{job.pk}/{export.filename}", ContentFile(export.content))
    now = timezone.now()
    with transaction.atomic():
        current = ReportJob.objects.select_for_update().select_related("owner").filter(pk=job.pk).first()
        if current is None or current.status != Status.RUNNING or current.tries != job.tries:
            transaction.on_commit(lambda: default_storage.delete(name))
            return None
        current.file.name = name
        current.file_name, current.content_type, current.size = (
            export.filename,
            export.content_type,
            len(export.content),
        )
        current.status, current.finished_at = Status.DONE, now
        current.done = current.total = max(current.total, current.done, 1)
        current.expires_at = now + timedelta(hours=settings.REPORT_FILES_KEEP_HOURS)
        current.save(
            update_fields=[
                "file", "file_name", "content_type", "size", "status", "finished_at", "done", "total", "expires_at"
            ]
        )  # fmt: skip
        link = reverse("reports:job", args=[current.pk])
        notify(
            users=[current.owner],
            type="report_ready",
            title=f"Report ready: {current.title}"[:255],
            message=f"Your {current.get_kind_display().lower()} is ready to download until "
            f"{timezone.localtime(current.expires_at):%Y-%m-%d %H:%M}.",
            link=link,
        )
        if current.email_when_done and current.owner.email:
            transaction.on_commit(lambda: _email_owner(current, link))
    return current


def _email_owner(job: ReportJob, link: str) -> None:
    try:
        send_mail(
            subject=f"Your report is ready: {job.title}",
            message=(
                f'Hello {job.owner.name},\n\nYour {job.get_kind_display().lower()} "{job.title}" is ready. '
                f"Download it from Quizsite (Reports, {link}) before "
                f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}; the file is not attached because it holds "
                "students' results.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[job.owner.email],
        )
    except Exception:  # the report is ready either way; the notification says so
        logger.warning("could not e-mail report %s to its owner", job.pk, exc_info=True)


def _fail(job: ReportJob, message: str) -> ReportJob:
    with transaction.atomic():
        updated = ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, tries=job.tries).update(
            status=Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        if updated:
            notify(
                users=[job.owner],
                type="report_failed",
                title=f"Report failed: {job.title}"[:255],
                message=message,
                link=reverse("reports:job", args=[job.pk]),
            )
    job.refresh_from_db()
    return job


# The worker that runs it acknowledges the message only when done (acks_late, the project default): a worker killed
# mid-render leaves the message to be redelivered, and _claim takes the job over only once its lease has lapsed.
@shared_task(name="reports.tasks.run_report_job", ignore_result=True)
def run_report_job(job_id: str) -> None:
    report_job_run(job_id=job_id)


def report_jobs_reap_stale(*, now=None) -> int:
    """Mark failed the running jobs whose worker stopped renewing its lease, so their owners see it and can retry
    (run every minute by beat). Returns how many were reaped."""
    now = now or timezone.now()
    jobs = list(ReportJob.objects.stale(now).select_related("owner"))
    reaped = 0
    for job in jobs:
        message = "The worker rendering this report stopped before it finished. Retry it."
        if (
            ReportJob.objects.stale(now)
            .filter(pk=job.pk, tries=job.tries)
            .update(status=Status.FAILED, error=message, finished_at=now)
        ):
            reaped += 1
            notify(users=[job.owner], type="report_failed", title=f"Report failed: {job.title}"[:255],
                   message=message, link=reverse("reports:job", args=[job.pk]))  # fmt: skip
    return reaped


def report_jobs_purge_expired(*, now=None) -> int:
    """Delete the files of reports kept past their expiry (run by beat); the job stays, marked expired, so its page
    says so instead of 404. Returns how many files were deleted."""
    now = now or timezone.now()
    purged = 0
    for job in ReportJob.objects.filter(status=Status.DONE, expires_at__lte=now):
        name = job.file.name
        if ReportJob.objects.filter(pk=job.pk, status=Status.DONE).update(status=Status.EXPIRED, file=""):
            if name:
                default_storage.delete(name)
            purged += 1
    return purged
