"""REST routes of the analytics app under /api/v1/: analytics/... and exports/... (with or without a trailing
slash, like every router of the project)."""

from django.urls import re_path

from analytics.api import views

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def route(pattern: str, view, name: str):
    return re_path(rf"^{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    route("analytics/admin", views.AdminAnalyticsView, "analytics-admin"),
    route(rf"analytics/teacher/(?P<teacher_id>{UUID})", views.TeacherAnalyticsView, "analytics-teacher"),
    route(rf"analytics/student/(?P<student_id>{UUID})", views.StudentAnalyticsView, "analytics-student"),
    route(rf"analytics/quiz/(?P<quiz_id>{UUID})", views.QuizAnalyticsView, "analytics-quiz"),
    route(rf"analytics/quiz/(?P<quiz_id>{UUID})/export", views.QuizAnalyticsExportView, "analytics-quiz-export"),
    route(rf"exports/quiz/(?P<quiz_id>{UUID})/results", views.QuizResultsExportView, "exports-quiz-results"),
    route(rf"exports/attempts/(?P<attempt_id>{UUID})/pdf", views.AttemptPdfExportView, "exports-attempt-pdf"),
    route(rf"exports/analytics/(?P<quiz_id>{UUID})", views.AnalyticsPdfExportView, "exports-analytics"),
]
