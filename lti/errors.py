from quizsite.errors import DomainError


class LtiError(DomainError):
    """What can go wrong with an LTI registration, launch, deep link, grade passback or roster sync."""
