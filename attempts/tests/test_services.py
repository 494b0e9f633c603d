"""attempts.services with a controlled clock: deadlines, grace, expiry, submit idempotence, the interfaces other
apps call (answer_save, attempt_submit with reason=teacher, violation_record), and the events they publish."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from attempts import services
from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason
from attempts.tasks import expire_overdue_attempts as expire_task
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def begin(quiz, student, now=T0):
    attempt, created = services.attempt_start(quiz=quiz, student=student, by=student.user, now=now)
    assert created
    return attempt


def first_of(attempt, qtype):
    return next(qid for qid, meta in attempt.question_meta.items() if meta["type"] == qtype)


@pytest.fixture
def events():
    with mock.patch("attempts.services.publish_quiz_event") as publish:
        yield publish


def event_types(events):
    return [c.args[1] for c in events.call_args_list]


class TestClock:
    def test_deadline_is_start_plus_time_limit(self, student, quiz):
        attempt = begin(quiz, student)
        assert attempt.deadline == T0 + timedelta(minutes=30)
        assert attempt.seconds_remaining(T0 + timedelta(minutes=10)) == 20 * 60

    def test_grace_is_the_quizs_and_judged_by_the_given_clock(self, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, grace_period_seconds=10)
        attempt = begin(quiz, student)
        qid = first_of(attempt, "mcq")
        deadline = attempt.deadline
        r = services.answer_save(
            attempt=attempt, question_id=qid, answer_option=1, now=deadline + timedelta(seconds=10)
        )
        assert r["applied"] and r["time_remaining_seconds"] == 0
        with pytest.raises(AttemptError) as exc:
            services.answer_save(
                attempt=attempt, question_id=qid, answer_option=2, now=deadline + timedelta(seconds=11)
            )
        assert exc.value.status_code == 409
        attempt.refresh_from_db()
        assert attempt.submit_reason == SubmitReason.DEADLINE and attempt.submitted_at == deadline
        assert StudentAnswer.objects.get(attempt=attempt, question_id=qid).answer_option == 1

    def test_late_student_submit_counts_as_deadline(self, student, quiz):
        attempt = begin(quiz, student)
        late = attempt.deadline + timedelta(minutes=5)
        done = services.attempt_submit(attempt=attempt, by=student.user, now=late)
        assert done.submit_reason == SubmitReason.DEADLINE and done.submitted_at == attempt.deadline

    def test_submit_within_the_time_is_dated_now(self, student, quiz):
        attempt = begin(quiz, student)
        done = services.attempt_submit(attempt=attempt, by=student.user, now=T0 + timedelta(minutes=7))
        assert done.submitted_at == T0 + timedelta(minutes=7) and done.status == AttemptStatus.GRADED


class TestExpiry:
    def test_beat_task_closes_only_attempts_past_deadline_plus_grace(
        self, student, outsider_student, teacher, school_class, other_class, settings
    ):
        settings.ATTEMPT_GRACE_SECONDS = 60
        a = begin(make_quiz(teacher, school_class), student)
        b = begin(make_quiz(teacher, other_class, time_limit_minutes=60), outsider_student)
        services.answer_save(attempt=a, question_id=first_of(a, "mcq"), answer_option=1, now=T0)
        # 30 min + 30 s: a is within its grace, nothing closes.
        assert services.expire_overdue_attempts(now=T0 + timedelta(minutes=30, seconds=30)) == 0
        # Past 31 min: a is overdue (closed, dated at its deadline), b still has half an hour.
        assert services.expire_overdue_attempts(now=T0 + timedelta(minutes=31, seconds=1)) == 1
        a.refresh_from_db()
        b.refresh_from_db()
        assert a.status != AttemptStatus.IN_PROGRESS and a.submitted_at == a.deadline
        assert a.submit_reason == SubmitReason.DEADLINE and a.score == 2
        assert b.status == AttemptStatus.IN_PROGRESS
        assert services.expire_overdue_attempts(now=T0 + timedelta(minutes=31, seconds=1)) == 0

    def test_the_celery_task_runs_the_service(self, student, teacher, school_class):
        quiz = make_quiz(teacher, school_class, start_date=timezone.now() - timedelta(hours=3))
        attempt = begin(quiz, student, now=timezone.now() - timedelta(hours=2))
        result = expire_task.apply()
        assert result.get() == 1
        attempt.refresh_from_db()
        assert attempt.submitted_at == attempt.deadline
        assert expire_task.name == "attempts.tasks.expire_overdue_attempts"


class TestSubmit:
    def test_teacher_force_submit_and_idempotence(
        self, student, teacher, quiz, events, django_capture_on_commit_callbacks
    ):
        attempt = begin(quiz, student)
        with django_capture_on_commit_callbacks() as callbacks:
            done = services.attempt_submit(attempt=attempt, by=teacher.user, reason=SubmitReason.TEACHER, now=T0)
        assert done.submit_reason == SubmitReason.TEACHER and done.status != AttemptStatus.IN_PROGRESS
        assert len(callbacks) == 1  # the analytics cache bump, after commit
        submitted = [c for c in events.call_args_list if c.args[1] == "attempt_submitted"]
        assert submitted[0].args[0] == quiz.pk
        assert submitted[0].args[2]["student_name"] == "Alice Johnson"
        again = services.attempt_submit(attempt=attempt, by=student.user, now=T0 + timedelta(minutes=1))
        assert again.submitted_at == done.submitted_at and again.submit_reason == SubmitReason.TEACHER
        assert event_types(events).count("attempt_submitted") == 1

    def test_unanswered_questions_get_rows_and_zero(self, student, quiz):
        attempt = begin(quiz, student)
        services.attempt_submit(attempt=attempt, by=student.user, now=T0)
        rows = StudentAnswer.objects.filter(attempt=attempt)
        assert rows.count() == 4 and all(r.marks_awarded == 0 for r in rows)


class TestEvents:
    def test_start_save_violation_events_carry_progress_not_answers(self, student, quiz, events):
        attempt = begin(quiz, student)
        services.answer_save(attempt=attempt, question_id=first_of(attempt, "short_answer"), answer_text="1/2", now=T0)
        services.violation_record(attempt=attempt, violation_type="tab_switch", question_index=1, now=T0)
        assert event_types(events) == ["attempt_started", "answer_saved", "violation"]
        saved = events.call_args_list[1].args[2]
        assert "1/2" not in str(saved) and saved["total_questions"] == 4 and saved["current_question"] == 3
        violation = events.call_args_list[2].args[2]
        assert violation["student_name"] == "Alice Johnson" and violation["violation_type"] == "tab_switch"
        assert violation["total_violations"] == 1 and violation["timestamp"] == T0.isoformat()

    def test_no_event_for_a_refused_save(self, student, quiz, events):
        attempt = begin(quiz, student)
        events.reset_mock()
        with pytest.raises(AttemptError):
            services.answer_save(attempt=attempt, question_id=first_of(attempt, "mcq"), answer_text="x", now=T0)
        assert events.call_count == 0


def test_violation_severity_defaults_and_validation(student, quiz):
    attempt = begin(quiz, student)
    services.violation_record(attempt=attempt, violation_type="multiple_windows", now=T0)
    assert attempt.violations.get().severity == "high"
    with pytest.raises(AttemptError):
        services.violation_record(attempt=attempt, violation_type="tab_switch", severity="extreme", now=T0)
    with pytest.raises(AttemptError):
        services.violation_record(attempt=attempt, violation_type="tab_switch", details=["not", "a dict"], now=T0)
    assert QuizAttempt.objects.get(pk=attempt.pk).total_violations == 1


def test_answer_save_works_for_attempts_without_question_meta(student, quiz):
    """Attempts made elsewhere (demo data, factories) have no question_meta: the save looks the types up."""
    from tests.factories import QuizAttemptFactory

    attempt = QuizAttemptFactory(quiz=quiz, student=student)
    qid = str(quiz.quiz_questions.get(order_index=0).question_id)
    assert services.answer_save(attempt=attempt, question_id=qid, answer_option=3)["applied"]
    with pytest.raises(AttemptError):
        services.answer_save(attempt=attempt, question_id=qid, answer_option=9)
