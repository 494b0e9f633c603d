"""How much text a question or a quiz may hold, enforced by the model (so the API, the pages and the import agree),
and how many rows a list answers. Before, each text field took 5.5 MB and GET /questions?limit=100 returned 20 MB."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import (
    ACCEPTED_ANSWER_MAX_LENGTH,
    MAX_ACCEPTED_ANSWERS,
    MAX_OPTIONS,
    OPTION_MAX_LENGTH,
    QUESTION_TEXT_MAX_LENGTH,
    QUIZ_DESCRIPTION_MAX_LENGTH,
    RUBRIC_MAX_LENGTH,
    SAMPLE_ANSWER_MAX_LENGTH,
    Question,
    QuestionType,
    Quiz,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

QUESTIONS = "/api/v1/questions"
QUIZZES = "/api/v1/quizzes"


def test_the_limits():
    assert (QUESTION_TEXT_MAX_LENGTH, SAMPLE_ANSWER_MAX_LENGTH, RUBRIC_MAX_LENGTH) == (10_000, 20_000, 20_000)
    assert (QUIZ_DESCRIPTION_MAX_LENGTH, OPTION_MAX_LENGTH, MAX_OPTIONS) == (5_000, 1_000, 10)
    assert (ACCEPTED_ANSWER_MAX_LENGTH, MAX_ACCEPTED_ANSWERS) == (500, 20)


def essay(**overrides):
    return {"type": "descriptive", "text": "Explain erosion.", "marks": 5, **overrides}


def short(**overrides):
    return {"type": "short_answer", "text": "Symbol of gold?", "accepted_answers": ["Au"], **overrides}


def mcq(**overrides):
    return {"type": "mcq", "text": "2+2?", "options": ["3", "4"], "correct_answer": 1, **overrides}


# --- the API -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "payload, field",
    [
        (essay(text="x" * (QUESTION_TEXT_MAX_LENGTH + 1)), "text"),
        (essay(sample_answer="x" * (SAMPLE_ANSWER_MAX_LENGTH + 1)), "sample_answer"),
        (essay(marking_rubric="x" * (RUBRIC_MAX_LENGTH + 1)), "marking_rubric"),
        (mcq(options=["3", "x" * (OPTION_MAX_LENGTH + 1)]), "options"),
        (mcq(options=[str(i) for i in range(MAX_OPTIONS + 1)]), "options"),
        (short(accepted_answers=["x" * (ACCEPTED_ANSWER_MAX_LENGTH + 1)]), "accepted_answers"),
        (short(accepted_answers=[str(i) for i in range(MAX_ACCEPTED_ANSWERS + 1)]), "accepted_answers"),
    ],
)
def test_api_refuses_oversized_question_fields_with_a_clear_400(api_for, teacher, payload, field):
    res = api_for(teacher).post(QUESTIONS, payload, format="json")
    assert res.status_code == 400, res.json()
    assert res.json()["detail"].startswith(f"{field}") and field in res.json()["errors"]
    assert not Question.objects.exists()


def test_api_accepts_every_field_at_its_limit(api_for, teacher):
    client = api_for(teacher)
    res = client.post(
        QUESTIONS,
        essay(
            text="x" * QUESTION_TEXT_MAX_LENGTH,
            sample_answer="y" * SAMPLE_ANSWER_MAX_LENGTH,
            marking_rubric="z" * RUBRIC_MAX_LENGTH,
        ),
        format="json",
    )
    assert res.status_code == 201, res.json()
    options = [f"{i}" + "x" * (OPTION_MAX_LENGTH - 1) for i in range(MAX_OPTIONS)]
    assert client.post(QUESTIONS, mcq(options=options), format="json").status_code == 201
    accepted = [f"{i}".ljust(ACCEPTED_ANSWER_MAX_LENGTH, "a") for i in range(MAX_ACCEPTED_ANSWERS)]
    assert client.post(QUESTIONS, short(accepted_answers=accepted), format="json").status_code == 201
    res = client.post(
        QUIZZES,
        {"title": "T", "subject": "S", "time_limit_minutes": 30, "description": "d" * QUIZ_DESCRIPTION_MAX_LENGTH},
        format="json",
    )
    assert res.status_code == 201, res.json()


def test_api_refuses_an_oversized_update(api_for, teacher):
    question = QuestionFactory(created_by=teacher, text="Short")
    res = api_for(teacher).patch(f"{QUESTIONS}/{question.pk}", {"text": "x" * 10_001}, format="json")
    assert res.status_code == 400 and res.json()["detail"].startswith("text")
    question.refresh_from_db()
    assert question.text == "Short"


def test_api_refuses_an_oversized_quiz_description(api_for, teacher):
    res = api_for(teacher).post(
        QUIZZES,
        {
            "title": "T",
            "subject": "S",
            "time_limit_minutes": 30,
            "description": "d" * (QUIZ_DESCRIPTION_MAX_LENGTH + 1),
        },
        format="json",
    )
    assert res.status_code == 400 and res.json()["detail"].startswith("description")
    assert not Quiz.objects.exists()


def test_list_limit_is_capped_at_100(api_for, teacher):
    QuestionFactory.create_batch(3, created_by=teacher)
    client = api_for(teacher)
    for limit in ("101", "100000", str(10**30)):
        body = client.get(f"{QUESTIONS}?limit={limit}").json()
        assert body["limit"] == 100 and body["total"] == 3, limit
    assert client.get(f"{QUIZZES}?limit=500").json()["limit"] == 100
    for junk in ("0", "-5", "abc"):
        assert client.get(f"{QUESTIONS}?limit={junk}").json()["limit"] == 20, junk


# --- the model: what the pages, the import and the admin all go through ------------------------------------------
def test_the_model_enforces_the_limits(teacher):
    question = Question(created_by=teacher, type=QuestionType.DESCRIPTIVE, text="x" * (QUESTION_TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as caught:
        question.full_clean(exclude=["created_by"])
    assert "text" in caught.value.message_dict
    question = Question(
        created_by=teacher, type=QuestionType.SHORT_ANSWER, text="Q", accepted_answers=["ok", "a" * 501]
    )
    with pytest.raises(ValidationError) as caught:
        question.full_clean(exclude=["created_by"])
    assert "accepted_answers" in caught.value.message_dict
    quiz = Quiz(title="T", subject="S", time_limit_minutes=3, description="d" * 5001, created_by=teacher)
    with pytest.raises(ValidationError) as caught:
        quiz.full_clean(exclude=["created_by", "access_code"])
    assert "description" in caught.value.message_dict


def test_page_form_shows_the_limit_next_to_the_field(client, teacher):
    client.force_login(teacher.user)
    data = {"type": "descriptive", "text": "Explain.", "difficulty": "easy", "marks": 1,
            "marking_rubric": "r" * (RUBRIC_MAX_LENGTH + 1)}  # fmt: skip
    res = client.post(reverse("quizzes:question_create"), data)
    assert res.status_code == 200 and "marking_rubric" in res.context["form"].errors
    data = {"type": "mcq", "text": "2+2?", "difficulty": "easy", "marks": 1, "correct_option": 1,
            "options": "3\n" + "4" * (OPTION_MAX_LENGTH + 1)}  # fmt: skip
    res = client.post(reverse("quizzes:question_create"), data)
    assert res.status_code == 200 and "options" in res.context["form"].errors
    assert not Question.objects.exists()


def test_page_quiz_form_refuses_an_oversized_description(client, teacher):
    client.force_login(teacher.user)
    data = {"title": "T", "subject": "S", "time_limit_minutes": 30, "passing_percentage": 40, "max_attempts": 1,
            "violation_threshold": 3, "description": "d" * (QUIZ_DESCRIPTION_MAX_LENGTH + 1)}  # fmt: skip
    res = client.post(reverse("quizzes:create"), data)
    assert res.status_code == 200 and "description" in res.context["form"].errors
    assert not Quiz.objects.exists()


def test_import_refuses_an_oversized_row_and_imports_the_others(api_for, teacher):
    csv = "text,type,accepted_answers\nSymbol of gold?,short_answer,Au\n" + "x" * 10_001 + ",descriptive,\n"
    upload = SimpleUploadedFile("q.csv", csv.encode())
    res = api_for(teacher).post(f"{QUESTIONS}/bulk-import", {"file": upload}, format="multipart")
    body = res.json()
    assert res.status_code == 200 and body["imported"] == 1
    assert [e["row"] for e in body["errors"]] == [3] and body["errors"][0]["error"].startswith("text:")
