"""The attempt API as the SPA and the exam page call it: start, autosave, submit, violations, list, detail."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason, Violation
from attempts.tests.conftest import assert_no_leak
from quizzes.models import QuizStatus
from tests.builders import make_quiz
from tests.factories import QuizAttemptFactory

pytestmark = pytest.mark.django_db


def start_url(quiz):
    return f"/api/v1/quizzes/{quiz.pk}/start"


def url(attempt_id, action=""):
    return f"/api/v1/attempts/{attempt_id}" + (f"/{action}" if action else "")


def questions_by_type(payload):
    return {q["type"]: q for q in payload["questions"]}


def start(api_for, student, quiz):
    response = api_for(student).post(start_url(quiz), HTTP_USER_AGENT="ExamBrowser/1.0")
    assert response.status_code in (200, 201), response.content
    return response.json()


# ----------------------------------------------------------------------------------------------------- start
class TestStart:
    def test_student_starts_and_gets_questions_without_the_answer_key(self, api_for, student, quiz):
        response = api_for(student).post(start_url(quiz), HTTP_USER_AGENT="ExamBrowser/1.0")
        assert response.status_code == 201
        data = response.json()
        attempt = QuizAttempt.objects.get(pk=data["attempt_id"])
        assert attempt.student_id == student.pk and attempt.status == AttemptStatus.IN_PROGRESS
        assert attempt.user_agent == "ExamBrowser/1.0" and attempt.ip_address == "127.0.0.1"
        assert 29 * 60 < data["time_remaining_seconds"] <= 30 * 60
        assert data["quiz"]["title"] == "Fractions check" and data["quiz"]["question_count"] == 4
        assert [q["text"] for q in data["questions"]][0] == "What is 1/2 + 1/4?"
        assert questions_by_type(data)["mcq"]["options"] == ["1/4", "3/4", "2/6", "1"]
        assert_no_leak(response.content.decode())

    def test_start_again_resumes_the_same_attempt_with_saved_answers(self, api_for, student, quiz):
        first = start(api_for, student, quiz)
        mcq = questions_by_type(first)["mcq"]
        api_for(student).post(url(first["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 2})
        response = api_for(student).post(start_url(quiz))
        assert response.status_code == 200
        again = response.json()
        assert again["attempt_id"] == first["attempt_id"] and again["resumed"] is True
        assert questions_by_type(again)["mcq"]["saved_answer"]["answer_option"] == 2
        assert QuizAttempt.objects.filter(quiz=quiz, student=student).count() == 1

    def test_deadline_is_capped_by_the_quiz_end_date(self, api_for, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, end_date=timezone.now() + timedelta(minutes=5))
        data = start(api_for, student, quiz)
        assert data["time_remaining_seconds"] <= 5 * 60
        assert QuizAttempt.objects.get(pk=data["attempt_id"]).deadline == quiz.end_date

    @pytest.mark.parametrize(
        ("overrides", "status", "words"),
        [
            ({"status": QuizStatus.DRAFT}, 403, "not been published"),
            ({"status": QuizStatus.ARCHIVED}, 403, "closed"),
            ({"start_date": timezone.now() + timedelta(hours=2)}, 403, "opens at"),
            (
                {"start_date": timezone.now() - timedelta(days=2), "end_date": timezone.now() - timedelta(days=1)},
                403,
                "ended",
            ),
        ],
    )
    def test_refused_outside_the_window(self, api_for, student, teacher, school_class, overrides, status, words):
        quiz = make_quiz(teacher, school_class, **overrides)
        response = api_for(student).post(start_url(quiz))
        assert response.status_code == status
        assert words in response.json()["detail"]
        assert not QuizAttempt.objects.exists()

    def test_refused_when_all_attempts_are_used(self, api_for, student, quiz):
        first = start(api_for, student, quiz)
        api_for(student).post(url(first["attempt_id"], "submit"))
        response = api_for(student).post(start_url(quiz))
        assert response.status_code == 409
        assert "all 1 attempt" in response.json()["detail"]
        assert QuizAttempt.objects.count() == 1

    def test_second_attempt_when_allowed_gets_number_two(self, api_for, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, max_attempts=2)
        first = start(api_for, student, quiz)
        api_for(student).post(url(first["attempt_id"], "submit"))
        second = start(api_for, student, quiz)
        assert second["attempt_id"] != first["attempt_id"] and second["attempt_number"] == 2

    def test_student_of_another_class_is_refused(self, api_for, outsider_student, quiz):
        response = api_for(outsider_student).post(start_url(quiz))
        assert response.status_code == 403
        assert "not assigned to your class" in response.json()["detail"]
        assert not QuizAttempt.objects.exists()

    def test_teacher_and_anonymous_cannot_start(self, api_for, api, teacher, admin, quiz):
        assert api_for(teacher).post(start_url(quiz)).status_code == 403
        assert api_for(admin).post(start_url(quiz)).status_code == 403
        assert api.post(start_url(quiz)).status_code == 401
        assert not QuizAttempt.objects.exists()

    def test_unknown_quiz_is_404(self, api_for, student):
        assert api_for(student).post("/api/v1/quizzes/00000000-0000-0000-0000-000000000000/start").status_code == 404

    def test_trailing_slash_is_accepted(self, api_for, student, quiz):
        assert api_for(student).post(start_url(quiz) + "/").status_code == 201

    def test_an_overdue_attempt_is_closed_and_not_resumed(self, api_for, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, max_attempts=2)
        old = start(api_for, student, quiz)
        deadline = timezone.now() - timedelta(minutes=10)
        QuizAttempt.objects.filter(pk=old["attempt_id"]).update(deadline=deadline)
        new = start(api_for, student, quiz)
        assert new["attempt_id"] != old["attempt_id"]
        closed = QuizAttempt.objects.get(pk=old["attempt_id"])
        assert closed.submit_reason == SubmitReason.DEADLINE and closed.submitted_at == deadline


class TestRandomization:
    def test_order_kept_on_resume_and_shuffled_options_graded_correctly(self, api_for, student, teacher, school_class):
        from tests.factories import QuestionFactory

        questions = [
            QuestionFactory(created_by=teacher, text=f"Q{i}", options=[f"o{j}" for j in range(6)], correct_answer=i)
            for i in range(6)
        ]
        quiz = make_quiz(teacher, school_class, questions=questions, randomize_questions=True, randomize_options=True)
        first = start(api_for, student, quiz)
        again = api_for(student).post(start_url(quiz)).json()
        assert [q["id"] for q in again["questions"]] == [q["id"] for q in first["questions"]]
        assert [q["options"] for q in again["questions"]] == [q["options"] for q in first["questions"]]
        attempt = QuizAttempt.objects.get(pk=first["attempt_id"])
        assert sorted(attempt.question_order) == sorted(str(q.id) for q in questions)
        # Answer every question by the DISPLAYED position of its correct option text.
        by_id = {str(q.id): q for q in questions}
        for q in first["questions"]:
            correct_text = f"o{by_id[q['id']].correct_answer}"
            shown = q["options"].index(correct_text)
            r = api_for(student).post(
                url(first["attempt_id"], "answer"), {"question_id": q["id"], "answer_option": shown}
            )
            assert r.status_code == 200
        for q in questions:  # stored as the original index
            assert StudentAnswer.objects.get(attempt=attempt, question=q).answer_option == q.correct_answer
        result = api_for(student).post(url(first["attempt_id"], "submit")).json()
        assert result["status"] == "graded" and result["score"] == result["total_marks"] == 12


# ---------------------------------------------------------------------------------------------------- answer
class TestAnswer:
    def test_save_is_an_upsert_of_one_row(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        mcq = questions_by_type(data)["mcq"]
        client = api_for(student)
        r1 = client.post(
            url(data["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 0}, format="json"
        )
        r2 = client.post(
            url(data["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 1}, format="json"
        )
        assert r1.status_code == r2.status_code == 200
        assert r2.json()["message"] == "Answer saved" and r2.json()["applied"] is True
        assert 0 < r2.json()["time_remaining_seconds"] <= 1800
        rows = StudentAnswer.objects.filter(attempt_id=data["attempt_id"])
        assert rows.count() == 1 and rows.get().answer_option == 1

    def test_older_client_seq_is_acknowledged_but_does_not_overwrite(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        short = questions_by_type(data)["short_answer"]
        client = api_for(student)
        new = client.post(
            url(data["attempt_id"], "answer"),
            {"question_id": short["id"], "answer_text": "newer", "client_seq": 5},
            format="json",
        )
        old = client.post(
            url(data["attempt_id"], "answer"),
            {"question_id": short["id"], "answer_text": "older", "client_seq": 4},
            format="json",
        )
        assert new.status_code == old.status_code == 200
        assert old.json()["applied"] is False
        row = StudentAnswer.objects.get(attempt_id=data["attempt_id"], question_id=short["id"])
        assert (row.answer_text, row.client_seq) == ("newer", 5)

    def test_batch_saves_every_answer_and_newest_wins_within_it(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        q = questions_by_type(data)
        body = {
            "answers": [
                {"question_id": q["mcq"]["id"], "answer_option": 3, "client_seq": 1},
                {"question_id": q["true_false"]["id"], "answer_option": 0, "client_seq": 2},
                {"question_id": q["descriptive"]["id"], "answer_text": "draft", "client_seq": 3},
                {"question_id": q["descriptive"]["id"], "answer_text": "final text", "client_seq": 4},
            ]
        }
        response = api_for(student).post(url(data["attempt_id"], "answer"), body, format="json")
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == 3
        saved = {str(a.question_id): a for a in StudentAnswer.objects.filter(attempt_id=data["attempt_id"])}
        assert saved[q["mcq"]["id"]].answer_option == 3
        assert saved[q["descriptive"]["id"]].answer_text == "final text"
        assert_no_leak(response.content.decode())

    @pytest.mark.parametrize(
        ("qtype", "body", "words"),
        [
            ("mcq", {"answer_text": "3/4"}, "answer_option"),
            ("mcq", {"answer_option": 4}, "from 0 to 3"),
            ("mcq", {"answer_option": -1}, "answer_option"),
            ("true_false", {"answer_option": 2}, "from 0 to 1"),
            ("descriptive", {"answer_option": 1}, "answer_text"),
            ("short_answer", {"answer_option": 0}, "answer_text"),
        ],
    )
    def test_answer_must_fit_the_question_type(self, api_for, student, quiz, qtype, body, words):
        data = start(api_for, student, quiz)
        question = questions_by_type(data)[qtype]
        response = api_for(student).post(
            url(data["attempt_id"], "answer"), {"question_id": question["id"], **body}, format="json"
        )
        assert response.status_code == 400
        assert words in response.json()["detail"]
        assert not StudentAnswer.objects.exists()

    def test_question_of_another_quiz_and_bad_input_are_400(self, api_for, student, quiz, teacher, school_class):
        data = start(api_for, student, quiz)
        other = make_quiz(teacher, None, title="Other")
        foreign = other.quiz_questions.first().question_id
        client = api_for(student)
        r = client.post(
            url(data["attempt_id"], "answer"), {"question_id": str(foreign), "answer_option": 0}, format="json"
        )
        assert r.status_code == 400 and "not part of the quiz" in r.json()["detail"]
        r = client.post(url(data["attempt_id"], "answer"), "{not json", content_type="application/json")
        assert r.status_code == 400 and r.json()["detail"]
        r = client.post(url(data["attempt_id"], "answer"), {"answers": []}, format="json")
        assert r.status_code == 400
        assert not StudentAnswer.objects.exists()

    def test_refused_after_submission(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        api_for(student).post(url(data["attempt_id"], "submit"))
        mcq = questions_by_type(data)["mcq"]
        response = api_for(student).post(
            url(data["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 1}
        )
        assert response.status_code == 409 and "already been submitted" in response.json()["detail"]
        assert StudentAnswer.objects.get(question_id=mcq["id"]).answer_option is None

    def test_accepted_within_grace_refused_after_it(self, api_for, student, quiz, settings):
        settings.ATTEMPT_GRACE_SECONDS = 60
        data = start(api_for, student, quiz)
        mcq = questions_by_type(data)["mcq"]
        attempt = QuizAttempt.objects.get(pk=data["attempt_id"])
        attempt.deadline = timezone.now() - timedelta(seconds=30)
        attempt.save(update_fields=["deadline"])
        r = api_for(student).post(url(attempt.pk, "answer"), {"question_id": mcq["id"], "answer_option": 1})
        assert r.status_code == 200 and r.json()["time_remaining_seconds"] == 0
        attempt.deadline = timezone.now() - timedelta(seconds=61)
        attempt.save(update_fields=["deadline"])
        r = api_for(student).post(url(attempt.pk, "answer"), {"question_id": mcq["id"], "answer_option": 2})
        assert r.status_code == 409 and "Time is up" in r.json()["detail"]
        attempt.refresh_from_db()
        assert attempt.status != AttemptStatus.IN_PROGRESS and attempt.submitted_at == attempt.deadline
        assert StudentAnswer.objects.get(attempt=attempt, question_id=mcq["id"]).answer_option == 1

    def test_outsiders_cannot_save(self, api_for, api, student, outsider_student, teacher, quiz):
        data = start(api_for, student, quiz)
        body = {"question_id": questions_by_type(data)["mcq"]["id"], "answer_option": 1}
        assert api_for(outsider_student).post(url(data["attempt_id"], "answer"), body).status_code == 404
        assert api_for(teacher).post(url(data["attempt_id"], "answer"), body).status_code == 403
        assert api.post(url(data["attempt_id"], "answer"), body).status_code == 401
        assert not StudentAnswer.objects.exists()


# ---------------------------------------------------------------------------------------------------- submit
class TestSubmit:
    def test_submit_marks_objective_and_leaves_descriptive_pending(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        q = questions_by_type(data)
        client = api_for(student)
        answers = [
            {"question_id": q["mcq"]["id"], "answer_option": 1},  # right: 2 marks
            {"question_id": q["true_false"]["id"], "answer_option": 1},  # wrong
            {"question_id": q["short_answer"]["id"], "answer_text": " 1/2 "},  # right: 2 marks
            {"question_id": q["descriptive"]["id"], "answer_text": "Because halves."},
        ]
        assert client.post(url(data["attempt_id"], "answer"), {"answers": answers}, format="json").status_code == 200
        response = client.post(url(data["attempt_id"], "submit"))
        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Quiz submitted successfully"
        assert body["status"] == "pending" and body["score"] == 4 and body["total_marks"] == 10
        attempt = QuizAttempt.objects.get(pk=data["attempt_id"])
        assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is not None
        assert attempt.submit_reason == SubmitReason.STUDENT

    def test_objective_quiz_is_graded_and_second_submit_changes_nothing(self, api_for, student, objective_quiz):
        data = start(api_for, student, objective_quiz)
        first_q = data["questions"][0]
        client = api_for(student)
        client.post(url(data["attempt_id"], "answer"), {"question_id": first_q["id"], "answer_option": 0})
        first = client.post(url(data["attempt_id"], "submit")).json()
        assert first["status"] == "graded" and first["score"] == 1 and first["percentage"] == 25.0
        assert first["passed"] is False
        second = client.post(url(data["attempt_id"], "submit"))
        assert second.status_code == 200
        assert {k: v for k, v in second.json().items() if k != "message"} == {
            k: v for k, v in first.items() if k != "message"
        }

    def test_time_up_from_the_page_is_refused_while_time_remains(self, api_for, student, quiz):
        """A teacher extended the time: the page's timer hit zero too early and is told how long is left."""
        data = start(api_for, student, quiz)
        client = api_for(student)
        early = client.post(url(data["attempt_id"], "submit"), {"reason": "time_up"}, format="json")
        assert early.status_code == 409 and early.json()["code"] == "time_remaining"
        assert early.json()["time_remaining_ms"] > 29 * 60 * 1000
        assert QuizAttempt.objects.get(pk=data["attempt_id"]).status == AttemptStatus.IN_PROGRESS
        QuizAttempt.objects.filter(pk=data["attempt_id"]).update(deadline=timezone.now())
        done = client.post(url(data["attempt_id"], "submit"), {"reason": "time_up"}, format="json")
        assert done.status_code == 200 and done.json()["submit_reason"] == "deadline"

    def test_outsiders_cannot_submit(self, api_for, api, student, outsider_student, teacher, other_teacher, quiz):
        data = start(api_for, student, quiz)
        assert api_for(outsider_student).post(url(data["attempt_id"], "submit")).status_code == 404
        assert api_for(other_teacher).post(url(data["attempt_id"], "submit")).status_code == 404
        assert api_for(teacher).post(url(data["attempt_id"], "submit")).status_code == 403
        assert api.post(url(data["attempt_id"], "submit")).status_code == 401
        assert QuizAttempt.objects.get().status == AttemptStatus.IN_PROGRESS


