"""HTML pages of the quizzes app."""

from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_list, name="list"),
    path("new/", views.quiz_create, name="create"),
    path("<uuid:pk>/", views.quiz_detail, name="detail"),
    path("<uuid:pk>/edit/", views.quiz_edit, name="edit"),
    path("<uuid:pk>/questions/", views.quiz_builder, name="builder"),
    path("<uuid:pk>/preview/", views.quiz_preview, name="preview"),
    path("<uuid:pk>/code/", views.quiz_code, name="code"),
    path("<uuid:pk>/publish/", views.quiz_publish, name="publish"),
    path("<uuid:pk>/archive/", views.quiz_archive, name="archive"),
    path("<uuid:pk>/unpublish/", views.quiz_unpublish, name="unpublish"),
    path("<uuid:pk>/delete/", views.quiz_delete, name="delete"),
    path("<uuid:pk>/overrides/", views.quiz_override_add, name="override_add"),
    path("<uuid:pk>/overrides/<uuid:override_id>/delete/", views.quiz_override_delete, name="override_delete"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/import/", views.question_import, name="question_import"),
    path("questions/import/<uuid:pk>/", views.question_import_job, name="question_import_job"),
    path("questions/export/", views.question_export, name="question_export"),
    path("questions/<uuid:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<uuid:pk>/delete/", views.question_delete, name="question_delete"),
    # Issue 15: question images, served only to those allowed to see the question.
    path("questions/<uuid:pk>/images/", views.question_image_upload, name="question_image_upload"),
    path(
        "questions/<uuid:pk>/images/<uuid:image_pk>/delete/",
        views.question_image_remove,
        name="question_image_remove",
    ),
    path("images/<uuid:pk>/", views.question_image, name="question_image"),
]
