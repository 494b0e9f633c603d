"""The one domain error of the accounts app (STYLE.md), and its throttled variant."""

from quizsite.errors import DomainError


class AccountError(DomainError):
    """The accounts app's domain error: the API renders it as a 4xx with `detail`, pages as a form error."""


class AccountThrottled(AccountError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, status_code=429, code="throttled")
        self.retry_after = retry_after
