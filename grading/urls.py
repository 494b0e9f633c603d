"""HTML pages of the grading app."""

from django.urls import path

from grading import views

app_name = "grading"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("attempts/<uuid:pk>/", views.attempt, name="attempt"),
    path("attempts/<uuid:pk>/extend/", views.attempt_extend, name="attempt_extend"),
    path("attempts/<uuid:pk>/force-submit/", views.attempt_force_submit, name="attempt_force_submit"),
    path("attempts/<uuid:pk>/reinstate/", views.attempt_reinstate, name="attempt_reinstate"),
    path("quizzes/<uuid:pk>/board/", views.board, name="board"),
    path("quizzes/<uuid:pk>/extend/", views.quiz_extend, name="quiz_extend"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<uuid:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
