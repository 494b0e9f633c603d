"""The integrity API: the same services as the pages, the same scoping; students 403, other teachers 404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attempts.models import QuizAttempt
from integrity.models import CollusionLead, LeadConclusion, QuestionFix

pytestmark = pytest.mark.django_db


def test_leads_compute_list_and_conclude(api_for, copied_quiz, teacher, django_capture_on_commit_callbacks):
    client = api_for(teacher)
    base = f"/api/v1/integrity/quizzes/{copied_quiz.pk}/leads"
    assert client.get(base).json() == {"run": None, "leads": []}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/compute")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    body = client.get(base).json()
    assert body["run"]["status"] == "done" and body["run"]["students"] == 14
    top = body["leads"][0]
    assert top["significant"] and {top["student_a"]["name"], top["student_b"]["name"]} == {"Alice Johnson", "Bob Brown"}
    assert top["identical_wrong"] == 6 and top["explanation"][0].startswith("12 identical answers")
    response = client.post(
        f"/api/v1/integrity/leads/{top['id']}/conclusion", {"conclusion": "no_concern"}, format="json"
    )
    assert response.status_code == 200 and response.json()["conclusion"] == "no_concern"
    assert client.get(base).json()["leads"][0]["conclusion"] == "no_concern"
    bad = client.post(f"/api/v1/integrity/leads/{top['id']}/conclusion", {"conclusion": "guilty"}, format="json")
    assert bad.status_code == 400


def test_fix_and_undo(api_for, flawed, teacher, django_capture_on_commit_callbacks):
    client = api_for(teacher)
    url = f"/api/v1/integrity/quizzes/{flawed.pk}/questions/{flawed.q1.pk}/fixes"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "accept_option", "value": "2", "reason": "C too"}, format="json")
    assert response.status_code == 201, response.json()
    fix = response.json()
    assert fix["action"] == "accept_option" and fix["value"] == 2
    bob = flawed.attempts_by_name["Bob"]
    assert QuizAttempt.objects.get(pk=bob.pk).score == Decimal("3.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/integrity/fixes/{fix['id']}/undo")
    assert response.status_code == 200 and response.json()["undone_at"]
    assert QuizAttempt.objects.get(pk=bob.pk).score == Decimal("2.00")
    bad = client.post(url, {"action": "accept_option", "value": "1", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "already the correct answer" in bad.json()["detail"]


@pytest.mark.parametrize("who, status", [("other_teacher", 404), ("student", 403), (None, 401)])
def test_outsiders(
    api_for,
    api,
    request,
    copied_quiz,
    flawed,
    teacher,
    who,
    status,
    django_capture_on_commit_callbacks,
):
    from integrity import quality, services

    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    with django_capture_on_commit_callbacks(execute=True):
        fix = quality.question_fix_apply(
            quiz=flawed, question=flawed.q1, by=teacher.user, action="full_marks", reason="x"
        )
    client = api_for(request.getfixturevalue(who)) if who else api
    assert client.get(f"/api/v1/integrity/quizzes/{copied_quiz.pk}/leads").status_code == status
    assert client.post(f"/api/v1/integrity/quizzes/{copied_quiz.pk}/leads/compute").status_code == status
    assert (
        client.post(
            f"/api/v1/integrity/leads/{lead.pk}/conclusion", {"conclusion": "misconduct"}, format="json"
        ).status_code
        == status
    )
    assert (
        client.post(
            f"/api/v1/integrity/quizzes/{flawed.pk}/questions/{flawed.q1.pk}/fixes",
            {"action": "drop", "reason": "x"},
            format="json",
        ).status_code
        == status
    )
    assert client.post(f"/api/v1/integrity/fixes/{fix.pk}/undo").status_code == status
    assert not LeadConclusion.objects.exists()
    assert QuestionFix.objects.get().active and CollusionLead.objects.count() >= 1
