"""REST routes of the quizzes app under /api/v1/."""

from django.urls import re_path

from quizsite.api.routers import OptionalSlashRouter
from quizzes.api import overrides, slots
from quizzes.api.views import QuestionViewSet, QuizViewSet

router = OptionalSlashRouter()
router.register("questions", QuestionViewSet, basename="question")
router.register("quizzes", QuizViewSet, basename="quiz")

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

urlpatterns = [
    # Issue 17: overrides and a student's effective settings (additive paths, before the router's).
    re_path(rf"^quizzes/(?P<pk>{_UUID})/overrides/?$", overrides.QuizOverridesView.as_view(), name="quiz-overrides"),
    re_path(
        rf"^quizzes/(?P<pk>{_UUID})/overrides/(?P<override_id>{_UUID})/?$",
        overrides.QuizOverrideDetailView.as_view(),
        name="quiz-override-detail",
    ),
    re_path(
        rf"^quizzes/(?P<pk>{_UUID})/my-settings/?$", overrides.MyQuizSettingsView.as_view(), name="quiz-my-settings"
    ),
    # Issue 16: random slots (additive paths, before the router's).
    re_path(rf"^quizzes/(?P<pk>{_UUID})/slots/?$", slots.QuizSlotsView.as_view(), name="quiz-slots"),
    re_path(
        rf"^quizzes/(?P<pk>{_UUID})/slots/preview/?$", slots.QuizSlotPreviewView.as_view(), name="quiz-slots-preview"
    ),
    re_path(
        rf"^quizzes/(?P<pk>{_UUID})/slots/(?P<slot_id>{_UUID})/?$",
        slots.QuizSlotDetailView.as_view(),
        name="quiz-slot-detail",
    ),
    *router.urls,
]
