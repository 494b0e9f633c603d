"""HTML pages of the classrooms app (under /classes/)."""

from django.urls import path

from classrooms import views

app_name = "classrooms"

urlpatterns = [
    path("", views.class_list, name="list"),
    path("new/", views.class_create, name="create"),
    path("<uuid:pk>/", views.class_detail, name="detail"),
    path("<uuid:pk>/edit/", views.class_edit, name="edit"),
    path("<uuid:pk>/delete/", views.class_delete, name="delete"),
    path("<uuid:pk>/assign-teacher/", views.class_assign_teacher, name="assign_teacher"),
    path("<uuid:pk>/teachers/<uuid:teacher_id>/remove/", views.class_unassign_teacher, name="unassign_teacher"),
    path("<uuid:pk>/students/add/", views.class_add_students, name="add_students"),
    path("<uuid:pk>/students/<uuid:student_id>/remove/", views.class_remove_student, name="remove_student"),
    path("<uuid:pk>/claim-slips/", views.class_claim_slips, name="claim_slips"),
    path("students/", views.student_list, name="students"),
    path("students/new/", views.student_create, name="student_create"),
    path("students/<uuid:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<uuid:pk>/delete/", views.student_delete, name="student_delete"),
    path("students/<uuid:pk>/claim-code/", views.student_claim_code, name="student_claim_code"),
    path("students/<uuid:pk>/claim-slip/", views.student_claim_slip, name="student_claim_slip"),
    path("students/<uuid:pk>/accommodation/", views.student_accommodation, name="student_accommodation"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import_job"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/claim-slips/", views.import_claim_slips, name="import_claim_slips"),
    path("import/<uuid:pk>/discard-codes/", views.import_discard_codes, name="import_discard_codes"),
    path("export/", views.export_students, name="export"),
]