# ------------------------------------------------------------------------------------------------ violations
class TestViolations:
    def test_counted_and_auto_submitted_at_the_threshold(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        client = api_for(student)
        body = {"violation_type": "tab_switch", "question_index": 2, "metadata": {"hidden_ms": 1200}}
        results = [client.post(url(data["attempt_id"], "violations"), body, format="json") for _ in range(3)]
        assert [r.status_code for r in results] == [201, 201, 201]
        assert [r.json()["total_violations"] for r in results] == [1, 2, 3]
        assert [r.json()["auto_submit"] for r in results] == [False, False, True]
        assert results[0].json()["message"] == "Violation recorded"
        attempt = QuizAttempt.objects.get(pk=data["attempt_id"])
        # Nothing was answered, so nothing awaits the teacher: graded at once, the reason kept.
        assert attempt.status == AttemptStatus.GRADED and attempt.auto_submitted_due_to_violations
        assert attempt.submit_reason == SubmitReason.VIOLATIONS
        v = Violation.objects.filter(attempt=attempt).first()
        assert v.question_index == 2 and v.details == {"hidden_ms": 1200}
        late = client.post(url(data["attempt_id"], "violations"), body, format="json")
        assert late.status_code == 409
        assert Violation.objects.count() == 3

    def test_threshold_is_the_quizs(self, api_for, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, violation_threshold=1)
        data = start(api_for, student, quiz)
        r = api_for(student).post(url(data["attempt_id"], "violations"), {"violation_type": "right_click"})
        assert r.json() == {
            "message": "Violation recorded",
            "total_violations": 1,
            "violation_threshold": 1,
            "auto_submit": True,
            # Issue 17's additive fields.
            "counted": True,
            "action": "auto_submit",
            "flagged": False,
        }

    def test_unknown_type_is_400(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        r = api_for(student).post(url(data["attempt_id"], "violations"), {"violation_type": "sneezing"})
        assert r.status_code == 400 and "tab_switch" in r.json()["detail"]
        assert not Violation.objects.exists()

    @override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": ["redis://127.0.0.1:1"]},
            }
        }
    )
    def test_recorded_when_the_channel_layer_is_down(self, api_for, student, quiz, django_capture_on_commit_callbacks):
        from channels.layers import channel_layers

        from quizsite.live import reset_backoff

        data = start(api_for, student, quiz)
        channel_layers.backends.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                r = api_for(student).post(url(data["attempt_id"], "violations"), {"violation_type": "focus_lost"})
        finally:
            channel_layers.backends.clear()
            reset_backoff()  # the failure marked the layer down; later tests must not inherit that
        assert r.status_code == 201 and r.json()["total_violations"] == 1
        assert Violation.objects.filter(violation_type="focus_lost").count() == 1

    def test_outsiders_cannot_report(self, api_for, api, student, outsider_student, teacher, quiz):
        data = start(api_for, student, quiz)
        body = {"violation_type": "tab_switch"}
        assert api_for(outsider_student).post(url(data["attempt_id"], "violations"), body).status_code == 404
        assert api_for(teacher).post(url(data["attempt_id"], "violations"), body).status_code == 403
        assert api.post(url(data["attempt_id"], "violations"), body).status_code == 401
        assert not Violation.objects.exists() and QuizAttempt.objects.get().total_violations == 0


