"""Issue 16: tags on questions, managed through the API and the bank form, filtered in both."""

import pytest
from django.urls import reverse

from quizzes.models import MAX_TAGS, Question
from tests.factories import QuestionFactory

URL = "/api/v1/questions"


def mcq(**overrides):
    data = {"text": "2+2?", "type": "mcq", "options": ["3", "4"], "correct_answer": 1}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_api_stores_tags_normalised_and_filters_by_one(api_for, teacher):
    api = api_for(teacher)
    r = api.post(URL, mcq(tags=["  Algebra ", "term   2", "algebra", ""]), format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["tags"] == ["algebra", "term 2"]
    other = api.post(URL, mcq(text="3+3?", tags=["geometry"]), format="json").json()
    untagged = api.post(URL, mcq(text="4+4?"), format="json").json()
    assert untagged["tags"] == []

    ids = {q["id"] for q in api.get(URL, {"tag": "Term 2"}).json()["items"]}
    assert ids == {r.json()["id"]}
    assert {q["id"] for q in api.get(URL, {"tag": "geometry"}).json()["items"]} == {other["id"]}
    assert len(api.get(URL).json()["items"]) == 3  # no tag filter: everything

    patched = api.patch(f"{URL}/{other['id']}", {"tags": ["Geometry", "shapes"]}, format="json")
    assert patched.status_code == 200 and patched.json()["tags"] == ["geometry", "shapes"]


@pytest.mark.django_db
def test_api_refuses_bad_tags_and_changes_nothing(api_for, teacher):
    api = api_for(teacher)
    too_many = api.post(URL, mcq(tags=[f"t{i}" for i in range(MAX_TAGS + 1)]), format="json")
    assert too_many.status_code == 400 and "tags" in str(too_many.json())
    too_long = api.post(URL, mcq(tags=["x" * 51]), format="json")
    assert too_long.status_code == 400
    not_a_list = api.post(URL, mcq(tags="algebra"), format="json")
    assert not_a_list.status_code == 400
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_tag_filter_never_shows_another_teachers_questions(api_for, teacher, other_teacher):
    QuestionFactory(created_by=other_teacher, tags=["algebra"])
    mine = QuestionFactory(created_by=teacher, tags=["algebra"])
    data = api_for(teacher).get(URL, {"tag": "algebra"}).json()["items"]
    assert [q["id"] for q in data] == [str(mine.pk)]


@pytest.mark.django_db
def test_bank_form_sets_tags_and_bank_page_filters_by_tag(client, teacher, other_teacher):
    client.force_login(teacher.user)
    r = client.post(
        reverse("quizzes:question_create"),
        {
            "type": "mcq",
            "text": "Largest planet?",
            "tags": "Space, planets,space",
            "difficulty": "easy",
            "marks": 1,
            "options": "Mars\nJupiter",
            "correct_option": 2,
        },
    )
    assert r.status_code == 302
    question = Question.objects.get()
    assert question.tags == ["space", "planets"]
    edit = client.get(reverse("quizzes:question_edit", args=[question.pk])).content.decode()
    assert 'value="space, planets"' in edit
    QuestionFactory(created_by=teacher, text="Untagged one")
    QuestionFactory(created_by=other_teacher, text="Someone else's", tags=["secret-tag"])
    page = client.get(reverse("quizzes:question_list"), {"tag": "planets"}).content.decode()
    assert "Largest planet?" in page and "Untagged one" not in page
    assert 'id="f-tag"' in page and "secret-tag" not in page  # the suggestions are the teacher's own tags
