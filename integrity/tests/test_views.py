"""The teacher's pages: leads ranked with their reasons, the side-by-side view, the conclusion; students and other
teachers never see a lead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditLog
from integrity import services
from integrity.models import LeadConclusion
from tests.builders import make_quiz, take_quiz
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def login(client, who):
    client.force_login(getattr(who, "user", who))
    return client


def test_teacher_computes_and_reads_the_ranked_leads(client, copied_quiz, teacher, django_capture_on_commit_callbacks):
    login(client, teacher)
    url = reverse("integrity:quiz_leads", args=[copied_quiz.pk])
    assert "have not been computed" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrity:quiz_leads_compute", args=[copied_quiz.pk]))
    body = client.get(url).content.decode()
    assert "Computed" in body and "from 14 students' latest attempts and 12 questions (91 pairs)" in body
    assert "leads, never verdicts" in body
    assert "Alice Johnson" in body and "Bob Brown" in body
    assert "6 of them identical wrong answers" in body and "below 1 in 1,000,000" in body
    assert "Student 0" not in body.split("Weaker signals")[0].split("strongest evidence first")[1]


def test_side_by_side_and_conclusion(client, copied_quiz, teacher):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    login(client, teacher)
    url = reverse("integrity:lead", args=[lead.pk])
    body = client.get(url).content.decode()
    assert body.count("Same wrong answer") == 6
    assert "D. four" in body  # the rare option, shown as the student saw it
    assert "s apart" in body
    response = client.post(url, {"conclusion": "follow_up", "note": "Seated next to each other."}, follow=True)
    body = response.content.decode()
    assert "Your conclusion is recorded" in body and "Recorded: <strong>Following up</strong>" in body
    assert LeadConclusion.objects.get().note == "Seated next to each other."
    assert AuditLog.objects.filter(action="collusion_lead.conclude", user=teacher.user).count() == 1
    # The ranking shows it.
    assert "Following up" in client.get(reverse("integrity:quiz_leads", args=[copied_quiz.pk])).content.decode()


def test_bad_conclusion_is_a_form_error(client, copied_quiz, teacher):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    login(client, teacher)
    response = client.post(reverse("integrity:lead", args=[lead.pk]), {"conclusion": "guilty"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not LeadConclusion.objects.exists()


@pytest.mark.parametrize("who, status", [("other_teacher", 404), ("student", 403), ("outsider_student", 403)])
def test_outsiders_see_no_lead_and_write_nothing(client, request, copied_quiz, teacher, who, status):
    lead = services.collusion_compute(quiz=copied_quiz, by=teacher.user).leads.get(rank=1)
    login(client, request.getfixturevalue(who))
    urls = [
        reverse("integrity:quiz_leads", args=[copied_quiz.pk]),
        reverse("integrity:lead", args=[lead.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == status
    assert client.post(urls[1], {"conclusion": "misconduct"}).status_code == status
    assert client.post(reverse("integrity:quiz_leads_compute", args=[copied_quiz.pk])).status_code == status
    assert not LeadConclusion.objects.exists()


def test_anonymous_is_sent_to_login(client, copied_quiz):
    response = client.get(reverse("integrity:quiz_leads", args=[copied_quiz.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_students_result_page_never_mentions_a_lead(client, copied_quiz, teacher, student):
    services.collusion_compute(quiz=copied_quiz, by=teacher.user)
    login(client, student)
    body = client.get(reverse("attempts:result", args=[copied_quiz.pair[0].pk])).content.decode()
    assert "lead" not in body.lower() and "Bob Brown" not in body


def test_small_quiz_page_says_so(client, teacher, school_class, student, django_capture_on_commit_callbacks):
    questions = [QuestionFactory(created_by=teacher, marks=1) for _ in range(12)]
    quiz = make_quiz(teacher, school_class, questions=questions)
    take_quiz(quiz, student, dict.fromkeys(questions, 1))
    login(client, teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrity:quiz_leads_compute", args=[quiz.pk]))
    body = client.get(reverse("integrity:quiz_leads", args=[quiz.pk])).content.decode()
    assert "Only 1 student has finished" in body and "no pairs are ranked" in body


def test_the_leads_page_costs_the_same_whatever_the_number_of_leads(
    client, copied_quiz, teacher, django_assert_num_queries
):
    services.collusion_compute(quiz=copied_quiz, by=teacher.user)
    login(client, teacher)
    url = reverse("integrity:quiz_leads", args=[copied_quiz.pk])
    client.get(url)
    # session, user, the quiz, the run, the leads (both students joined), the conclusions, the unread badge
    with django_assert_num_queries(7):
        client.get(url)
