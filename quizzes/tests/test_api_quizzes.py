"""The quizzes API (/api/v1/quizzes): builder, scoping, freezing after attempts, publish/archive, access codes and
that no answer key ever reaches a student."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLog, Notification
from attempts.models import AttemptStatus
from quizzes.models import ACCESS_CODE_ALPHABET, Quiz, QuizStatus
from quizzes.tests.conftest import answer_key_strings
from tests.factories import (
    QuestionFactory,
    QuizAttemptFactory,
    QuizClassFactory,
    QuizFactory,
    QuizQuestionFactory,
    SchoolClassFactory,
)

URL = "/api/v1/quizzes"


def durl(quiz, suffix=""):
    return f"{URL}/{quiz.pk}{suffix}"


def new_quiz(**overrides):
    data = {"title": "New Quiz", "subject": "Science", "description": "Biology basics", "time_limit_minutes": 45}
    data.update(overrides)
    return data


def assert_no_answer_key(response, *questions):
    text = json.dumps(response.json())
    for secret in answer_key_strings(*questions):
        assert secret not in text, f"{secret!r} leaked to a student"
    assert "access_code" not in text


# --- create ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_classes_and_ordered_questions(api_for, teacher, school_class, mcq, short_q, essay_q):
    r = api_for(teacher).post(
        URL,
        new_quiz(
            class_ids=[str(school_class.pk)],
            question_ids=[str(essay_q.pk), str(mcq.pk), str(short_q.pk)],
            passing_percentage=50,
            max_attempts=2,
            randomize_questions=True,
            start_date="2030-12-10T10:00:00Z",
            end_date="2030-12-20T18:00:00Z",
        ),
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    code = body["access_code"]
    assert len(code) == 8 and set(code) <= set(ACCESS_CODE_ALPHABET)
    assert body["status"] == "draft" and body["violation_threshold"] == 3 and body["max_attempts"] == 2
    assert [q["id"] for q in body["questions"]] == [str(essay_q.pk), str(mcq.pk), str(short_q.pk)]
    assert [q["order_index"] for q in body["questions"]] == [0, 1, 2]
    assert body["question_count"] == 3 and body["total_marks"] == 5 + 2 + 3
    assert body["classes"][0]["id"] == str(school_class.pk) and body["classes"][0]["name"] == "Class 10A"
    assert body["created_by"] == str(teacher.pk)
    assert AuditLog.objects.filter(action="quiz.create", entity_id=body["id"]).exists()


@pytest.mark.django_db
def test_create_empty_draft_and_with_marks_overrides(api_for, teacher, mcq, short_q):
    client = api_for(teacher)
    r = client.post(URL, new_quiz(class_ids=[], question_ids=[]), format="json")
    assert r.status_code == 201 and r.json()["question_count"] == 0 and r.json()["total_marks"] == 0
    r = client.post(
        URL,
        new_quiz(violation_threshold=5, questions=[{"id": str(mcq.pk), "marks_override": 10}, {"id": str(short_q.pk)}]),
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["total_marks"] == 10 + 3 and body["violation_threshold"] == 5
    assert body["questions"][0]["marks"] == 10 and body["questions"][0]["marks_override"] == 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_limit_minutes": 0}, "time_limit_minutes"),
        ({"passing_percentage": 101}, "passing_percentage"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"violation_threshold": 0}, "violation_threshold"),
        ({"start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"}, "end_date"),
        ({"title": ""}, "title"),
        ({"question_ids": ["not-a-uuid"]}, "question_ids"),
    ],
)
def test_create_rejects_bad_settings(api_for, teacher, overrides, field):
    r = api_for(teacher).post(URL, new_quiz(**overrides), format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.json()
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_create_refuses_other_teachers_questions_and_classes(api_for, teacher, other_teacher, other_class):
    foreign = QuestionFactory(created_by=other_teacher)
    client = api_for(teacher)
    r = client.post(URL, new_quiz(question_ids=[str(foreign.pk)]), format="json")
    assert r.status_code == 400 and "question_ids" in r.json()["errors"]
    r = client.post(URL, new_quiz(class_ids=[str(other_class.pk)]), format="json")
    assert r.status_code == 400 and "class_ids" in r.json()["errors"]
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_create_forbidden_for_students_and_anonymous(api_for, api, student):
    assert api_for(student).post(URL, new_quiz(), format="json").status_code == 403
    assert api.post(URL, new_quiz(), format="json").status_code == 401
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_admin_creates_on_behalf_of_a_teacher(api_for, admin, teacher, other_class):
    client = api_for(admin)
    r = client.post(URL, new_quiz(), format="json")
    assert r.status_code == 400 and "created_by" in r.json()["detail"]
    r = client.post(URL, new_quiz(teacher_id=str(teacher.pk), class_ids=[str(other_class.pk)]), format="json")
    assert r.status_code == 201 and Quiz.objects.get().created_by == teacher


@pytest.mark.django_db
def test_teacher_cannot_create_a_quiz_for_another_teacher(api_for, teacher, other_teacher):
    r = api_for(teacher).post(URL, new_quiz(teacher_id=str(other_teacher.pk)), format="json")
    assert r.status_code == 403 and not Quiz.objects.exists()


# --- list and detail scoping -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_scoping_per_role(
    api_for, admin, teacher, other_teacher, student, outsider_student, school_class, published_quiz
):
    mine_draft = QuizFactory(created_by=teacher, title="Draft only")
    QuizClassFactory(quiz=mine_draft, school_class=school_class)
    theirs = QuizFactory(created_by=other_teacher, title="Theirs", status=QuizStatus.PUBLISHED)
    QuizClassFactory(quiz=theirs, school_class=SchoolClassFactory())

    def titles(user, **params):
        return sorted(q["title"] for q in api_for(user).get(URL, params).json()["items"])

    assert titles(teacher) == ["Algebra check", "Draft only"]
    assert titles(other_teacher) == ["Theirs"]
    assert titles(admin) == ["Algebra check", "Draft only", "Theirs"]
    assert titles(student) == ["Algebra check"]
    assert titles(outsider_student) == []
    assert titles(teacher, status="draft") == ["Draft only"]
    assert titles(admin, teacher_id=str(other_teacher.pk)) == ["Theirs"]
    assert titles(admin, class_id=str(school_class.pk)) == ["Algebra check", "Draft only"]
    assert titles(teacher, search="algebra") == ["Algebra check"]
    assert api_for(admin).get(URL, {"class_id": "nope"}).status_code == 400


@pytest.mark.django_db
def test_student_sees_archived_quiz_only_after_attempting_it(api_for, student, published_quiz):
    published_quiz.status = QuizStatus.ARCHIVED
    published_quiz.save()
    client = api_for(student)
    assert client.get(URL).json()["total"] == 0
    assert client.get(durl(published_quiz)).status_code == 404
    QuizAttemptFactory(quiz=published_quiz, student=student, status=AttemptStatus.GRADED, submitted_at=timezone.now())
    assert client.get(URL).json()["total"] == 1
    assert client.get(durl(published_quiz)).status_code == 200


@pytest.mark.django_db
def test_detail_for_staff_has_the_guide_shape(api_for, teacher, draft_quiz, mcq, short_q, essay_q):
    body = api_for(teacher).get(durl(draft_quiz)).json()
    assert body["question_count"] == 3 and body["total_marks"] == 2 + 4 + 5
    assert [q["order_index"] for q in body["questions"]] == [0, 1, 2]
    assert body["questions"][1]["marks"] == 4 and body["questions"][1]["question_marks"] == 3
    assert body["questions"][0]["options"] == ["3", "4", "5"] and body["questions"][0]["correct_answer"] == 1
    assert body["access_code"] == draft_quiz.access_code and body["passing_percentage"] == 40


@pytest.mark.django_db
def test_detail_outsiders_get_404(api_for, api, other_teacher, outsider_student, student, draft_quiz):
    assert api_for(other_teacher).get(durl(draft_quiz)).status_code == 404
    assert api_for(student).get(durl(draft_quiz)).status_code == 404  # a draft is invisible to students
    draft_quiz.status = QuizStatus.PUBLISHED
    draft_quiz.save()
    assert api_for(outsider_student).get(durl(draft_quiz)).status_code == 404
    assert api.get(durl(draft_quiz)).status_code == 401


@pytest.mark.django_db
def test_no_answer_key_reaches_a_student(api_for, student, published_quiz, mcq, short_q, essay_q):
    client = api_for(student)
    listing = client.get(URL)
    assert listing.json()["total"] == 1
    assert_no_answer_key(listing, mcq, short_q, essay_q)
    detail = client.get(durl(published_quiz))
    assert detail.status_code == 200 and detail.json()["total_marks"] == 11
    assert_no_answer_key(detail, mcq, short_q, essay_q)
    access = client.get(f"{URL}/access/{published_quiz.access_code.lower()}")
    assert access.status_code == 200
    assert_no_answer_key(access, mcq, short_q, essay_q)
    # Students cannot reach the bank or the staff actions at all.
    assert client.get(f"/api/v1/questions/{mcq.pk}").status_code == 403
    assert client.post(durl(published_quiz, "/publish")).status_code == 403


@pytest.mark.django_db
def test_list_and_detail_query_counts_are_constant(
    api_for, teacher, school_class, draft_quiz, django_assert_num_queries
):
    client = api_for(teacher)
    # user + count + page (annotated) + classes prefetch
    with django_assert_num_queries(4):
        assert client.get(URL).json()["total"] == 1
    for _ in range(5):
        quiz = QuizFactory(created_by=teacher)
        QuizClassFactory(quiz=quiz, school_class=school_class)
        QuizQuestionFactory(quiz=quiz, question=QuestionFactory(created_by=teacher), order_index=0)
    with django_assert_num_queries(4):
        assert client.get(URL).json()["total"] == 6
    # user + quiz + classes + ordered questions
    with django_assert_num_queries(4):
        assert client.get(durl(draft_quiz)).json()["question_count"] == 3


@pytest.mark.django_db
def test_student_list_and_detail_query_counts(api_for, student, published_quiz, django_assert_num_queries):
    client = api_for(student)
    with django_assert_num_queries(4):  # user + count + page + classes
        assert client.get(URL).json()["total"] == 1
    with django_assert_num_queries(3):  # user + quiz + classes
        assert client.get(durl(published_quiz)).status_code == 200


# --- update, freezing, delete -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_partial_put_and_replacing_questions_before_attempts(api_for, teacher, draft_quiz, mcq, essay_q):
    r = api_for(teacher).put(
        durl(draft_quiz),
        {"title": "Updated Title", "questions": [{"id": str(essay_q.pk), "marks_override": 7}, {"id": str(mcq.pk)}]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["title"] == "Updated Title" and body["subject"] == "Mathematics"
    assert [q["id"] for q in body["questions"]] == [str(essay_q.pk), str(mcq.pk)] and body["total_marks"] == 9
    assert AuditLog.objects.filter(action="quiz.update", entity_id=draft_quiz.pk).exists()


@pytest.mark.django_db
def test_questions_and_classes_frozen_after_an_attempt(
    api_for, teacher, student, published_quiz, mcq, short_q, essay_q, school_class
):
    QuizAttemptFactory(quiz=published_quiz, student=student)
    client = api_for(teacher)
    r = client.put(durl(published_quiz), {"question_ids": [str(mcq.pk)]}, format="json")
    assert r.status_code == 409 and "attempted" in r.json()["detail"]
    r = client.put(durl(published_quiz), {"class_ids": []}, format="json")
    assert r.status_code == 409
    assert published_quiz.quiz_questions.count() == 3 and published_quiz.class_links.count() == 1
    # Sending the unchanged lists back (as a form that resubmits everything does) is fine, and so are settings.
    same = [{"id": str(mcq.pk)}, {"id": str(short_q.pk), "marks_override": 4}, {"id": str(essay_q.pk)}]
    r = client.put(
        durl(published_quiz),
        {"questions": same, "class_ids": [str(school_class.pk)], "time_limit_minutes": 50},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["time_limit_minutes"] == 50


@pytest.mark.django_db
def test_outsiders_cannot_update_or_delete(api_for, other_teacher, student, draft_quiz):
    assert api_for(other_teacher).put(durl(draft_quiz), {"title": "Hacked"}, format="json").status_code == 404
    assert api_for(other_teacher).delete(durl(draft_quiz)).status_code == 404
    assert api_for(student).put(durl(draft_quiz), {"title": "Hacked"}, format="json").status_code == 403
    assert api_for(student).delete(durl(draft_quiz)).status_code == 403
    draft_quiz.refresh_from_db()
    assert draft_quiz.title == "Algebra check"


@pytest.mark.django_db
def test_delete_returns_message_but_not_once_attempted(api_for, teacher, student, draft_quiz):
    other = QuizFactory(created_by=teacher)
    QuizAttemptFactory(quiz=other, student=student)
    client = api_for(teacher)
    r = client.delete(durl(other))
    assert r.status_code == 409 and Quiz.objects.filter(pk=other.pk).exists()
    r = client.delete(durl(draft_quiz))
    assert r.status_code == 200 and r.json() == {"message": "Quiz deleted"}
    assert not Quiz.objects.filter(pk=draft_quiz.pk).exists()


# --- publish, archive, status via PUT ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_notifies_the_assigned_class_only(api_for, teacher, student, outsider_student, draft_quiz):
    r = api_for(teacher).post(durl(draft_quiz, "/publish"))
    assert r.status_code == 200, r.json()
    assert r.json()["message"] == "Quiz published" and r.json()["access_code"] == draft_quiz.access_code
    draft_quiz.refresh_from_db()
    assert draft_quiz.status == QuizStatus.PUBLISHED
    note = Notification.objects.get(user=student.user)
    assert "Algebra check" in note.title
    assert not Notification.objects.filter(user=outsider_student.user).exists()
    assert AuditLog.objects.filter(action="quiz.publish", entity_id=draft_quiz.pk).exists()
    # Publishing again changes nothing and notifies nobody twice.
    assert api_for(teacher).post(durl(draft_quiz, "/publish")).status_code == 200
    assert Notification.objects.filter(user=student.user).count() == 1


@pytest.mark.django_db
def test_publish_rules(api_for, teacher, school_class, mcq):
    client = api_for(teacher)
    empty = QuizFactory(created_by=teacher)
    QuizClassFactory(quiz=empty, school_class=school_class)
    r = client.post(durl(empty, "/publish"))
    assert r.status_code == 400 and "question" in r.json()["detail"]
    no_class = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=no_class, question=mcq, order_index=0)
    r = client.post(durl(no_class, "/publish"))
    assert r.status_code == 400 and "class" in r.json()["detail"]
    ended = QuizFactory(created_by=teacher, end_date=timezone.now() - timedelta(hours=1))
    QuizClassFactory(quiz=ended, school_class=school_class)
    QuizQuestionFactory(quiz=ended, question=mcq, order_index=0)
    r = client.post(durl(ended, "/publish"))
    assert r.status_code == 400 and "end date" in r.json()["detail"]
    assert not Quiz.objects.filter(status=QuizStatus.PUBLISHED).exists()


@pytest.mark.django_db
def test_status_via_put_follows_the_same_rules(api_for, teacher, school_class, draft_quiz, student):
    client = api_for(teacher)
    empty = QuizFactory(created_by=teacher)
    r = client.put(durl(empty), {"status": "published", "title": "Renamed"}, format="json")
    assert r.status_code == 400
    empty.refresh_from_db()
    assert (empty.status, empty.title) != (QuizStatus.PUBLISHED, "Renamed")  # all or nothing
    assert empty.status == QuizStatus.DRAFT and empty.title != "Renamed"
    r = client.put(durl(draft_quiz), {"status": "published"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert Notification.objects.filter(user=student.user).count() == 1
    QuizAttemptFactory(quiz=draft_quiz, student=student)
    r = client.put(durl(draft_quiz), {"status": "draft"}, format="json")
    assert r.status_code == 409
    r = client.put(durl(draft_quiz), {"status": "archived"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "archived"


@pytest.mark.django_db
def test_archive_hides_the_quiz_from_students(api_for, teacher, other_teacher, student, published_quiz):
    assert api_for(other_teacher).post(durl(published_quiz, "/archive")).status_code == 404
    assert api_for(student).post(durl(published_quiz, "/archive")).status_code == 403
    r = api_for(teacher).post(durl(published_quiz, "/archive"))
    assert r.status_code == 200 and r.json()["message"] == "Quiz archived"
    published_quiz.refresh_from_db()
    assert published_quiz.status == QuizStatus.ARCHIVED
    assert AuditLog.objects.filter(action="quiz.archive", entity_id=published_quiz.pk).exists()
    assert api_for(student).get(f"{URL}/access/{published_quiz.access_code}").status_code == 404


# --- access codes ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_code_lookup(api_for, teacher, other_teacher, student, outsider_student, published_quiz):
    code = published_quiz.access_code
    for typed in (code, code.lower(), f" {code[:4]}-{code[4:].lower()} "):
        r = api_for(student).get(f"{URL}/access/{typed}")
        assert r.status_code == 200 and r.json()["id"] == str(published_quiz.pk), typed
    assert api_for(outsider_student).get(f"{URL}/access/{code}").status_code == 404
    assert api_for(student).get(f"{URL}/access/ZZZZZZZZ").status_code == 404
    assert api_for(teacher).get(f"{URL}/access/{code.lower()}").json()["access_code"] == code
    assert api_for(other_teacher).get(f"{URL}/access/{code}").status_code == 404


@pytest.mark.django_db
def test_access_code_of_a_draft_is_404_for_students(api_for, student, draft_quiz):
    assert api_for(student).get(f"{URL}/access/{draft_quiz.access_code}").status_code == 404


@pytest.mark.django_db
def test_access_codes_are_unique(api_for, teacher):
    client = api_for(teacher)
    codes = {client.post(URL, new_quiz(title=f"Q{i}"), format="json").json()["access_code"] for i in range(20)}
    assert len(codes) == 20


@pytest.mark.django_db
def test_a_new_pass_mark_applies_to_results_already_given(
    api_for, teacher, student, published_quiz, django_capture_on_commit_callbacks
):
    """The teacher lowers the pass mark after marking: the student's result, their attempt list and the quiz
    analytics say 'passed' from then on (pass/fail is stored on the attempt at submit time)."""
    from decimal import Decimal

    published_quiz.passing_percentage = 50
    published_quiz.save()
    marked = QuizAttemptFactory(
        quiz=published_quiz,
        student=student,
        status=AttemptStatus.GRADED,
        score=Decimal("4.5"),
        total_marks=10,
        percentage=Decimal("45.00"),
        passed=False,
        submitted_at=timezone.now(),
    )
    pending = QuizAttemptFactory(
        quiz=published_quiz,
        student=student,
        attempt_number=2,
        status=AttemptStatus.SUBMITTED,
        passed=None,
        submitted_at=timezone.now(),
    )
    before = api_for(teacher).get(f"/api/v1/analytics/quiz/{published_quiz.pk}").json()
    assert before["passed_count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(teacher).put(durl(published_quiz), {"passing_percentage": 40}, format="json")
    assert r.status_code == 200, r.json()
    marked.refresh_from_db()
    pending.refresh_from_db()
    assert marked.passed is True and pending.passed is None
    mine = api_for(student).get("/api/v1/attempts").json()["items"]
    assert next(a for a in mine if a["id"] == str(marked.pk))["passed"] is True
    after = api_for(teacher).get(f"/api/v1/analytics/quiz/{published_quiz.pk}").json()
    assert after["passed_count"] == 1


@pytest.mark.django_db
def test_partial_put_with_a_question_item_without_id_is_a_400(api_for, teacher, draft_quiz, mcq):
    """PUT is partial and DRF makes nested fields optional too: an item without `id` was a 500 (KeyError)."""
    before = list(draft_quiz.quiz_questions.values_list("question_id", flat=True))
    r = api_for(teacher).put(durl(draft_quiz), {"questions": [{"marks_override": 3}]}, format="json")
    assert r.status_code == 400 and "id" in r.json()["detail"]
    assert list(draft_quiz.quiz_questions.values_list("question_id", flat=True)) == before
