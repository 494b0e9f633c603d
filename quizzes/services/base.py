"""What every service of the quizzes app shares: its domain error, and whose bank or quiz a new object belongs to."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError

from accounts.models import Teacher, User
from quizsite.errors import DomainError


class QuizError(DomainError):
    """A rule of the question bank or of a quiz's life cycle was broken."""


def resolve_owner(*, by: User, owner_id: UUID | str | None = None) -> Teacher:
    """Whose bank or quiz a new object belongs to: a teacher's own; an admin must name the teacher (`owner_id`),
    looked up among the teachers the admin may act for, so the page and the API cannot check differently."""
    if by.is_teacher:
        if owner_id is not None and str(owner_id) != str(by.pk):
            raise QuizError("Teachers create questions and quizzes for themselves only.", status_code=403)
        try:
            return by.teacher
        except Teacher.DoesNotExist:
            raise QuizError("Your account has no teacher profile.", status_code=403) from None
    if by.is_admin:
        if owner_id is None:
            raise QuizError(
                "Administrators must say which teacher owns it: send created_by (a teacher id).", code="owner_required"
            )
        owner = Teacher.objects.manageable_by(by).select_related("user").filter(pk=owner_id).first()
        if owner is None:
            raise ValidationError({"created_by": "No teacher with this id."})
        return owner
    raise QuizError("Only teachers and administrators can do this.", status_code=403)
