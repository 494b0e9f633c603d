"""Report jobs (a PDF or zip rendered by a Celery worker, kept for a while for its owner) and results e-mails
(one row per attempt and recipient, so a retried send never e-mails anybody twice).

Why a separate app above analytics: analytics owns no tables and writes nothing (analytics.selectors), while a
report job is a row with a lifecycle, a stored file and e-mails; it renders what analytics and classrooms already
build (analytics.exports, classrooms' claim slips), so it sits above both and they know nothing of it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import by_role, everything


def report_file_path(instance: ReportJob, filename: str) -> str:
    return f"reports/{instance.pk}/{filename}"


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A report holds named students' marks: it is its owner's alone (admins see every job). Students and
        anonymous callers see none."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(owner_id=u.pk))

    def stale(self, now=None):
        """Running jobs whose worker has stopped renewing its lease (killed, out of memory, host lost)."""
        cutoff = (now or timezone.now()) - settings.REPORT_JOB_LEASE
        return self.filter(status=ReportJob.Status.RUNNING, heartbeat_at__lt=cutoff)


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        QUIZ_REPORT = "quiz_report", "Full analytics report"
        RESULTS_REPORT = "results_report", "Full results report"
        CLASS_PACK = "class_pack", "Class pack of attempt reports"
        CLAIM_SLIPS = "claim_slips", "Claim slips of a class"
        REPORT_CARDS = "report_cards", "Report cards"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What to render: quiz_id, class_id, student_id, attempts (all/first/best/last), format (pdf/zip),
    # view (student/teacher), date_from/date_to (report cards).
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The finished file, in the default storage (never under a public URL: served by the download view only).
    file = models.FileField(upload_to=report_file_path, max_length=500, blank=True, default="")
    file_name = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    tries = models.PositiveSmallIntegerField(default=0)
    email_when_done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    # Renewed by the rendering worker after every chunk: a running job whose heartbeat is older than
    # REPORT_JOB_LEASE has lost its worker and may be taken over or retried.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        db_table = "report_jobs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "created_at"], name="idx_report_jobs_owner"),
            models.Index(fields=["status", "heartbeat_at"], name="idx_report_jobs_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0), name="report_job_done_lte_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)


class ResultEmailQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The send log of a quiz's results e-mails: its teacher's (admins see all)."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(quiz__created_by_id=u.pk))


class ResultEmail(models.Model):
    """One results e-mail to one recipient about one attempt. Unique per (attempt, recipient): sending again or a
    retried task finds the row and never sends a second time once it is SENT."""

    class Recipient(models.TextChoices):
        STUDENT = "student", "Student"
        PARENT = "parent", "Parent"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="result_emails")
    attempt = models.ForeignKey("attempts.QuizAttempt", on_delete=models.CASCADE, related_name="result_emails")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    email = models.EmailField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=500, blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ResultEmailQuerySet.as_manager()

    class Meta:
        db_table = "result_emails"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["attempt", "recipient"], name="uniq_result_email_recipient")]

    def __str__(self) -> str:
        return f"results e-mail to {self.email} ({self.status})"