# -------------------------------------------------------------------------------------------- list and detail
class TestListAndDetail:
    def test_student_lists_only_own_attempts(self, api_for, student, outsider_student, quiz, teacher, other_class):
        mine = start(api_for, student, quiz)
        other_quiz = make_quiz(teacher, other_class, title="Other class quiz")
        start(api_for, outsider_student, other_quiz)
        body = api_for(student).get("/api/v1/attempts").json()
        assert [i["id"] for i in body["items"]] == [mine["attempt_id"]]
        assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
        item = body["items"][0]
        assert item["quiz"] == {"id": str(quiz.pk), "title": "Fractions check", "subject": "Mathematics"}
        assert item["status"] == "in_progress" and item["attempt_number"] == 1

    def test_teacher_sees_attempts_of_own_quizzes_with_filters(
        self, api_for, student, outsider_student, teacher, other_teacher, quiz, other_class
    ):
        a = start(api_for, student, quiz)
        theirs = make_quiz(other_teacher, other_class, title="Theirs")
        b = start(api_for, outsider_student, theirs)
        assert [i["id"] for i in api_for(teacher).get("/api/v1/attempts").json()["items"]] == [a["attempt_id"]]
        assert [i["id"] for i in api_for(other_teacher).get("/api/v1/attempts").json()["items"]] == [b["attempt_id"]]
        assert api_for(teacher).get(f"/api/v1/attempts?quiz_id={theirs.pk}").json()["total"] == 0
        assert api_for(teacher).get("/api/v1/attempts?status=graded").json()["total"] == 0
        assert api_for(teacher).get("/api/v1/attempts?status=in_progress").json()["total"] == 1
        assert api_for(admin_user := teacher).get("/api/v1/attempts").status_code == 200 and admin_user

    def test_admin_sees_all_and_pagination(self, api_for, admin, student, quiz):
        for i in range(3):
            QuizAttemptFactory(quiz=quiz, student=student, attempt_number=i + 1, status=AttemptStatus.GRADED,
                               submitted_at=timezone.now())  # fmt: skip
        body = api_for(admin).get("/api/v1/attempts?limit=2&page=2").json()
        assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 1

    def test_list_query_count_does_not_grow_with_rows(
        self, api_for, student, quiz, teacher, django_assert_max_num_queries
    ):
        for i in range(5):
            QuizAttemptFactory(quiz=quiz, student=student, attempt_number=i + 1, status=AttemptStatus.GRADED,
                               submitted_at=timezone.now())  # fmt: skip
        client = api_for(teacher)
        with django_assert_max_num_queries(3):  # user, count, page
            assert client.get("/api/v1/attempts").json()["total"] == 5

    def test_anonymous_list_is_401(self, api):
        assert api.get("/api/v1/attempts").status_code == 401

    def test_detail_shape_and_no_key_while_in_progress(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        response = api_for(student).get(url(data["attempt_id"]))
        assert response.status_code == 200
        body = response.json()
        assert body["student"]["name"] == "Alice Johnson" and body["quiz"]["title"] == "Fractions check"
        assert len(body["answers"]) == 4 and body["violations"] == []
        assert_no_leak(response.content.decode())

    @pytest.mark.parametrize(
        ("allow_review", "show_answers", "answers_shown", "key_shown"),
        [(True, True, True, True), (True, False, True, False), (False, True, False, False)],
    )
    def test_review_rules_after_submission(
        self, api_for, student, teacher, school_class, allow_review, show_answers, answers_shown, key_shown
    ):
        quiz = make_quiz(teacher, school_class, allow_review=allow_review, show_answers_after_submission=show_answers)
        data = start(api_for, student, quiz)
        mcq = questions_by_type(data)["mcq"]
        client = api_for(student)
        client.post(url(data["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 1})
        client.post(url(data["attempt_id"], "violations"), {"violation_type": "tab_switch", "question_index": 0})
        client.post(url(data["attempt_id"], "submit"))
        response = client.get(url(data["attempt_id"]))
        body = response.json()
        assert body["score"] == 2 and body["total_violations"] == 1
        assert body["violations"][0]["type"] == "tab_switch"
        assert bool(body["answers"]) is answers_shown
        text = response.content.decode()
        assert ('"correct_answer"' in text) is key_shown
        assert "SECRET-RUBRIC" not in text
        if key_shown:
            mcq_item = next(a for a in body["answers"] if a["question"]["type"] == "mcq")
            assert mcq_item["correct_answer"] == 1 and mcq_item["is_correct"] is True
        # The teacher always sees the key.
        teacher_text = api_for(teacher).get(url(data["attempt_id"])).content.decode()
        assert '"correct_answer"' in teacher_text and "SECRET-RUBRIC" in teacher_text

    def test_other_people_get_404(self, api_for, student, outsider_student, other_teacher, quiz):
        data = start(api_for, student, quiz)
        assert api_for(outsider_student).get(url(data["attempt_id"])).status_code == 404
        assert api_for(other_teacher).get(url(data["attempt_id"])).status_code == 404
        assert api_for(student).get(url("not-a-uuid")).status_code == 404

    def test_detail_of_an_overdue_attempt_closes_it(self, api_for, student, quiz):
        data = start(api_for, student, quiz)
        deadline = timezone.now() - timedelta(minutes=5)
        QuizAttempt.objects.filter(pk=data["attempt_id"]).update(deadline=deadline)
        body = api_for(student).get(url(data["attempt_id"])).json()
        assert body["status"] != "in_progress" and body["submit_reason"] == "deadline"
        assert body["submitted_at"] == deadline.isoformat()


def test_leak_free_across_every_student_response(api_for, student, quiz):
    """Every response a student sees during an attempt is free of the answer key."""
    client = api_for(student)
    texts = []
    r = client.post(start_url(quiz))
    texts.append(r.content.decode())
    data = r.json()
    for q in data["questions"]:
        body = (
            {"question_id": q["id"], "answer_option": 0}
            if "options" in q
            else {"question_id": q["id"], "answer_text": "x"}
        )
        texts.append(client.post(url(data["attempt_id"], "answer"), body, format="json").content.decode())
    texts.append(
        client.post(url(data["attempt_id"], "violations"), {"violation_type": "copy_attempt"}).content.decode()
    )
    texts.append(client.get("/api/v1/attempts").content.decode())
    texts.append(client.get(url(data["attempt_id"])).content.decode())
    texts.append(client.post(url(data["attempt_id"], "submit")).content.decode())
    texts.append(client.get(url(data["attempt_id"])).content.decode())  # review allowed, show answers off
    for text in texts:
        assert_no_leak(text)
    assert json.loads(texts[-1])["answers"]


# ------------------------------------------------------------------------------------------------------ schema
EXAM_OPERATIONS = [
    ("/api/v1/quizzes/{id}/start", "post", ["200", "201"]),
    ("/api/v1/attempts/{id}/answer", "post", ["200"]),
    ("/api/v1/attempts/{id}/submit", "post", ["200", "409"]),
    ("/api/v1/attempts/{id}/violations", "post", ["201"]),
    ("/api/v1/attempts/{id}", "get", ["200"]),
]


def test_schema_describes_every_exam_response_body(client):
    """/api/schema/ names a component with properties for each response the SPA reads: no bare `object`."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]

    def described(ref_or_schema):
        if "$ref" not in ref_or_schema:
            return False
        component = components[ref_or_schema["$ref"].rsplit("/", 1)[1]]
        # One shape per kind of request or viewer, each described (anyOf: a staff body also fits the student's).
        options = component.get("anyOf") or component.get("oneOf")
        if options:
            return all(described(option) for option in options)
        return bool(component.get("properties"))

    for path, method, codes in EXAM_OPERATIONS:
        # The router's optional trailing slash: the schema lists the path with or without it.
        operation = (schema["paths"].get(path) or schema["paths"][path + "/"])[method]
        for code in codes:
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert described(body), (path, method, code, body)
    detail = components["AttemptDetail"]["properties"]
    assert {"score", "percentage", "answers", "violations"} <= set(detail)
    assert detail["score"]["format"] == "double" and "ip_address" in components["AttemptStaffDetail"]["properties"]


def test_scores_render_as_floats_on_submit_detail_and_list(api_for, student, objective_quiz):
    """One number format for a score: 1.0 and 25.0, never 1 on one endpoint and 1.0 or "1.00" on another."""
    data = start(api_for, student, objective_quiz)
    client = api_for(student)
    client.post(url(data["attempt_id"], "answer"), {"question_id": data["questions"][0]["id"], "answer_option": 0})
    texts = [
        client.post(url(data["attempt_id"], "submit")).content.decode(),
        client.get(url(data["attempt_id"])).content.decode(),
        client.get("/api/v1/attempts").content.decode(),
    ]
    for text in texts:
        assert '"score":1.0' in text and '"percentage":25.0' in text, text
    detail = json.loads(texts[1])
    assert {a["marks_awarded"] for a in detail["answers"]} == {1.0, 0.0}
    assert all(isinstance(a["marks_awarded"], float) for a in detail["answers"])


@pytest.mark.django_db
def test_a_pasted_control_character_in_an_answer_is_stripped_not_refused(api_for, student, quiz):
    # A refused save would drop the student's answer (the exam page does not re-send a 400): strip instead.
    data = start(api_for, student, quiz)
    short = questions_by_type(data)["short_answer"]
    r = api_for(student).post(
        url(data["attempt_id"], "answer"),
        {"question_id": short["id"], "answer_text": "1/\x072"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert StudentAnswer.objects.get(attempt_id=data["attempt_id"], question_id=short["id"]).answer_text == "1/2"


@pytest.mark.django_db
@pytest.mark.parametrize("max_attempts, shown", [(2, False), (1, True)])
def test_per_question_marks_do_not_give_the_key_away_between_attempts(
    api_for, client, student, teacher, school_class, max_attempts, shown
):
    """Issue 13: with the answers hidden, 0/2 next to a multiple-choice question told the student it was wrong, so
    the next attempt could try the other options. Marks of auto-marked questions are withheld while another
    attempt is allowed; the total and the teacher's marks of written answers stay."""
    quiz = make_quiz(teacher, school_class, max_attempts=max_attempts, show_answers_after_submission=False)
    data = start(api_for, student, quiz)
    mcq = questions_by_type(data)["mcq"]
    api_for(student).post(url(data["attempt_id"], "answer"), {"question_id": mcq["id"], "answer_option": 0})
    assert api_for(student).post(url(data["attempt_id"], "submit")).status_code == 200
    body = api_for(student).get(url(data["attempt_id"])).json()
    item = next(a for a in body["answers"] if a["question"]["id"] == mcq["id"])
    assert item["marks_hidden"] is (not shown)
    assert (item["marks_awarded"] is not None) is shown
    assert body["score"] is not None  # the total is always given
    written = next(a for a in body["answers"] if a["question"]["type"] == "descriptive")
    assert written["marks_hidden"] is False
    client.force_login(student.user)
    page = client.get(f"/attempts/{data['attempt_id']}/result/").content.decode()
    assert ("withheld while you may try again" in page) is (not shown)
    staff = api_for(teacher).get(url(data["attempt_id"])).json()
    assert all(not a["marks_hidden"] for a in staff["answers"])
