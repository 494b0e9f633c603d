"""HTML pages of the analytics app."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("teacher/<uuid:teacher_id>/", views.teacher_dashboard, name="teacher"),
    path("student/<uuid:student_id>/", views.student_dashboard, name="student"),
    path("quiz/<uuid:quiz_id>/", views.quiz_analytics, name="quiz"),
    path("quiz/<uuid:quiz_id>/print/", views.quiz_print, name="quiz_print"),
    path("attempts/<uuid:attempt_id>/print/", views.attempt_print, name="attempt_print"),
]
