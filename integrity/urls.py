"""HTML pages of the integrity app."""

from django.urls import path

from integrity import views

app_name = "integrity"

urlpatterns = [
    path("quiz/<uuid:quiz_id>/leads/", views.quiz_leads, name="quiz_leads"),
    path("quiz/<uuid:quiz_id>/leads/compute/", views.quiz_leads_compute, name="quiz_leads_compute"),
    path("leads/<uuid:lead_id>/", views.lead_detail, name="lead"),
    path("quiz/<uuid:quiz_id>/questions/<uuid:question_id>/", views.question_review, name="question"),
    path("quiz/<uuid:quiz_id>/questions/<uuid:question_id>/fix/", views.question_fix, name="question_fix"),
    path("fixes/<uuid:fix_id>/undo/", views.question_fix_undo, name="question_fix_undo"),
    path("questions/<uuid:question_id>/history/", views.question_history, name="question_history"),
]
