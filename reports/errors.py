"""The one domain error of the reports app (STYLE.md)."""

from quizsite.errors import DomainError


class ReportError(DomainError):
    """A report or results e-mail that cannot be started, retried or downloaded: pages show it as a message, the
    API as a 4xx `detail`."""
