"""Issue 15 through the /questions API: the new types are additions (their own `details`), validated as the forms
and imports are, refused with a human `detail`; students never reach the bank; the schema documents the shapes."""

import pytest

from quizzes.models import Question
from tests.builders import NEW_TYPE_QUESTIONS

pytestmark = pytest.mark.django_db
URL = "/api/v1/questions"


@pytest.mark.parametrize("qtype", list(NEW_TYPE_QUESTIONS))
def test_teacher_creates_each_new_type(api_for, teacher, qtype):
    r = api_for(teacher).post(URL, {"type": qtype, **NEW_TYPE_QUESTIONS[qtype]}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["type"] == qtype and body["details"] and body["general_feedback"] == ""
    again = api_for(teacher).get(f"{URL}/{body['id']}").json()
    assert again["details"] == body["details"]


def test_guide_types_keep_their_shape(api_for, teacher):
    r = api_for(teacher).post(
        URL, {"type": "mcq", "text": "2+2?", "options": ["3", "4"], "correct_answer": 1}, format="json"
    )
    assert r.status_code == 201 and r.json()["details"] == {}
    for key in ("options", "correct_answer", "accepted_answers", "case_sensitive", "sample_answer", "marking_rubric"):
        assert key in r.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "cloze", "text": "[[1]] [[1]]", "details": {"blanks": [{"id": 1, "answers": ["a"]}]}}, "text"),
        ({"type": "numeric", "text": "n", "details": {"answers": [{"value": "x"}]}}, "details"),
        ({"type": "ordering", "text": "o", "details": ["a", "b"]}, "details"),
        ({"type": "matching", "text": "m", "details": {"pairs": "a=b"}}, "details"),
        ({"type": "multiple_response", "text": "m", "options": ["a", "b"], "details": {}}, "details"),
        (
            {"type": "mcq", "text": "m", "options": ["a", "b"], "correct_answer": 0, "details": {"fractions": [1, 2]}},
            "details",
        ),
    ],
)
def test_bad_details_are_refused_with_a_reason_and_nothing_is_written(api_for, teacher, body, field):
    r = api_for(teacher).post(URL, body, format="json")
    assert r.status_code == 400
    data = r.json()
    assert data.get("detail") and field in str(data)
    assert not Question.objects.exists()


def test_students_and_anonymous_never_reach_the_bank(api_for, api, student, teacher, other_teacher):
    created = api_for(teacher).post(URL, {"type": "ordering", **NEW_TYPE_QUESTIONS["ordering"]}, format="json").json()
    assert api_for(student).get(f"{URL}/{created['id']}").status_code in (403, 404)
    assert api_for(other_teacher).get(f"{URL}/{created['id']}").status_code == 404
    assert api.get(f"{URL}/{created['id']}").status_code == 401


def test_schema_documents_the_new_shapes(api_for, teacher, settings):
    settings.API_DOCS_PUBLIC = True
    schema = api_for(teacher).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    text = str(schema)
    for words in ("right_minus_wrong", "tolerance", "distractors", "[[1]]", "response", "key_display", "blanks"):
        assert words in text, words
