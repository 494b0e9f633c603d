"""REST routes of the classrooms app under /api/v1/ (namespace "classrooms-api")."""

from django.urls import re_path

from classrooms.api import accommodations, views
from quizsite.api.routers import OptionalSlashRouter

app_name = "classrooms-api"

router = OptionalSlashRouter()
router.register("classes", views.ClassViewSet, basename="class")
router.register("students", views.StudentViewSet, basename="student")

UUID = views.UUID_RE

# Plain paths before the router's, each with an optional trailing slash like the router's routes.
urlpatterns = [
    re_path(r"^students/export/?$", views.StudentExportView.as_view(), name="student-export"),
    re_path(r"^exports/students/?$", views.StudentExportView.as_view(), name="export-students"),
    re_path(rf"^students/import-jobs/(?P<pk>{UUID})/?$", views.ImportJobView.as_view(), name="import-job"),
    re_path(
        rf"^students/import-jobs/(?P<pk>{UUID})/claim-slips/?$",
        views.ImportJobClaimSlipsView.as_view(),
        name="import-job-claim-slips",
    ),
    # The accounts app's teachers router serves teachers/{id}; this one path of guide 5.4 lives here.
    re_path(rf"^teachers/(?P<pk>{UUID})/students/?$", views.TeacherStudentsView.as_view(), name="teacher-students"),
    # Issue 17: a student's exam accommodations.
    re_path(
        rf"^students/(?P<pk>{UUID})/accommodation/?$",
        accommodations.StudentAccommodationView.as_view(),
        name="student-accommodation",
    ),
    *router.urls,
]
