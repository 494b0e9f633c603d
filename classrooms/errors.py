"""The one domain error of the classrooms app (STYLE.md), and the one way its services refuse a role."""

from accounts.models import active_user
from quizsite.errors import DomainError


class ClassroomError(DomainError):
    """A class or roster action that cannot be done: pages show it as a message, the API as a 4xx `detail`."""


def require_role(user, role: str, message: str) -> None:
    """Refuse (403) unless `user` is active and has the role property `role` (`is_admin`, `is_teacher_or_admin`)."""
    user = active_user(user)
    if user is None or not getattr(user, role):
        raise ClassroomError(message, status_code=403)
