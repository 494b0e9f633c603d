"""REST routes of the reports app under /api/v1/ (with or without a trailing slash, like every router)."""

from django.urls import re_path

from reports.api import views

app_name = "reports-api"

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

urlpatterns = [
    re_path(r"^reports/jobs/?$", views.ReportJobListView.as_view(), name="jobs"),
    re_path(rf"^reports/jobs/(?P<pk>{UUID})/?$", views.ReportJobView.as_view(), name="job"),
    re_path(rf"^reports/jobs/(?P<pk>{UUID})/file/?$", views.ReportJobFileView.as_view(), name="job-file"),
    re_path(rf"^reports/jobs/(?P<pk>{UUID})/retry/?$", views.ReportJobRetryView.as_view(), name="job-retry"),
    re_path(rf"^reports/jobs/(?P<pk>{UUID})/cancel/?$", views.ReportJobCancelView.as_view(), name="job-cancel"),
    re_path(
        rf"^reports/quiz/(?P<quiz_id>{UUID})/results-emails/?$",
        views.ResultsEmailsView.as_view(),
        name="results-emails",
    ),
]
