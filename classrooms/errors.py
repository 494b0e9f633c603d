"""The one domain error of the classrooms app (STYLE.md)."""

from quizsite.errors import DomainError


class ClassroomError(DomainError):
    """A class or roster action that cannot be done: pages show it as a message, the API as a 4xx `detail`."""
