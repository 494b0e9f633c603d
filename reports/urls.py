"""Pages of the reports app."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("start/", views.job_start, name="start"),
    path("<uuid:pk>/", views.job_detail, name="job"),
    path("<uuid:pk>/download/", views.job_download, name="download"),
    path("<uuid:pk>/retry/", views.job_retry, name="retry"),
    path("<uuid:pk>/cancel/", views.job_cancel, name="cancel"),
    path("quiz/<uuid:quiz_id>/", views.quiz_reports, name="quiz"),
    path("quiz/<uuid:quiz_id>/results-emails/<uuid:class_id>/", views.results_emails, name="results_emails"),
]
