from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("admin/", views.registrations, name="registrations"),
    path("admin/new/", views.registration_edit, name="registration_create"),
    path("admin/<uuid:pk>/", views.registration_edit, name="registration_edit"),
    path("admin/rotate-key/", views.key_rotate, name="key_rotate"),
    path("admin/dynamic/", views.dynamic_registration_issue, name="dynamic_issue"),
    path("register/<str:token>/", views.dynamic_registration, name="dynamic"),
    path("jwks/", views.jwks, name="jwks"),
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch_view, name="launch"),
    path("go/<str:ticket>/", views.go, name="go"),
    path("link/<str:ticket>/", views.link_account, name="link"),
    path("deep-link/", views.deep_link_submit, name="deep_link"),
    path("quizzes/<uuid:quiz_pk>/grades/", views.quiz_grades, name="quiz_grades"),
    path("grades/<uuid:pk>/resend/", views.grade_resend, name="grade_resend"),
    path("courses/", views.courses, name="courses"),
    path("courses/<uuid:pk>/sync/", views.course_sync, name="course_sync"),
]
