"""The one domain error of the attempts app: services raise it, the API renders it as a 4xx with `detail`,
pages show it as a message."""

from quizsite.errors import DomainError


class AttemptError(DomainError):
    status_code = 400
