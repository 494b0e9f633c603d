"""The question bank API (/api/v1/questions): type rules, scoping, delete rules, CSV import."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditLog
from quizzes.models import Question, QuestionType
from tests.factories import QuestionFactory, QuizAttemptFactory, QuizFactory, QuizQuestionFactory

URL = "/api/v1/questions"


def detail_url(q):
    return f"{URL}/{q.pk}"


def payload(**overrides):
    data = {
        "text": "Capital of France?",
        "type": "mcq",
        "topic": "Geography",
        "difficulty": "easy",
        "marks": 2,
        "options": ["London", "Berlin", "Paris", "Madrid"],
        "correct_answer": 2,
    }
    data.update(overrides)
    return data


# --- create: one valid question of each type ------------------------------------------------------------------


@pytest.mark.django_db
def test_teacher_creates_mcq_in_own_bank(api_for, teacher):
    r = api_for(teacher).post(URL, payload(), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["options"] == ["London", "Berlin", "Paris", "Madrid"] and body["correct_answer"] == 2
    assert body["created_by"] == str(teacher.pk)
    assert Question.objects.get(pk=body["id"]).created_by == teacher
    assert AuditLog.objects.filter(action="question.create", entity_id=body["id"]).exists()


@pytest.mark.django_db
def test_true_false_gets_default_options(api_for, teacher):
    r = api_for(teacher).post(
        URL, {"text": "The sun is a star.", "type": "true_false", "correct_answer": 0}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["options"] == ["True", "False"]


@pytest.mark.django_db
def test_short_answer_with_accepted_answers_and_blank_entries_dropped(api_for, teacher):
    r = api_for(teacher).post(
        URL,
        {
            "text": "Chemical symbol of gold?",
            "type": "short_answer",
            "accepted_answers": [" Au ", "", "gold*"],
            "case_sensitive": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["accepted_answers"] == ["Au", "gold*"] and r.json()["case_sensitive"] is True


@pytest.mark.django_db
def test_short_answer_sample_answer_counts_as_accepted(api_for, teacher):
    r = api_for(teacher).post(URL, {"text": "2+2?", "type": "short_answer", "sample_answer": "4"}, format="json")
    assert r.status_code == 201, r.json()


@pytest.mark.django_db
def test_descriptive_with_sample_and_rubric(api_for, teacher):
    r = api_for(teacher).post(
        URL,
        {
            "text": "Explain gravity.",
            "type": "descriptive",
            "marks": 10,
            "sample_answer": "Mass attracts mass.",
            "marking_rubric": "5 for idea",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["marking_rubric"] == "5 for idea"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"options": ["only one"], "correct_answer": 0}, "options"),
        ({"options": [str(i) for i in range(11)], "correct_answer": 0}, "options"),
        ({"options": ["a", " ", "c"]}, "options"),
        ({"options": ["a", "A"], "correct_answer": 0}, "options"),
        ({"correct_answer": 4}, "correct_answer"),
        ({"correct_answer": None}, "correct_answer"),
        ({"accepted_answers": ["Paris"]}, "accepted_answers"),
        ({"marking_rubric": "x"}, "marking_rubric"),
        ({"type": "true_false", "correct_answer": 2, "options": None}, "correct_answer"),
        ({"type": "true_false", "options": ["Yes", "No", "Maybe"], "correct_answer": 0}, "options"),
        ({"type": "short_answer", "options": None, "correct_answer": None}, "accepted_answers"),
        ({"type": "short_answer", "correct_answer": None, "accepted_answers": ["Paris"]}, "options"),
        ({"type": "descriptive", "options": None, "correct_answer": 1}, "correct_answer"),
        ({"type": "descriptive", "options": None, "correct_answer": None, "case_sensitive": True}, "case_sensitive"),
        ({"marks": 0}, "marks"),
        ({"difficulty": "insane"}, "difficulty"),
        ({"type": "essayish"}, "type"),
        ({"text": "   "}, "text"),
    ],
)
def test_invalid_question_is_400_naming_the_field(api_for, teacher, overrides, field):
    r = api_for(teacher).post(URL, payload(**overrides), format="json")
    assert r.status_code == 400, r.json()
    body = r.json()
    assert field in body["errors"], body
    assert field in body["detail"] or body["detail"] in str(body["errors"][field])
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_400(api_for, teacher):
    r = api_for(teacher).post(URL, data="{not json", content_type="application/json")
    assert r.status_code == 400 and "detail" in r.json()


@pytest.mark.django_db
def test_admin_must_name_the_owner(api_for, admin, teacher):
    client = api_for(admin)
    r = client.post(URL, payload(), format="json")
    assert r.status_code == 400 and "created_by" in r.json()["detail"]
    assert not Question.objects.exists()
    r = client.post(URL, payload(created_by=str(teacher.pk)), format="json")
    assert r.status_code == 201 and Question.objects.get().created_by == teacher
    r = client.post(URL, payload(text="Another", teacher_id=str(teacher.pk)), format="json")
    assert r.status_code == 201
    r = client.post(URL, payload(text="Ghost", teacher_id=str(admin.pk)), format="json")
    assert r.status_code == 400 and Question.objects.count() == 2


@pytest.mark.django_db
def test_teacher_cannot_fill_another_teachers_bank(api_for, teacher, other_teacher):
    client = api_for(teacher)
    r = client.post(URL, payload(created_by=str(other_teacher.pk)), format="json")
    assert r.status_code == 403 and "themselves" in r.json()["detail"]
    r = client.post(
        f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD), "teacher_id": str(other_teacher.pk)}, format="multipart"
    )
    assert r.status_code == 403
    assert not Question.objects.exists()
    r = client.post(URL, payload(created_by=str(teacher.pk)), format="json")  # naming oneself is fine
    assert r.status_code == 201 and Question.objects.get().created_by == teacher


@pytest.mark.django_db
def test_students_and_anonymous_cannot_use_the_bank(api_for, api, student, mcq):
    assert api_for(student).get(URL).status_code == 403
    assert api_for(student).get(detail_url(mcq)).status_code == 403
    assert api_for(student).post(URL, payload(), format="json").status_code == 403
    assert api.get(URL).status_code == 401
    assert api.post(URL, payload(), format="json").status_code == 401
    assert Question.objects.count() == 1


# --- list, filters, scoping --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_scoped_and_filtered(api_for, teacher, other_teacher, admin):
    QuestionFactory(created_by=teacher, text="Easy algebra", topic="Algebra", difficulty="easy")
    QuestionFactory(created_by=teacher, text="Hard geometry", topic="Geometry", difficulty="hard")
    QuestionFactory(
        created_by=teacher,
        text="Describe a circle",
        topic="Geometry",
        type="descriptive",
        options=None,
        correct_answer=None,
    )
    QuestionFactory(created_by=other_teacher, text="Not yours", topic="Geometry")
    client = api_for(teacher)
    body = client.get(URL).json()
    assert body["total"] == 3 and {"items", "page", "limit", "pages"} <= set(body)
    assert "Not yours" not in json.dumps(body)
    assert [i["text"] for i in client.get(URL, {"topic": "geometry"}).json()["items"]] == [
        "Describe a circle",
        "Hard geometry",
    ]
    assert client.get(URL, {"type": "descriptive"}).json()["total"] == 1
    assert client.get(URL, {"difficulty": "hard"}).json()["total"] == 1
    assert client.get(URL, {"search": "ALGEBRA"}).json()["total"] == 1
    page = client.get(URL, {"limit": 2, "page": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["pages"] == 2
    assert client.get(URL, {"type": "nope"}).status_code == 400
    assert api_for(admin).get(URL).json()["total"] == 4
    assert api_for(admin).get(URL, {"teacher_id": str(other_teacher.pk)}).json()["total"] == 1


@pytest.mark.django_db
def test_other_teacher_gets_404_and_changes_nothing(api_for, other_teacher, mcq):
    client = api_for(other_teacher)
    assert client.get(detail_url(mcq)).status_code == 404
    assert client.put(detail_url(mcq), {"marks": 9}, format="json").status_code == 404
    assert client.delete(detail_url(mcq)).status_code == 404
    mcq.refresh_from_db()
    assert mcq.marks == 2


@pytest.mark.django_db
def test_list_query_count_does_not_grow(api_for, teacher, django_assert_num_queries):
    client = api_for(teacher)
    QuestionFactory.create_batch(2, created_by=teacher)
    with django_assert_num_queries(4):  # user (token) + count + page + the page's images (issue 15)
        assert client.get(URL).status_code == 200
    QuestionFactory.create_batch(10, created_by=teacher)
    with django_assert_num_queries(4):
        assert client.get(URL).json()["total"] == 12


@pytest.mark.django_db
def test_detail_query_count(api_for, teacher, mcq, django_assert_num_queries):
    client = api_for(teacher)
    with django_assert_num_queries(3):  # user (token) + the question with its owner + its images (issue 15)
        assert client.get(detail_url(mcq)).json()["correct_answer"] == 1


# --- update ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_partial_put_changes_only_what_is_sent(api_for, teacher, mcq):
    r = api_for(teacher).put(detail_url(mcq), {"text": "What is two plus two?", "marks": 3}, format="json")
    assert r.status_code == 200, r.json()
    mcq.refresh_from_db()
    assert (mcq.text, mcq.marks, mcq.options, mcq.correct_answer) == ("What is two plus two?", 3, ["3", "4", "5"], 1)
    log = AuditLog.objects.get(action="question.update")
    assert log.old_value == {"text": "What is 2+2?", "marks": 2}


@pytest.mark.django_db
def test_put_rejects_an_invalid_answer_key(api_for, teacher, mcq):
    r = api_for(teacher).put(detail_url(mcq), {"correct_answer": 7}, format="json")
    assert r.status_code == 400 and "correct_answer" in r.json()["errors"]
    mcq.refresh_from_db()
    assert mcq.correct_answer == 1


@pytest.mark.django_db
def test_changing_type_resets_fields_of_the_old_type(api_for, teacher, mcq):
    r = api_for(teacher).put(
        detail_url(mcq), {"type": "short_answer", "accepted_answers": ["four", "4"]}, format="json"
    )
    assert r.status_code == 200, r.json()
    mcq.refresh_from_db()
    assert mcq.type == QuestionType.SHORT_ANSWER and mcq.options is None and mcq.correct_answer is None


@pytest.mark.django_db
def test_type_cannot_change_once_answered(api_for, teacher, student, mcq):
    from tests.factories import StudentAnswerFactory

    quiz = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    StudentAnswerFactory(attempt=QuizAttemptFactory(quiz=quiz, student=student), question=mcq, answer_option=1)
    r = api_for(teacher).put(detail_url(mcq), {"type": "descriptive"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]
    mcq.refresh_from_db()
    assert mcq.type == QuestionType.MCQ


# --- delete ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_returns_200_with_message_and_renumbers_quizzes(api_for, teacher, mcq):
    quiz = QuizFactory(created_by=teacher)
    other = QuestionFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    QuizQuestionFactory(quiz=quiz, question=other, order_index=1)
    r = api_for(teacher).delete(detail_url(mcq))
    assert r.status_code == 200 and r.json() == {"message": "Question deleted"}
    assert not Question.objects.filter(pk=mcq.pk).exists()
    assert list(quiz.quiz_questions.values_list("order_index", flat=True)) == [0]


@pytest.mark.django_db
def test_delete_refused_when_a_quiz_using_it_has_attempts(api_for, teacher, student, mcq):
    quiz = QuizFactory(created_by=teacher, title="Midterm")
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    QuizAttemptFactory(quiz=quiz, student=student)
    r = api_for(teacher).delete(detail_url(mcq))
    assert r.status_code == 409 and "Midterm" in r.json()["detail"]
    assert Question.objects.filter(pk=mcq.pk).exists()


# --- CSV import --------------------------------------------------------------------------------------------------

CSV_HEADER = "text,type,topic,difficulty,marks,options,correct_answer,accepted_answers,sample_answer,marking_rubric\n"


def csv_file(body: str, name="questions.csv"):
    return SimpleUploadedFile(name, (CSV_HEADER + body).encode("utf-8"), content_type="text/csv")


GOOD_AND_BAD = (
    "What is 2+2?,mcq,Arithmetic,easy,2,3|4|5,1,,,\n"
    "The earth is flat.,true_false,Science,easy,1,,false,,,\n"
    "Symbol of gold?,short_answer,Chemistry,medium,2,,,Au|gold,,\n"
    "Explain erosion.,descriptive,Geography,hard,5,,,,Water moves soil,2 marks per idea\n"
    "Broken mcq,mcq,Arithmetic,easy,2,only,0,,,\n"
    "Zero marks,short_answer,,,0,,,x,,\n"
    "Unknown type,riddle,,,1,,,,,\n"
    "What is 2+2?,mcq,Arithmetic,easy,2,3|4|5,1,,,\n"
)


@pytest.mark.django_db
def test_bulk_import_imports_valid_rows_and_reports_the_others(api_for, teacher):
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD)}, format="multipart")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["imported"] == 4 and body["failed"] == 4 and "4 question(s) imported" in body["message"]
    assert [e["row"] for e in body["errors"]] == [6, 7, 8, 9]
    assert "options" in body["errors"][0]["error"] and "marks" in body["errors"][1]["error"]
    assert "already in the bank" in body["errors"][3]["error"]
    tf = Question.objects.get(type="true_false")
    assert (tf.options, tf.correct_answer, tf.created_by) == (["True", "False"], 1, teacher)
    assert Question.objects.get(type="short_answer").accepted_answers == ["Au", "gold"]
    # Re-importing the same file adds nothing: every valid row is now a duplicate.
    again = api_for(teacher).post(f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD)}, format="multipart").json()
    assert again["imported"] == 0 and Question.objects.count() == 4


@pytest.mark.django_db
def test_bulk_import_dry_run_writes_nothing(api_for, teacher):
    r = api_for(teacher).post(f"{URL}/bulk-import?dry_run=true", {"file": csv_file(GOOD_AND_BAD)}, format="multipart")
    body = r.json()
    assert r.status_code == 200 and body["dry_run"] is True
    # The student import's report: nothing imported, what would be, and the errors.
    assert body["imported"] == 0 and body["would_import"] == 4 and body["failed"] == 4 and body["total_rows"] == 8
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_bulk_import_semicolons_and_bom(api_for, teacher):
    text = "\ufeffText;Type;Correct Answer;Options\nPick B;mcq;B;A|B|C\n"
    upload = SimpleUploadedFile("q.csv", text.encode("utf-8"))
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": upload}, format="multipart")
    assert r.status_code == 200 and r.json()["imported"] == 1, r.json()
    assert Question.objects.get().correct_answer == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("q.csv", b"topic,marks\nA,1\n"), "required column"),
        (SimpleUploadedFile("q.pdf", b"%PDF-1.4"), ".csv"),
        (SimpleUploadedFile("q.csv", b"\x00\x01\x02binary"), "not a text"),
        (SimpleUploadedFile("q.csv", b""), "empty"),
    ],
)
def test_bulk_import_refuses_unreadable_files(api_for, teacher, upload, message):
    r = api_for(teacher).post(f"{URL}/bulk-import", {"file": upload}, format="multipart")
    assert r.status_code == 400 and message in r.json()["detail"]
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_bulk_import_outsiders(api_for, api, admin, student, teacher):
    assert (
        api_for(student).post(f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD)}, format="multipart").status_code
        == 403
    )
    assert api.post(f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD)}, format="multipart").status_code == 401
    r = api_for(admin).post(f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD)}, format="multipart")
    assert r.status_code == 400 and "created_by" in r.json()["detail"]
    assert not Question.objects.exists()
    r = api_for(admin).post(
        f"{URL}/bulk-import", {"file": csv_file(GOOD_AND_BAD), "created_by": str(teacher.pk)}, format="multipart"
    )
    assert r.json()["imported"] == 4 and set(Question.objects.values_list("created_by", flat=True)) == {teacher.pk}


@pytest.mark.django_db
def test_option_count_frozen_once_attempted_but_rewording_and_key_fixes_allowed(
    api_for, teacher, student, school_class
):
    """A student mid-exam with shuffled options: removing an option made their exam page and resume a 500, and
    would shift what submitted answers point at. Rewording options and correcting the answer stay possible."""
    from tests.builders import make_quiz

    quiz = make_quiz(teacher, school_class, randomize_options=True)
    assert api_for(student).post(f"/api/v1/quizzes/{quiz.pk}/start").status_code == 201
    mcq = quiz.quiz_questions.order_by("order_index").first().question
    r = api_for(teacher).put(f"{URL}/{mcq.pk}", {"options": ["1/4", "3/4"], "correct_answer": 1}, format="json")
    assert r.status_code == 409 and "number of options" in r.json()["detail"]
    mcq.refresh_from_db()
    assert len(mcq.options) == 4
    # Nobody answered it yet, but the started attempt fixed its type: no change of type either.
    r = api_for(teacher).put(f"{URL}/{mcq.pk}", {"type": "short_answer", "accepted_answers": ["3/4"]}, format="json")
    assert r.status_code == 409
    mcq.refresh_from_db()
    assert mcq.type == "mcq"
    r = api_for(teacher).put(f"{URL}/{mcq.pk}", {"options": ["¼", "¾", "2/6", "1"], "correct_answer": 1}, format="json")
    assert r.status_code == 200, r.json()
    resumed = api_for(student).post(f"/api/v1/quizzes/{quiz.pk}/start")
    assert resumed.status_code == 200
    shown = next(q for q in resumed.json()["questions"] if q["id"] == str(mcq.pk))
    assert sorted(shown["options"]) == sorted(["¼", "¾", "2/6", "1"])
