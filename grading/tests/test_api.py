from decimal import Decimal

import pytest

from accounts.models import AuditLog, Notification
from accounts.services import notify
from attempts.models import AttemptStatus, StudentAnswer
from tests.builders import make_attempt

pytestmark = pytest.mark.django_db


def essay_of(attempt, quiz):
    return StudentAnswer.objects.get(attempt=attempt, question=quiz.essay)


# --- pending / graded -----------------------------------------------------------------------------------------
def test_pending_lists_the_guide_shape_with_figures(api_for, teacher, submitted, school_class):
    body = api_for(teacher).get("/api/v1/grading/pending").json()
    assert body["total"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert item["attempt_id"] == str(submitted.pk)
    assert item["student"] == {
        "id": str(submitted.student_id),
        "name": "Alice Johnson",
        "registration_number": "STU2026001",
        "class_id": str(school_class.pk),
        "class_name": str(school_class),
    }
    assert item["quiz"]["title"] == "Science Quiz"
    assert item["descriptive_questions_count"] == 1
    assert item["auto_graded_score"] == 5.0  # mcq 2 + short answer 3
    assert item["pending_marks"] == 10  # the essay's marks in this quiz
    assert item["pending_answers"] == 1
    assert item["submitted_at"]


def test_pending_filters_by_quiz_and_class(api_for, teacher, submitted, quiz, other_class, classmates):
    api = api_for(teacher)
    assert api.get(f"/api/v1/grading/pending?quiz_id={quiz.pk}").json()["total"] == 1
    assert api.get(f"/api/v1/grading/pending?class_id={other_class.pk}").json()["total"] == 0
    assert api.get(f"/api/v1/grading/pending?class_id={submitted.student.school_class_id}").json()["total"] == 1
    assert api.get("/api/v1/grading/pending?quiz_id=not-a-uuid").status_code == 400


def test_pending_query_count_does_not_grow_with_rows(api_for, teacher, quiz, classmates, django_assert_num_queries):
    api = api_for(teacher)
    for s in classmates(2):
        make_attempt(quiz, s)
    with django_assert_num_queries(3):  # user, count, page
        assert api.get("/api/v1/grading/pending").json()["total"] == 2
    for s in classmates(8):
        make_attempt(quiz, s)
    with django_assert_num_queries(3):
        assert api.get("/api/v1/grading/pending").json()["total"] == 10


def test_graded_list_after_grading(api_for, teacher, submitted, quiz, django_assert_num_queries):
    api = api_for(teacher)
    assert api.get("/api/v1/grading/graded").json()["total"] == 0
    api.post(
        f"/api/v1/grading/attempts/{submitted.pk}/grade",
        {"grades": [{"answer_id": str(essay_of(submitted, quiz).pk), "marks_awarded": 10}]},
        format="json",
    )
    with django_assert_num_queries(3):
        body = api.get(f"/api/v1/grading/graded?quiz_id={quiz.pk}").json()
    assert body["total"] == 1
    assert body["items"][0]["score"] == 15.0 and body["items"][0]["passed"] is True
    assert body["items"][0]["graded_at"]
    assert api.get("/api/v1/grading/pending").json()["total"] == 0


@pytest.mark.parametrize("path", ["/api/v1/grading/pending", "/api/v1/grading/graded"])
def test_queues_hide_other_teachers_attempts_and_refuse_students(api_for, api, other_teacher, student, submitted, path):
    assert api_for(other_teacher).get(path).json()["total"] == 0
    assert api_for(student).get(path).status_code == 403
    assert api.get(path).status_code == 401


def test_admin_sees_every_quiz(api_for, admin, submitted):
    assert api_for(admin).get("/api/v1/grading/pending").json()["total"] == 1


# --- one attempt ----------------------------------------------------------------------------------------------
def test_attempt_detail_has_every_answer_and_the_violations(api_for, teacher, submitted, quiz):
    from tests.factories import ViolationFactory

    ViolationFactory(attempt=submitted, violation_type="tab_switch", question_index=2)
    body = api_for(teacher).get(f"/api/v1/grading/attempts/{submitted.pk}").json()
    assert body["attempt"]["id"] == str(submitted.pk) and body["student"]["name"] == "Alice Johnson"
    assert [a["question"]["text"] for a in body["answers"]] == [
        "What is 2+2?",
        "Capital of France?",
        "Explain photosynthesis",
    ]
    mcq, short, essay = body["answers"]
    assert mcq["student_answer"] == "4" and mcq["current_marks"] == 2.0 and mcq["auto_marked"] is True
    assert short["student_answer"] == "paris" and short["current_marks"] == 3.0
    assert essay["answer_id"] == str(essay_of(submitted, quiz).pk)
    assert essay["question"]["marks"] == 10  # after the quiz's override
    assert essay["question"]["sample_answer"].startswith("Plants turn light")
    assert essay["question"]["marking_rubric"].startswith("2 marks light")
    assert essay["student_answer"] == "Light and water make sugar."
    assert essay["current_marks"] is None and essay["current_feedback"] is None and essay["needs_marks"] is True
    assert body["violations"][0]["type"] == "tab_switch" and body["violations"][0]["question_index"] == 2


def test_grade_response_and_state(api_for, teacher, submitted, quiz):
    r = api_for(teacher).post(
        f"/api/v1/grading/attempts/{submitted.pk}/grade",
        {"grades": [{"answer_id": str(essay_of(submitted, quiz).pk), "marks_awarded": 4, "feedback": "Too short"}]},
        format="json",
    )
    assert r.status_code == 200
    assert r.json() == {
        "message": "Grading completed",
        "status": "graded",
        "final_score": 9.0,
        "total_marks": 15,
        "percentage": 60.0,
        "passed": True,
        "pending_answers": 0,
    }
    assert Notification.objects.filter(user=submitted.student.user, type="attempt_graded").count() == 1


@pytest.mark.parametrize(
    "grade",
    [
        {"marks_awarded": 11},
        {"marks_awarded": -1},
        {"marks_awarded": "x"},
        {"marks_awarded": 1.234},
        {"answer_id": "00000000-0000-0000-0000-000000000000", "marks_awarded": 1},
        {"answer_id": "nope", "marks_awarded": 1},
        {},
    ],
)
def test_bad_grades_are_a_400_and_nothing_is_saved(api_for, teacher, submitted, quiz, grade):
    essay = essay_of(submitted, quiz)
    good = {"answer_id": str(StudentAnswer.objects.get(attempt=submitted, question=quiz.mcq).pk), "marks_awarded": 0}
    bad = {"answer_id": str(essay.pk), **grade}
    r = api_for(teacher).post(f"/api/v1/grading/attempts/{submitted.pk}/grade", {"grades": [good, bad]}, format="json")
    assert r.status_code == 400 and r.json()["detail"]
    assert StudentAnswer.objects.get(pk=good["answer_id"]).marks_awarded == Decimal("2.00")
    essay.refresh_from_db()
    assert essay.marks_awarded is None


@pytest.mark.parametrize("body", [{"grades": []}, {}, {"grades": "x"}])
def test_empty_or_malformed_grade_bodies_are_400(api_for, teacher, submitted, body):
    assert (
        api_for(teacher).post(f"/api/v1/grading/attempts/{submitted.pk}/grade", body, format="json").status_code == 400
    )


def test_malformed_json_is_400(api_for, teacher, submitted):
    r = api_for(teacher).post(
        f"/api/v1/grading/attempts/{submitted.pk}/grade", "{oops", content_type="application/json"
    )
    assert r.status_code == 400


def test_outsiders_cannot_see_or_grade_an_attempt(
    api_for, api, other_teacher, student, outsider_student, submitted, quiz
):
    essay = essay_of(submitted, quiz)
    body = {"grades": [{"answer_id": str(essay.pk), "marks_awarded": 10}]}
    for client, code in (
        (api_for(other_teacher), 404),
        (api_for(student), 404),
        (api_for(outsider_student), 404),
        (api, 401),
    ):
        assert client.get(f"/api/v1/grading/attempts/{submitted.pk}").status_code == code
        assert client.post(f"/api/v1/grading/attempts/{submitted.pk}/grade", body, format="json").status_code == code
    essay.refresh_from_db()
    assert essay.marks_awarded is None
    assert not AuditLog.objects.filter(action="attempt.grade").exists()


# --- board actions --------------------------------------------------------------------------------------------
def test_extend_one_and_all_and_reinstate_over_the_api(api_for, teacher, in_progress, quiz):
    api = api_for(teacher)
    before = in_progress.deadline
    r = api.post(f"/api/v1/grading/attempts/{in_progress.pk}/extend", {"minutes": 7}, format="json")
    assert r.status_code == 200 and r.json()["seconds_remaining"] > 0
    in_progress.refresh_from_db()
    assert (in_progress.deadline - before).total_seconds() == 420
    assert api.post(f"/api/v1/grading/quizzes/{quiz.pk}/extend", {"minutes": 3}, format="json").json()["extended"] == 1
    assert (
        api.post(f"/api/v1/grading/attempts/{in_progress.pk}/extend", {"minutes": 0}, format="json").status_code == 400
    )
    r = api.post(f"/api/v1/grading/attempts/{in_progress.pk}/force-submit")
    assert r.status_code == 200 and r.json()["status"] == AttemptStatus.AUTO_SUBMITTED
    assert api.post(f"/api/v1/grading/attempts/{in_progress.pk}/force-submit").status_code == 400
    assert api.post(f"/api/v1/grading/attempts/{in_progress.pk}/reinstate", {}, format="json").status_code == 400
    r = api.post(
        f"/api/v1/grading/attempts/{in_progress.pk}/reinstate",
        {"reason": "Wrong student", "minutes": 15},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert 14 * 60 < r.json()["seconds_remaining"] <= 15 * 60


def test_outsiders_cannot_act_on_the_board(api_for, api, other_teacher, student, in_progress, quiz):
    deadline = in_progress.deadline
    for client, code in ((api_for(other_teacher), 404), (api_for(student), 404), (api, 401)):
        base = f"/api/v1/grading/attempts/{in_progress.pk}"
        assert client.post(f"{base}/extend", {"minutes": 5}, format="json").status_code == code
        assert client.post(f"{base}/force-submit").status_code == code
        assert client.post(f"{base}/reinstate", {"reason": "x"}, format="json").status_code == code
        assert (
            client.post(f"/api/v1/grading/quizzes/{quiz.pk}/extend", {"minutes": 5}, format="json").status_code == code
        )
        assert client.get(f"/api/v1/grading/quizzes/{quiz.pk}/status").status_code == code
    in_progress.refresh_from_db()
    assert in_progress.deadline == deadline and in_progress.status == AttemptStatus.IN_PROGRESS
    assert not AuditLog.objects.exists()


def test_quiz_status_over_http(api_for, teacher, in_progress, quiz):
    body = api_for(teacher).get(f"/api/v1/grading/quizzes/{quiz.pk}/status").json()
    assert body["active_attempts"] == 1 and body["students"][0]["name"] == "Alice Johnson"


# --- notifications --------------------------------------------------------------------------------------------
@pytest.fixture
def notes(student, outsider_student):
    notify(users=[student.user], type="quiz_published", title="New quiz", message="Science Quiz is open")
    notify(users=[student.user], type="attempt_graded", title="Your result", message="You scored 9")
    notify(users=[outsider_student.user], type="attempt_graded", title="Oscar's result", message="secret")
    return list(Notification.objects.filter(user=student.user).order_by("created_at"))


def test_notifications_list_own_only_with_unread_filter(api_for, student, notes, django_assert_num_queries):
    api = api_for(student)
    with django_assert_num_queries(3):
        body = api.get("/api/v1/notifications").json()
    assert body["total"] == 2 and {n["title"] for n in body["items"]} == {"New quiz", "Your result"}
    r = api.post(f"/api/v1/notifications/{notes[0].pk}/read")
    assert r.status_code == 200 and r.json()["is_read"] is True
    body = api.get("/api/v1/notifications?unread=true").json()
    assert [n["title"] for n in body["items"]] == ["Your result"]
    assert api.post("/api/v1/notifications/read-all/").json()["updated"] == 1  # with or without the slash
    assert api.get("/api/v1/notifications?unread=true").json()["total"] == 0


def test_someone_elses_notification_is_404_and_untouched(api_for, api, outsider_student, teacher, notes):
    for client, code in ((api_for(outsider_student), 404), (api_for(teacher), 404), (api, 401)):
        assert client.post(f"/api/v1/notifications/{notes[0].pk}/read").status_code == code
    assert api.get("/api/v1/notifications").status_code == 401
    assert api.post("/api/v1/notifications/read-all").status_code == 401
    api_for(outsider_student).post("/api/v1/notifications/read-all")
    assert Notification.objects.filter(user=notes[0].user, is_read=False).count() == 2


def test_regrade_end_to_end_when_the_teacher_fixes_the_answer_key(
    api_for, teacher, quiz, student, classmates, django_capture_on_commit_callbacks
):
    """The teacher corrects a short answer's accepted answers through the question bank API; the Celery task
    re-marks every submitted attempt, and the student whose score changed sees a notification."""
    wrong = make_attempt(quiz, student, short="Lutetia", essay=None)
    right = make_attempt(quiz, classmates(1)[0], short="Paris", essay=None)
    assert wrong.score == Decimal("2.00") and wrong.passed is False
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(teacher).put(
            f"/api/v1/questions/{quiz.short.pk}", {"accepted_answers": ["Paris", "Lutetia"]}, format="json"
        )
    assert r.status_code == 200, r.json()
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.score == Decimal("5.00") and wrong.percentage == Decimal("33.33")
    assert right.score == Decimal("5.00")
    note = Notification.objects.get(user=student.user)
    assert note.type == "attempt_regraded" and "from 2 to 5" in note.message
    assert AuditLog.objects.filter(action="question.regrade", entity_id=quiz.short.pk, user=teacher.user).exists()
    body = api_for(teacher).get(f"/api/v1/grading/attempts/{wrong.pk}").json()
    assert body["attempt"]["score"] == 5.0


def test_lowering_a_questions_marks_caps_the_teachers_marks_on_it(
    api_for, teacher, quiz, student, django_capture_on_commit_callbacks
):
    """A teacher's mark is kept by re-marking; when the question is then made worth less, the mark is capped at
    the new maximum, so no score exceeds its total."""
    attempt = make_attempt(quiz, student)
    answers = {a.question_id: a for a in attempt.answers.all()}
    r = api_for(teacher).post(
        f"/api/v1/grading/attempts/{attempt.pk}/grade",
        {
            "grades": [
                {"answer_id": str(answers[quiz.essay.pk].pk), "marks_awarded": 8},
                {"answer_id": str(answers[quiz.mcq.pk].pk), "marks_awarded": 2, "feedback": "Confirmed."},
            ]
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(teacher).put(f"/api/v1/questions/{quiz.mcq.pk}", {"marks": 1}, format="json")
    assert r.status_code == 200, r.json()
    attempt.refresh_from_db()
    assert attempt.total_marks == 14
    assert attempt.score == Decimal("12.00")  # mcq 1 (capped from 2) + short 3 + essay 8
    assert StudentAnswer.objects.get(pk=answers[quiz.mcq.pk].pk).marks_awarded == Decimal("1.00")
    body = api_for(student).get(f"/api/v1/attempts/{attempt.pk}").json()
    assert body["score"] <= body["total_marks"]


def test_a_reinstated_attempt_is_not_ended_again_by_its_next_violation(api_for, teacher, student, in_progress, quiz):
    """The teacher reinstates an attempt auto-submitted for violations (say, false alarms); one more tab switch
    must not end it straight away again."""
    me = api_for(student)
    for _ in range(quiz.violation_threshold):
        me.post(f"/api/v1/attempts/{in_progress.pk}/violations", {"violation_type": "tab_switch"}, format="json")
    in_progress.refresh_from_db()
    assert in_progress.auto_submitted_due_to_violations
    r = api_for(teacher).post(
        f"/api/v1/grading/attempts/{in_progress.pk}/reinstate", {"reason": "False alarms", "minutes": 10}, format="json"
    )
    assert r.status_code == 200
    r = me.post(f"/api/v1/attempts/{in_progress.pk}/violations", {"violation_type": "focus_lost"}, format="json")
    assert r.status_code == 201 and r.json()["auto_submit"] is False
    assert r.json()["total_violations"] == quiz.violation_threshold + 1  # the lifetime count stays on record
    assert r.json()["violation_threshold"] == 2 * quiz.violation_threshold
    # A fresh allowance, not an unlimited one: the threshold-th violation since the reinstatement ends it again.
    for _ in range(quiz.violation_threshold - 1):
        r = me.post(f"/api/v1/attempts/{in_progress.pk}/violations", {"violation_type": "tab_switch"}, format="json")
    assert r.json()["auto_submit"] is True
    in_progress.refresh_from_db()
    assert in_progress.status != "in_progress" and in_progress.auto_submitted_due_to_violations


# --- the schema the SPA's client is generated from ------------------------------------------------------------
GRADING_OPERATIONS = [
    ("get", "/api/v1/grading/pending/"),
    ("get", "/api/v1/grading/graded/"),
    ("get", "/api/v1/grading/attempts/{id}/"),
    ("post", "/api/v1/grading/attempts/{id}/grade/"),
    ("post", "/api/v1/grading/attempts/{id}/extend/"),
    ("post", "/api/v1/grading/attempts/{id}/force-submit/"),
    ("post", "/api/v1/grading/attempts/{id}/reinstate/"),
    ("post", "/api/v1/grading/quizzes/{id}/extend/"),
    ("get", "/api/v1/grading/quizzes/{id}/status/"),
    ("get", "/api/v1/notifications/"),
    ("post", "/api/v1/notifications/{id}/read/"),
    ("post", "/api/v1/notifications/read-all/"),
]


def _untyped_objects(schema, components, seen=()):
    """Where in `schema` an object is left without properties (an OpenApiTypes.OBJECT the SPA cannot type)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _untyped_objects(components[name], components, (*seen, name))
    found = []
    if schema.get("type") == "object" and not schema.get("properties"):
        found.append(seen[-1] if seen else "(response)")
    items = [schema["items"]] if "items" in schema else []
    for sub in (*schema.get("properties", {}).values(), *items, *schema.get("allOf", [])):
        found += _untyped_objects(sub, components, seen)
    return found


def test_the_schema_types_every_grading_response_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for method, path in GRADING_OPERATIONS:
        body = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in body, (method, path, body)
        component = components[body["$ref"].rsplit("/", 1)[-1]]
        assert component["properties"], (method, path)
        assert _untyped_objects(body, components) == [], (method, path)
    detail = components["GradingDetail"]["properties"]
    assert set(detail) == {"attempt", "student", "quiz", "answers", "violations"}
    assert components["GradingAnswer"]["properties"]["current_marks"]["format"] == "double"
    assert components["BoardRow"]["properties"]["score"]["format"] == "double"
    assert set(components["ForceSubmitResult"]["properties"]) >= {"message", "attempt_id", "status", "score"}
