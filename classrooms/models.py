"""Classes and which teachers teach them (guide section 3.1: classes, teacher_classes)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import active_user, by_role, everything


class SchoolClassQuerySet(models.QuerySet):
    """Scoped querysets (STYLE.md): the one place that says whose classes a user may see or change."""

    def taught_by(self, user):
        """The classes `user` is assigned to teach (whatever their role)."""
        user = active_user(user)
        if user is None:
            return self.none()
        return self.filter(teacher_links__teacher_id=user.pk)

    def manageable_by(self, user):
        """Classes whose roster `user` may change: all for admins, the ones they teach for teachers."""
        return by_role(self, user, admin=everything(self), teacher=self.taught_by)

    def visible_to(self, user):
        """Admins see every class, a teacher the classes they teach (those they manage), a student their own class."""
        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=self.taught_by,
            student=lambda u: self.filter(students__user_id=u.pk),
        )


class SchoolClass(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    # Empty string rather than NULL for "no section/year": the guide's UNIQUE(name, section, academic_year)
    # treats NULLs as distinct, which would let "10A / (no section) / 2024-2025" be created twice.
    section = models.CharField(max_length=50, blank=True, default="")
    academic_year = models.CharField(max_length=20, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="classes_created",
        db_column="created_by",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    teachers = models.ManyToManyField("accounts.Teacher", through="TeacherClass", related_name="classes", blank=True)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        db_table = "classes"
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name", "section", "academic_year"]
        constraints = [
            models.UniqueConstraint(fields=["name", "section", "academic_year"], name="classes_name_section_year_uniq"),
            models.CheckConstraint(condition=~models.Q(name=""), name="classes_name_not_empty"),
        ]

    def __str__(self) -> str:
        label = self.name
        if self.section and self.section not in self.name:
            label = f"{label} {self.section}"
        if self.academic_year:
            label = f"{label} ({self.academic_year})"
        return label


class TeacherClass(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    teacher = models.ForeignKey("accounts.Teacher", on_delete=models.CASCADE, related_name="class_links")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="teacher_links", db_column="class_id"
    )
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "teacher_classes"
        constraints = [models.UniqueConstraint(fields=["teacher", "school_class"], name="teacher_classes_uniq")]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.school_class}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import's file, errors and claim codes are its creator's alone (admins see them too)."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(created_by_id=u.pk))


class ImportJob(models.Model):
    """One student import: the uploaded file, its dry-run preview or final result, and (briefly) its claim codes.

    Why a row: the import page previews a file and imports it on a later request, and files above
    ASYNC_THRESHOLD rows are imported by a Celery worker, so the file content and the result must outlive the
    request. The result has the API's shape ({message, imported, failed, errors, ...}).
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview (dry run)"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    file_name = models.CharField(max_length=255, blank=True, default="")
    # The uploaded bytes (at most 5 MB, quizsite.tabular's limit); emptied once the import has run.
    content = models.BinaryField(blank=True, default=b"")
    # Students without a date of birth always get a claim code; this gives one to those with a date of birth too.
    issue_claim_codes = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    # Plain-text claim codes of this import, shown to its creator right after the import and then discarded
    # (see classrooms.services.import_job_claim_codes); only their hashes stay, on Student.claim_code_hash.
    claim_codes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        db_table = "student_import_jobs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="idx_import_jobs_creator")]

    def __str__(self) -> str:
        return f"import {self.file_name or self.pk} ({self.status})"
