"""REST routes of the lti app under /api/v1/ (additions; issue 19). Trailing slash optional, as elsewhere."""

from django.urls import re_path

from lti.api import views

UUID = r"(?P<pk>[0-9a-fA-F-]{36})"

urlpatterns = [
    re_path(rf"^lti/quizzes/{UUID}/grades/?$", views.QuizGradeSyncListView.as_view(), name="lti-quiz-grades"),
    re_path(rf"^lti/grades/{UUID}/resend/?$", views.GradeSyncResendView.as_view(), name="lti-grade-resend"),
]
