"""REST routes of the grading app under /api/v1/ (guide 5.9, the board's teacher actions, notifications).
Every path accepts a trailing slash or none, as the OptionalSlashRouter does."""

from django.urls import re_path

from grading.api import views
from quizsite.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

UUID = r"(?P<pk>[0-9a-fA-F-]{36})"

urlpatterns = [
    re_path(r"^grading/pending/?$", views.PendingListView.as_view(), name="grading-pending"),
    re_path(r"^grading/graded/?$", views.GradedListView.as_view(), name="grading-graded"),
    re_path(rf"^grading/attempts/{UUID}/?$", views.AttemptGradingView.as_view(), name="grading-attempt"),
    re_path(rf"^grading/attempts/{UUID}/grade/?$", views.AttemptGradeView.as_view(), name="grading-grade"),
    re_path(rf"^grading/attempts/{UUID}/extend/?$", views.AttemptExtendView.as_view(), name="grading-extend"),
    re_path(rf"^grading/attempts/{UUID}/force-submit/?$", views.AttemptForceSubmitView.as_view(), name="grading-force"),
    re_path(rf"^grading/attempts/{UUID}/reinstate/?$", views.AttemptReinstateView.as_view(), name="grading-reinstate"),
    re_path(rf"^grading/quizzes/{UUID}/extend/?$", views.QuizExtendView.as_view(), name="grading-quiz-extend"),
    re_path(rf"^grading/quizzes/{UUID}/status/?$", views.QuizStatusView.as_view(), name="grading-quiz-status"),
    *router.urls,
]
