"""What every service of the quizzes app shares: its domain error, and whose bank or quiz a new object belongs to."""

from __future__ import annotations

from accounts.models import Teacher, User
from quizsite.errors import DomainError


class QuizError(DomainError):
    """A rule of the question bank or of a quiz's life cycle was broken."""


def _owner_for(*, by: User, owner: Teacher | None) -> Teacher:
    """Whose bank or quiz a new object belongs to: a teacher's own; an admin must name the teacher."""
    if by.is_teacher:
        if owner is not None and owner.pk != by.pk:
            raise QuizError("Teachers create questions and quizzes for themselves only.", status_code=403)
        try:
            return by.teacher
        except Teacher.DoesNotExist:
            raise QuizError("Your account has no teacher profile.", status_code=403) from None
    if by.is_admin:
        if owner is None:
            raise QuizError(
                "Administrators must say which teacher owns it: send created_by (a teacher id).", code="owner_required"
            )
        return owner
    raise QuizError("Only teachers and administrators can do this.", status_code=403)
