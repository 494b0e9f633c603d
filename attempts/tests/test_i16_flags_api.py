"""Issue 16: flags for review through their own endpoint (not the autosave path), and who may set them."""

import pytest

from tests.builders import start_attempt, submit


def flags_url(attempt):
    return f"/api/v1/attempts/{attempt.pk}/flags"


@pytest.mark.django_db
def test_student_flags_and_unflags_and_the_exam_shows_it(api_for, student, quiz):
    attempt = start_attempt(quiz, student)
    api = api_for(student)
    first, third = attempt.question_order[0], attempt.question_order[2]
    assert api.post(flags_url(attempt), {"question_id": third, "flagged": True}, format="json").json() == {
        "review_flags": [third]
    }
    r = api.post(flags_url(attempt), {"question_id": first, "flagged": True}, format="json")
    assert r.json()["review_flags"] == [first, third]  # in the attempt's order
    api.post(flags_url(attempt), {"question_id": third, "flagged": False}, format="json")
    attempt.refresh_from_db()
    assert attempt.review_flags == [first]
    resumed = api.post(f"/api/v1/quizzes/{quiz.pk}/start", {}, format="json").json()
    assert [q["flagged"] for q in resumed["questions"]] == [True, False, False, False]


@pytest.mark.django_db
def test_bad_flags_are_refused_and_change_nothing(api_for, student, quiz, other_teacher):
    from tests.factories import QuestionFactory

    attempt = start_attempt(quiz, student)
    api = api_for(student)
    foreign = QuestionFactory(created_by=other_teacher)
    assert api.post(flags_url(attempt), {"question_id": str(foreign.pk)}, format="json").status_code == 400
    assert api.post(flags_url(attempt), {"question_id": "nope"}, format="json").status_code == 400
    bad = api.post(flags_url(attempt), {"question_id": attempt.question_order[0], "flagged": "yes"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]
    submit(attempt)
    ended = api.post(flags_url(attempt), {"question_id": attempt.question_order[0]}, format="json")
    assert ended.status_code == 409
    attempt.refresh_from_db()
    assert attempt.review_flags == []


@pytest.mark.django_db
def test_outsiders_cannot_flag(api_for, api, student, outsider_student, teacher, quiz):
    attempt = start_attempt(quiz, student)
    body = {"question_id": attempt.question_order[0], "flagged": True}
    assert api_for(outsider_student).post(flags_url(attempt), body, format="json").status_code == 404
    assert api_for(teacher).post(flags_url(attempt), body, format="json").status_code == 403
    assert api.post(flags_url(attempt), body, format="json").status_code == 401
    attempt.refresh_from_db()
    assert attempt.review_flags == []
