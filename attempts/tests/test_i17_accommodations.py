"""Issue 17: accommodations move the deadline AND the close; the timer, the server's deadline + grace, the overdue
job, the board's time left and the API's time_remaining_seconds agree (they all read the attempt's deadline, which
quizzes.effective gives at start)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.errors import AccountError
from accounts.models import Accommodation, AuditLog
from attempts import services
from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt, SubmitReason
from conftest import api_as
from grading.selectors import quiz_monitor_status
from quizzes.effective import effective_settings
from tests.builders import make_quiz, start_attempt
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def hour_quiz(teacher, school_class, now):
    """A 60-minute quiz whose window closes in exactly 5 minutes."""
    return make_quiz(
        teacher,
        school_class,
        time_limit_minutes=60,
        start_date=now - timedelta(hours=2),
        end_date=now + timedelta(minutes=5),
        grace_period_seconds=30,
    )


def accommodate(student, teacher, **kwargs):
    kwargs.setdefault("reason", "IEP 2026: extended time")
    return account_services.accommodation_set(student=student, by=teacher.user, **kwargs)


def test_x15_student_starting_5_minutes_before_close_gets_the_extra_30_minutes(hour_quiz, student, teacher, now):
    classmate = StudentFactory(school_class=student.school_class)
    accommodate(student, teacher, time_multiplier="1.5")

    plain = start_attempt(hour_quiz, classmate, at=now)
    extended = start_attempt(hour_quiz, student, at=now)

    assert plain.deadline == now + timedelta(minutes=5)  # unchanged: the class's close
    assert extended.deadline == now + timedelta(minutes=35)  # 5 left in the window + 30 extra
    assert extended.scheduled_deadline == extended.deadline


def test_x15_student_starting_early_gets_90_minutes_past_the_class_close(teacher, school_class, student, now):
    quiz = make_quiz(teacher, school_class, time_limit_minutes=60, end_date=now + timedelta(minutes=60))
    accommodate(student, teacher, time_multiplier="1.5", extra_minutes=10)
    attempt = start_attempt(quiz, student, at=now)
    assert attempt.deadline == now + timedelta(minutes=100)
    eff = effective_settings(quiz=quiz, student=student)
    assert eff.end_date == quiz.end_date + timedelta(minutes=40)
    assert eff.time_limit_minutes == 100


def test_accommodation_applies_to_quizzes_created_later(teacher, school_class, student, now):
    accommodate(student, teacher, extra_minutes=15)
    later = make_quiz(teacher, school_class, time_limit_minutes=20, end_date=None, title="Created after")
    assert start_attempt(later, student, at=now).deadline == now + timedelta(minutes=35)


def test_no_time_limit_runs_to_the_moved_close(hour_quiz, student, teacher, now):
    accommodate(student, teacher, no_time_limit=True)
    attempt = start_attempt(hour_quiz, student, at=now)
    assert attempt.deadline == hour_quiz.end_date + timedelta(minutes=60)


def test_an_accommodation_does_not_let_a_student_start_after_the_class_window(hour_quiz, student, teacher, now):
    accommodate(student, teacher, time_multiplier=2)
    with pytest.raises(AttemptError) as exc:
        start_attempt(hour_quiz, student, at=now + timedelta(minutes=6))
    assert exc.value.code == "ended"


def test_extra_attempts(teacher, school_class, student, now):
    quiz = make_quiz(teacher, school_class, max_attempts=1)
    accommodate(student, teacher, extra_attempts=1)
    services.attempt_submit(attempt=start_attempt(quiz, student, at=now), by=student.user, now=now)
    second = start_attempt(quiz, student, at=now + timedelta(minutes=1))
    assert second.attempt_number == 2


def test_grace_and_overdue_job_use_the_extended_deadline(hour_quiz, student, teacher, now):
    classmate = StudentFactory(school_class=student.school_class)
    accommodate(student, teacher, time_multiplier="1.5")
    plain = start_attempt(hour_quiz, classmate, at=now)
    extended = start_attempt(hour_quiz, student, at=now)

    # 20 s after the class's close, within the 30 s grace: the classmate can still save, nothing closes.
    assert services.expire_overdue_attempts(now=now + timedelta(minutes=5, seconds=20)) == 0
    # After the grace the classmate's attempt is closed, the accommodated one runs on.
    assert services.expire_overdue_attempts(now=now + timedelta(minutes=5, seconds=31)) == 1
    plain.refresh_from_db()
    extended.refresh_from_db()
    assert plain.submit_reason == SubmitReason.DEADLINE
    assert extended.status == AttemptStatus.IN_PROGRESS
    # A save inside the accommodated grace is accepted; one after it closes the attempt at its deadline.
    assert not services.is_overdue(extended, now + timedelta(minutes=35, seconds=30))
    assert services.expire_overdue_attempts(now=now + timedelta(minutes=35, seconds=31)) == 1
    extended.refresh_from_db()
    assert extended.submit_reason == SubmitReason.DEADLINE
    assert extended.submitted_at == now + timedelta(minutes=35)


def test_api_time_remaining_and_board_agree(teacher, school_class, student):
    quiz = make_quiz(teacher, school_class, time_limit_minutes=40, end_date=None)
    accommodate(student, teacher, time_multiplier="1.25")
    body = api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/start").json()
    assert 49 * 60 < body["time_remaining_seconds"] <= 50 * 60
    detail = api_as(student).get(f"/api/v1/attempts/{body['attempt_id']}").json()
    assert 49 * 60 < detail["time_remaining_seconds"] <= 50 * 60
    row = next(r for r in quiz_monitor_status(quiz).students if r.id == str(student.pk))
    assert 49 * 60 < row.time_left_seconds <= 50 * 60
    assert row.accommodation == "time x1.25"  # the teacher sees why


def test_accommodation_changed_mid_attempt_moves_the_running_deadline_keeping_extensions(
    teacher, school_class, student, django_capture_on_commit_callbacks
):
    quiz = make_quiz(teacher, school_class, time_limit_minutes=30, end_date=None)
    attempt = start_attempt(quiz, student)
    start_deadline = attempt.deadline
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=start_deadline + timedelta(minutes=5))  # board +5
    with django_capture_on_commit_callbacks(execute=True):
        accommodate(student, teacher, time_multiplier=2)
    attempt.refresh_from_db()
    assert attempt.deadline == start_deadline + timedelta(minutes=35)  # +30 (x2) + the teacher's 5


def test_only_the_students_teachers_and_admins_set_or_see_it(student, teacher, other_teacher, admin):
    with pytest.raises(AccountError) as exc:
        accommodate(student, other_teacher)
    assert exc.value.status_code == 404
    with pytest.raises(AccountError):
        account_services.accommodation_set(student=student, by=student.user, reason="me", extra_minutes=5)
    assert not Accommodation.objects.exists()
    accommodate(student, type("T", (), {"user": admin})(), extra_minutes=5)
    assert Accommodation.objects.visible_to(teacher.user).count() == 1
    assert Accommodation.objects.visible_to(other_teacher.user).count() == 0
    assert Accommodation.objects.visible_to(student.user).count() == 0
    assert AuditLog.objects.filter(action="student.accommodation_set").count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_multiplier": "0.5"},
        {"time_multiplier": "abc"},
        {"time_multiplier": "9"},
        {"extra_minutes": -1},
        {"extra_attempts": 100},
        {"reason": "  "},
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(student, teacher, kwargs):
    with pytest.raises(AccountError):
        accommodate(student, teacher, **kwargs)
    assert not Accommodation.objects.exists()


def test_regrade_of_an_accommodated_late_submission_keeps_its_times(teacher, school_class, student, now):
    """A x1.5 student who submitted after the class's close is re-marked like anyone else: the regrade changes the
    score, never the deadline or the time of submission."""
    from grading.services.regrade import question_regrade
    from quizzes.models import Question
    from tests.builders import answer

    quiz = make_quiz(teacher, school_class, time_limit_minutes=20, end_date=now + timedelta(minutes=5))
    accommodate(student, teacher, time_multiplier="1.5")
    attempt = start_attempt(quiz, student, at=now)
    assert attempt.deadline == now + timedelta(minutes=15)
    mcq = Question.objects.filter(quiz_links__quiz=quiz, type="mcq").first()
    answer(attempt, {mcq: (mcq.correct_answer + 1) % len(mcq.options)}, at=now + timedelta(minutes=12))
    submitted = services.attempt_submit(attempt=attempt, by=student.user, now=now + timedelta(minutes=14))
    before = (submitted.deadline, submitted.submitted_at, submitted.score)
    Question.objects.filter(pk=mcq.pk).update(correct_answer=(mcq.correct_answer + 1) % len(mcq.options))
    question_regrade(question_id=mcq.pk, by=teacher.user)
    submitted.refresh_from_db()
    assert (submitted.deadline, submitted.submitted_at) == before[:2]
    assert submitted.submitted_at == now + timedelta(minutes=14)  # after the class's close, inside their own
    assert submitted.score > before[2]
