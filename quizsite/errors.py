"""The base of every app's domain error (QuizError, AttemptError, ...).

Services raise these; the API renders them as a 4xx with `detail` (quizsite.api.errors) and pages show them as a
form error or message. status_code says which 4xx the API should use.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.message
