"""HTML pages of the integrity app."""

from django.urls import path

from integrity import views

app_name = "integrity"

urlpatterns = [
    path("quiz/<uuid:quiz_id>/leads/", views.quiz_leads, name="quiz_leads"),
    path("quiz/<uuid:quiz_id>/leads/compute/", views.quiz_leads_compute, name="quiz_leads_compute"),
    path("leads/<uuid:lead_id>/", views.lead_detail, name="lead"),
]
