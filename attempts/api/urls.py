"""REST routes of the attempts app under /api/v1/."""

from django.urls import re_path

from attempts.api import views
from quizsite.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("attempts", views.AttemptViewSet, basename="attempt")

urlpatterns = [
    # Before the router's routes: the hot path skips the viewset machinery.
    re_path(rf"^attempts/(?P<pk>{views.UUID_RE})/answer/?$", views.AttemptAnswerView.as_view(), name="attempt-answer"),
    re_path(rf"^quizzes/(?P<pk>{views.UUID_RE})/start/?$", views.QuizStartView.as_view(), name="quiz-start"),
    re_path(
        rf"^attempts/(?P<pk>{views.UUID_RE})/release-session/?$",
        views.AttemptReleaseSessionView.as_view(),
        name="attempt-release-session",
    ),
    *router.urls,
]
