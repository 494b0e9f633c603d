from rest_framework.routers import DefaultRouter, SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """The SPA calls `/api/v1/quizzes` without a trailing slash; browsers and curl users often add one.
    Accept both instead of redirecting (a redirected POST loses its body).

    DRF turns any truthy `trailing_slash` argument into "/", so the regex is set after construction.
    """

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


class OptionalSlashDefaultRouter(DefaultRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
