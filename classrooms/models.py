"""Classes and which teachers teach them (guide section 3.1: classes, teacher_classes)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


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
