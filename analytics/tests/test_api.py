"""The analytics API: the guide's shapes, the numbers, who may see what, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.cache import invalidate_quiz_analytics
from attempts.models import AttemptStatus, QuizAttempt
from tests.builders import CORRECT, WRONG, build_quiz, finish_attempt, options_for
from tests.factories import QuizFactory, StudentFactory

pytestmark = pytest.mark.django_db


def url(path):
    return f"/api/v1/{path}"


@pytest.fixture
def results(quiz, student, make_students):
    """Four graded attempts on `quiz` (3 one-mark questions) and one in progress that must not count."""
    others = make_students(3)
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT], violations=2)
    finish_attempt(quiz, others[0], [CORRECT, CORRECT, WRONG])
    finish_attempt(quiz, others[1], [CORRECT, WRONG, None])
    finish_attempt(quiz, others[2], [WRONG, WRONG, WRONG], violations=1)
    from tests.factories import QuizAttemptFactory

    QuizAttemptFactory(quiz=quiz, student=others[0], attempt_number=2)
    return quiz


# --- quiz -----------------------------------------------------------------------------------------------------


def test_quiz_analytics_shape_and_numbers(api_for, teacher, results):
    response = api_for(teacher).get(url(f"analytics/quiz/{results.pk}"))
    assert response.status_code == 200
    data = response.json()
    assert data["quiz"]["id"] == str(results.pk) and data["quiz"]["title"] == "Fractions test"
    assert data["total_attempts"] == 4  # the attempt in progress is left out
    assert data["average_score"] == pytest.approx((100 + 66.67 + 33.33 + 0) / 4, abs=0.01)
    assert data["pass_rate"] == 50.0  # 100% and 66.67% pass the 50% mark
    assert sum(b["count"] for b in data["score_distribution"]) == 4
    assert data["score_distribution"][-1] == {"range": "90-100", "min": 90, "max": 100, "count": 1}
    first = data["question_statistics"][0]
    assert set(first) >= {
        "question",
        "correct_count",
        "incorrect_count",
        "success_rate",
        "average_marks",
        "facility_index",
        "standard_deviation",
        "discrimination_index",
        "discriminative_efficiency",
        "effective_weight",
        "doubtful",
        "flags",
    }
    assert (first["correct_count"], first["incorrect_count"], first["success_rate"]) == (3, 1, 75.0)
    assert first["average_marks"] == 0.75
    assert first["facility_index"] == 75.0
    stats = data["statistics"]
    assert stats["attempts"] == 4 and stats["mean"] == pytest.approx(1.5)
    assert set(stats) >= {"median", "sd", "skewness", "kurtosis", "cic", "error_ratio", "standard_error"}
    names = [r["student"]["name"] for r in data["student_performance"]]
    assert "Alice Johnson" in names and len(names) == 4
    assert data["violation_summary"] == {
        "total_violations": 3,
        "by_type": {"tab_switch": 3},
        "labels": {"tab_switch": "Tab switch"},
        "attempts_with_violations": 2,
        "auto_submitted_due_to_violations": 0,
    }


def test_attempts_first_best_last(api_for, teacher, quiz, student):
    finish_attempt(quiz, student, [WRONG, WRONG, WRONG], number=1)
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT], number=2)
    finish_attempt(quiz, student, [CORRECT, WRONG, WRONG], number=3)
    client = api_for(teacher)

    def scores(mode):
        data = client.get(url(f"analytics/quiz/{quiz.pk}"), {"attempts": mode}).json()
        assert data["attempts_mode"] == mode
        return [r["percentage"] for r in data["student_performance"]]

    assert scores("first") == [0.0]
    assert scores("best") == [100.0]
    assert scores("last") == [33.33]
    assert sorted(scores("all")) == [0.0, 33.33, 100.0]
    bad = client.get(url(f"analytics/quiz/{quiz.pk}"), {"attempts": "median"})
    assert bad.status_code == 400 and "attempts" in bad.json()["detail"]


def test_quiz_analytics_is_cached_until_an_attempt_is_submitted(api_for, teacher, quiz, student, make_students):
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT])
    client = api_for(teacher)
    assert client.get(url(f"analytics/quiz/{quiz.pk}")).json()["total_attempts"] == 1
    late = finish_attempt(quiz, make_students(1)[0], [WRONG, WRONG, WRONG])
    # Without invalidation the cached figure stands...
    assert client.get(url(f"analytics/quiz/{quiz.pk}")).json()["total_attempts"] == 1
    # ...and the submit/grade services' call makes the next read see the new attempt.
    invalidate_quiz_analytics(late.quiz_id)
    data = client.get(url(f"analytics/quiz/{quiz.pk}")).json()
    assert data["total_attempts"] == 2 and data["average_score"] == 50.0


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _add_attempts(quiz, n):
    # Students of the quiz's class: only they can take it (tests.builders start attempts through the service).
    for i, s in enumerate(StudentFactory.create_batch(n, school_class=quiz.classes.first())):
        finish_attempt(quiz, s, options_for([i % 2, (i // 2) % 2, 1]), violations=i % 3)


def test_quiz_analytics_query_count_does_not_grow_with_attempts(api_for, teacher, quiz, django_assert_num_queries):
    client = api_for(teacher)
    path = url(f"analytics/quiz/{quiz.pk}")
    _add_attempts(quiz, 2)
    # auth user, quiz, quiz questions, attempts, answers, violations
    with django_assert_num_queries(6):
        assert client.get(path).status_code == 200
    # a cached read: auth user and the quiz only
    with django_assert_num_queries(2):
        assert client.get(path).status_code == 200
    _add_attempts(quiz, 12)
    invalidate_quiz_analytics(quiz.pk)
    with django_assert_num_queries(6):
        assert client.get(path).json()["total_attempts"] == 14


def test_dashboards_query_counts_do_not_grow(
    api_for, admin, teacher, student, quiz, school_class, django_assert_num_queries
):
    _add_attempts(quiz, 2)
    paths = {
        "admin": (admin, url("analytics/admin")),
        "teacher": (teacher, url(f"analytics/teacher/{teacher.pk}")),
        "student": (student, url(f"analytics/student/{student.pk}")),
    }
    small = {}
    for key, (user, path) in paths.items():
        finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT], number=len(small) + 1)
        cache.clear()
        small[key] = _count_queries(api_for(user), path)
    assert small == {"admin": 8, "teacher": 5, "student": 5}
    other_quiz = build_quiz(teacher, title="Second quiz", school_class=school_class)
    _add_attempts(other_quiz, 10)
    _add_attempts(quiz, 10)
    for key, (user, path) in paths.items():
        cache.clear()
        client = api_for(user)  # issuing the token writes a row: outside the count
        with django_assert_num_queries(small[key]):
            assert client.get(path).status_code == 200


# --- dashboards -----------------------------------------------------------------------------------------------


def test_admin_analytics_shape(api_for, admin, teacher, student, results):
    data = api_for(admin).get(url("analytics/admin")).json()
    assert data["total_users"]["admins"] == 1 and data["total_users"]["teachers"] == 1
    assert data["total_users"]["students"] == 4
    assert data["total_quizzes"] == 1 and data["active_quizzes"] == 1
    assert data["total_attempts"] == 5 and data["completed_attempts"] == 4
    assert data["top_students"][0]["student"]["name"] == "Alice Johnson"
    assert data["top_students"][0]["average_score"] == 100.0
    teacher_row = data["teacher_stats"][0]
    assert teacher_row["teacher"]["name"] == "Tom Teacher"
    assert (teacher_row["quizzes"], teacher_row["classes"], teacher_row["attempts"]) == (1, 1, 4)
    assert any("Alice Johnson" in a["description"] for a in data["recent_activity"])


def test_teacher_analytics_shape(api_for, teacher, results, student):
    QuizAttempt.objects.filter(student=student).update(status=AttemptStatus.SUBMITTED, passed=None)
    data = api_for(teacher).get(url(f"analytics/teacher/{teacher.pk}")).json()
    assert data["my_quizzes"] == 1 and data["my_classes"] == 1
    assert data["my_students"] == 4  # alice and the three classmates
    assert data["pending_grading"] == 1
    assert len(data["recent_attempts"]) == 4
    assert data["recent_attempts"][0]["quiz"]["title"] == "Fractions test"
    perf = data["quiz_performance"][0]
    assert perf["quiz"]["id"] == str(results.pk)
    assert (perf["attempts"], perf["graded_attempts"], perf["pending_grading"]) == (4, 3, 1)


def test_student_analytics_shape(api_for, student, teacher, quiz):
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT], number=1)
    finish_attempt(quiz, student, [WRONG, WRONG, CORRECT], number=2)
    science = QuizFactory(created_by=teacher, subject="Science")
    data = api_for(student).get(url(f"analytics/student/{student.pk}")).json()
    assert data["total_attempts"] == 2
    assert data["average_score"] == pytest.approx((100 + 33.33) / 2, abs=0.01)
    assert (data["quizzes_passed"], data["quizzes_failed"]) == (1, 1)
    assert [r["attempt_number"] for r in data["recent_results"]] == [2, 1]
    assert data["performance_by_subject"] == [
        {
            "subject": "Mathematics",
            "attempts": 2,
            "graded_attempts": 2,
            "average_score": 66.67,
            "passed": 1,
            "failed": 1,
        }
    ]
    assert science.subject not in [s["subject"] for s in data["performance_by_subject"]]


def test_students_teacher_and_admin_see_student_analytics(api_for, student, teacher, admin):
    for user in (student, teacher, admin):
        assert api_for(user).get(url(f"analytics/student/{student.pk}")).status_code == 200


# --- outsiders --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_teacher", "outsider_student", "student"])
def test_outsiders_cannot_see_quiz_analytics(request, api_for, results, who):
    user = request.getfixturevalue(who)
    response = api_for(user).get(url(f"analytics/quiz/{results.pk}"))
    assert response.status_code in (403, 404)
    assert "Alice" not in response.content.decode()
    if who == "other_teacher":
        assert response.status_code == 404


def test_anonymous_gets_401_everywhere(api, results, teacher, student):
    attempt = QuizAttempt.objects.filter(student=student).first()
    for path in (
        "analytics/admin",
        f"analytics/teacher/{teacher.pk}",
        f"analytics/student/{student.pk}",
        f"analytics/quiz/{results.pk}",
        f"analytics/quiz/{results.pk}/export?format=csv",
        f"exports/quiz/{results.pk}/results",
        f"exports/attempts/{attempt.pk}/pdf",
        f"exports/analytics/{results.pk}?format=pdf",
    ):
        response = api.get(url(path))
        assert response.status_code == 401, path
        assert "detail" in response.json()


def test_admin_analytics_is_for_admins_only(api_for, teacher, student):
    for user in (teacher, student):
        response = api_for(user).get(url("analytics/admin"))
        assert response.status_code == 403 and "total_users" not in response.json()


def test_teacher_analytics_outsiders(api_for, teacher, other_teacher, student, admin):
    assert api_for(other_teacher).get(url(f"analytics/teacher/{teacher.pk}")).status_code == 404
    assert api_for(student).get(url(f"analytics/teacher/{teacher.pk}")).status_code == 403
    assert api_for(admin).get(url(f"analytics/teacher/{teacher.pk}")).status_code == 200
    assert api_for(teacher).get(url(f"analytics/teacher/{teacher.pk}/")).status_code == 200  # trailing slash


def test_student_analytics_outsiders(api_for, student, other_teacher, outsider_student):
    for user in (other_teacher, outsider_student):
        response = api_for(user).get(url(f"analytics/student/{student.pk}"))
        assert response.status_code == 404 and "Alice" not in response.content.decode()


def test_unknown_ids_are_404(api_for, admin):
    import uuid

    client = api_for(admin)
    for path in ("analytics/quiz/{}", "analytics/teacher/{}", "analytics/student/{}"):
        assert client.get(url(path.format(uuid.uuid4()))).status_code == 404
    assert client.get(url("analytics/quiz/not-a-uuid")).status_code == 404


def test_dashboards_are_cached_until_an_attempt_is_submitted(api_for, student, teacher, quiz):
    client = api_for(student)
    assert client.get(url(f"analytics/student/{student.pk}")).json()["total_attempts"] == 0
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT])
    assert client.get(url(f"analytics/student/{student.pk}")).json()["total_attempts"] == 0
    invalidate_quiz_analytics(quiz.pk)  # any quiz's submission bumps the site-wide version the dashboards use
    assert client.get(url(f"analytics/student/{student.pk}")).json()["total_attempts"] == 1
    assert api_for(teacher).get(url(f"analytics/teacher/{teacher.pk}")).json()["recent_attempts"][0]["score"] == 3.0


# --- one rendering of numbers, and a schema for every body --------------------------------------------------------

SCORE_KEYS = {"score", "percentage", "average_score", "pass_rate", "highest_score", "lowest_score", "average_marks"}


def _scores(body, found=None):
    """Every (key, value) of a score, mark or percentage anywhere in a JSON body."""
    found = [] if found is None else found
    if isinstance(body, dict):
        for key, value in body.items():
            if key in SCORE_KEYS and value is not None:
                found.append((key, value))
            _scores(value, found)
    elif isinstance(body, list):
        for value in body:
            _scores(value, found)
    return found


def test_scores_are_json_floats_on_every_analytics_endpoint(api_for, admin, teacher, student, quiz):
    finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT])  # 2 of 3 marks: a whole number of marks
    bodies = {
        "admin": api_for(admin).get(url("analytics/admin")),
        "teacher": api_for(teacher).get(url(f"analytics/teacher/{teacher.pk}")),
        "student": api_for(student).get(url(f"analytics/student/{student.pk}")),
        "quiz": api_for(teacher).get(url(f"analytics/quiz/{quiz.pk}")),
    }
    for name, response in bodies.items():
        assert response.status_code == 200, name
        found = _scores(response.json())
        assert found, name
        assert all(isinstance(value, float) for _, value in found), (name, found)
    assert b'"score":2.0' in bodies["teacher"].content and b'"score":2.0' in bodies["student"].content
    assert b'"score":2.0' in bodies["quiz"].content and b'"score":2,' not in bodies["quiz"].content


def test_schema_describes_every_analytics_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for path, component in {
        "/api/v1/analytics/admin/": "AdminAnalytics",
        "/api/v1/analytics/teacher/{teacher_id}/": "TeacherAnalytics",
        "/api/v1/analytics/student/{student_id}/": "StudentAnalytics",
        "/api/v1/analytics/quiz/{quiz_id}/": "QuizAnalytics",
    }.items():
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{component}"}, path
    assert components["StudentPerformance"]["properties"]["score"]["format"] == "double"
    assert components["QuizAnalytics"]["properties"]["average_score"]["format"] == "double"
    assert "question_statistics" in components["QuizAnalytics"]["required"]


# --- figures a reader could take the wrong way --------------------------------------------------------------------


def _essay_graded(teacher, student, science, marks):
    """The student's attempt at science_quiz (mcq and short answer right: 5 of 15 so far), the essay marked
    `marks` of 10 by the teacher (None: left awaiting grading)."""
    from grading.services import attempt_grade
    from tests.builders import make_attempt

    attempt = make_attempt(science, student)
    if marks is not None:
        essay = attempt.answers.get(question=science.essay)
        attempt = attempt_grade(
            attempt=attempt, by=teacher.user, grades=[{"answer_id": essay.pk, "marks_awarded": marks}]
        )
    return attempt


def test_an_attempt_awaiting_grading_shows_no_percentage_and_stays_out_of_averages(
    api_for, student, teacher, quiz, school_class
):
    from tests.builders import science_quiz

    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT])  # graded: 100 %
    science = science_quiz(teacher, school_class)
    pending = _essay_graded(teacher, student, science, None)
    assert pending.status == AttemptStatus.SUBMITTED and pending.percentage == Decimal(
        "33.33"
    )  # the automatic marks so far

    data = api_for(student).get(url(f"analytics/student/{student.pk}")).json()
    rows = {r["quiz"]["title"]: r for r in data["recent_results"]}
    assert rows["Science Quiz"]["percentage"] is None and rows["Science Quiz"]["passed"] is None
    assert rows["Science Quiz"]["status"] == "submitted"
    assert rows["Fractions test"]["percentage"] == 100.0
    assert data["average_score"] == 100.0 and data["pending_grading"] == 1
    by_subject = {s["subject"]: s for s in data["performance_by_subject"]}
    assert by_subject["Science"]["average_score"] is None and by_subject["Science"]["graded_attempts"] == 0

    # The teacher's dashboard and the quiz analytics list the attempt the same way.
    recent = api_for(teacher).get(url(f"analytics/teacher/{teacher.pk}")).json()["recent_attempts"]
    assert [r["percentage"] for r in recent if r["quiz"]["title"] == "Science Quiz"] == [None]
    quiz_data = api_for(teacher).get(url(f"analytics/quiz/{science.pk}")).json()
    assert [r["percentage"] for r in quiz_data["student_performance"]] == [None]
    assert quiz_data["average_score"] is None


# Item flags need this many fully graded attempts (analytics.selectors.quiz says why).
MIN_ATTEMPTS_FOR_FLAGS = 5


def test_questions_are_not_flagged_on_too_few_attempts(api_for, teacher, quiz, make_students):
    students = make_students(MIN_ATTEMPTS_FOR_FLAGS)
    finish_attempt(quiz, students[0], [CORRECT, WRONG, CORRECT])
    data = api_for(teacher).get(url(f"analytics/quiz/{quiz.pk}")).json()
    first = data["question_statistics"][0]
    assert first["facility_index"] == 100.0  # the figure is still there...
    assert all(q["flags"] == [] and q["doubtful"] is False for q in data["question_statistics"])  # ...no verdict

    for s in students[1:]:
        finish_attempt(quiz, s, [CORRECT, WRONG, CORRECT])
    invalidate_quiz_analytics(quiz.pk)  # as the submit service does on commit
    data = api_for(teacher).get(url(f"analytics/quiz/{quiz.pk}")).json()
    assert data["statistics"]["attempts"] == MIN_ATTEMPTS_FOR_FLAGS
    first = data["question_statistics"][0]
    assert [f["code"] for f in first["flags"]] == ["too_easy"] and first["doubtful"] is True


def test_a_hand_marked_question_reports_marks_not_a_correct_count(api_for, teacher, student, school_class):
    from tests.builders import science_quiz

    science = science_quiz(teacher, school_class)
    attempt = _essay_graded(teacher, student, science, 8)
    assert attempt.status == AttemptStatus.GRADED
    data = api_for(teacher).get(url(f"analytics/quiz/{science.pk}")).json()
    mcq, _, essay = data["question_statistics"]
    assert essay["question"]["type"] == "descriptive"
    assert essay["average_marks"] == 8.0 and essay["facility_index"] == 80.0 and essay["answered_count"] == 1
    assert essay["success_rate"] is None  # not "0 % correct" for 8 marks of 10
    assert mcq["success_rate"] == 100.0
