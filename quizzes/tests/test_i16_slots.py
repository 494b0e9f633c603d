"""Issue 16: random slots through the API and the builder page (pools, versions, preview), and who may use them."""

import pytest
from django.urls import reverse

from quizzes.models import QuizSlot, QuizStatus
from tests.builders import make_quiz
from tests.factories import QuestionFactory


def slots_url(quiz, suffix=""):
    return f"/api/v1/quizzes/{quiz.pk}/slots{suffix}"


@pytest.fixture
def draft(teacher, school_class):
    for _ in range(4):
        QuestionFactory(created_by=teacher, topic="Algebra", tags=["term 2"])
    fixed = QuestionFactory(created_by=teacher, topic="Fixed")
    return make_quiz(teacher, school_class, questions=[fixed], status=QuizStatus.DRAFT)


@pytest.mark.django_db
def test_api_adds_lists_previews_and_removes_slots(api_for, teacher, draft):
    api = api_for(teacher)
    r = api.post(slots_url(draft), {"count": 2, "marks": 3, "topic": "Algebra", "tag": "Term 2"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["pool_size"] == 4 and r.json()["tag"] == "term 2"
    listed = api.get(slots_url(draft)).json()
    assert [s["pool_size"] for s in listed["slots"]] == [4] and listed["distinct_versions"] == "6"  # C(4, 2)
    preview = api.get(slots_url(draft, "/preview")).json()["questions"]
    assert len(preview) == 2 and {q["marks"] for q in preview} == {3}
    detail = api.get(f"/api/v1/quizzes/{draft.pk}").json()
    assert detail["question_count"] == 3 and detail["total_marks"] == 2 + 2 * 3  # fixed (2 marks) + slot
    assert api.delete(slots_url(draft, f"/{r.json()['id']}")).status_code == 200
    assert not QuizSlot.objects.exists()


@pytest.mark.django_db
def test_api_refuses_bad_slots_with_a_clear_error(api_for, teacher, draft):
    api = api_for(teacher)
    for bad in ({"count": 0}, {"count": 2, "type": "essay"}, {"marks": 2}, {"count": 2, "marks": 0}):
        r = api.post(slots_url(draft), bad, format="json")
        assert r.status_code == 400 and r.json()["detail"], bad
    assert not QuizSlot.objects.exists()
    api.post(slots_url(draft), {"count": 9, "topic": "Algebra"}, format="json")
    publish = api.patch(f"/api/v1/quizzes/{draft.pk}", {"status": "published"}, format="json")
    assert publish.status_code in (400, 409) and "Random slot 1" in publish.json()["detail"]


@pytest.mark.django_db
def test_outsiders_cannot_see_or_change_slots(api_for, api, other_teacher, student, teacher, draft):
    slot = api_for(teacher).post(slots_url(draft), {"count": 1}, format="json").json()
    for client, expected in ((api_for(other_teacher), 404), (api_for(student), 403), (api, 401)):
        assert client.get(slots_url(draft)).status_code == expected
        assert client.get(slots_url(draft, "/preview")).status_code == expected
        assert client.post(slots_url(draft), {"count": 1}, format="json").status_code == expected
        assert client.delete(slots_url(draft, f"/{slot['id']}")).status_code == expected
    assert QuizSlot.objects.count() == 1


@pytest.mark.django_db
def test_builder_page_adds_a_slot_shows_pool_versions_and_a_draw(client, teacher, other_teacher, draft):
    client.force_login(teacher.user)
    url = reverse("quizzes:builder", args=[draft.pk])
    r = client.post(url, {"action": "slot_add", "slot_count": "2", "slot_marks": "2", "slot_tag": "term 2"})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "Random slot 1 (2 × tag “term 2”)" in page and "<strong>6</strong> different sets" in page
    drawn = client.get(url, {"draw": "1"}).content.decode()
    assert "One draw, as a student would get it" in drawn and drawn.count("Random slot 1 (2 ×") >= 3
    client.post(url, {"action": "slot_add", "slot_count": "9", "slot_marks": "1", "slot_topic": "Algebra"})
    assert "data-pool-too-small" in client.get(url).content.decode()
    bad = client.post(url, {"action": "slot_add", "slot_count": "0", "slot_marks": "1"}, follow=True)
    assert "from 1 to 100" in bad.content.decode() and QuizSlot.objects.count() == 2
    client.force_login(other_teacher.user)
    assert client.post(url, {"action": "slot_add", "slot_count": "1", "slot_marks": "1"}).status_code == 404
    assert QuizSlot.objects.count() == 2
