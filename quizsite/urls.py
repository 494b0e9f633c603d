from django.contrib import admin
from django.urls import include, path

from quizsite import views
from quizsite.api.docs import SchemaView, swagger_ui

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("classrooms.api.urls")),
    path("", include("quizzes.api.urls")),
    path("", include("attempts.api.urls")),
    path("", include("grading.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("integrity.api.urls")),  # issue 20
    path("", include("lti.api.urls")),  # issue 19: LTI grade passback status
    path("", include("reports.api.urls")),  # issue 22: background report jobs
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Open while developing, for signed-in staff otherwise (API_DOCS_PUBLIC, quizsite.api.docs).
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
    path("accounts/", include("accounts.urls")),
    path("classes/", include("classrooms.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("attempts/", include("attempts.urls")),
    path("grading/", include("grading.urls")),
    path("analytics/", include("analytics.urls")),
    path("integrity/", include("integrity.urls")),  # issue 20
    # LTI 1.3 (issue 19): registration, JWKS, OIDC login/launch, deep linking, grades and roster pages.
    path("lti/", include("lti.urls")),
    path("reports/", include("reports.urls")),  # issue 22: background reports, results e-mails
]

handler400 = "quizsite.views.error_400"
handler403 = "quizsite.views.error_403"
handler404 = "quizsite.views.error_404"
handler500 = "quizsite.views.error_500"
