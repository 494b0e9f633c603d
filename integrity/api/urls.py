"""REST routes of the integrity app under /api/v1/ (issue 20); a trailing slash or none."""

from django.urls import re_path

from integrity.api import views

UUID = r"[0-9a-fA-F-]{36}"

urlpatterns = [
    re_path(rf"^integrity/quizzes/(?P<pk>{UUID})/leads/?$", views.QuizLeadsView.as_view(), name="integrity-leads"),
    re_path(
        rf"^integrity/quizzes/(?P<pk>{UUID})/leads/compute/?$",
        views.QuizLeadsComputeView.as_view(),
        name="integrity-leads-compute",
    ),
    re_path(
        rf"^integrity/leads/(?P<pk>{UUID})/conclusion/?$",
        views.LeadConclusionView.as_view(),
        name="integrity-lead-conclusion",
    ),
    re_path(
        rf"^integrity/quizzes/(?P<quiz_id>{UUID})/questions/(?P<question_id>{UUID})/fixes/?$",
        views.QuestionFixView.as_view(),
        name="integrity-question-fix",
    ),
    re_path(
        rf"^integrity/fixes/(?P<pk>{UUID})/undo/?$", views.QuestionFixUndoView.as_view(), name="integrity-fix-undo"
    ),
]
