"""Issue 17: per-quiz overrides for one student or one class (most specific wins), their pages and API, a student's
personal window, the access code an override gives, and the running attempt that follows a narrowed window."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AuditLog
from attempts import services as attempt_services
from attempts.errors import AttemptError
from attempts.models import QuizAttempt, SubmitReason
from conftest import api_as
from quizzes import services
from quizzes.effective import effective_settings
from quizzes.models import QuizOverride, QuizStatus
from quizzes.selectors import quiz_get_by_access_code
from quizzes.services import QuizError
from tests.builders import make_quiz, start_attempt
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def quiz(teacher, school_class, now):
    return make_quiz(
        teacher,
        school_class,
        time_limit_minutes=30,
        max_attempts=1,
        start_date=now - timedelta(hours=1),
        end_date=now + timedelta(hours=1),
    )


def web(user):
    client = Client()
    client.force_login(user)
    return client


def test_most_specific_wins_field_by_field(quiz, teacher, school_class, student):
    classmate = StudentFactory(school_class=school_class)
    services.override_set(quiz=quiz, by=teacher.user, school_class=school_class, time_limit_minutes=45, max_attempts=2)
    services.override_set(quiz=quiz, by=teacher.user, student=student, time_limit_minutes=60)

    mine = effective_settings(quiz=quiz, student=student)
    theirs = effective_settings(quiz=quiz, student=classmate)
    assert (mine.time_limit_minutes, mine.max_attempts) == (60, 2)  # own time limit, the class's attempts
    assert (theirs.time_limit_minutes, theirs.max_attempts) == (45, 2)
    assert mine.end_date == quiz.end_date  # nobody changed the close


def test_personal_window_for_a_student_who_missed_the_exam(teacher, school_class, student, now):
    closed = make_quiz(
        teacher, school_class, start_date=now - timedelta(days=2), end_date=now - timedelta(days=1), max_attempts=1
    )
    classmate = StudentFactory(school_class=school_class)
    services.override_set(
        quiz=closed,
        by=teacher.user,
        student=student,
        start_date=now - timedelta(minutes=5),
        end_date=now + timedelta(hours=2),
        reason="ill on the day",
    )
    attempt = start_attempt(closed, student, at=now)
    assert attempt.deadline == now + timedelta(minutes=30)
    with pytest.raises(AttemptError) as exc:
        start_attempt(closed, classmate, at=now)
    assert exc.value.code == "ended"  # the quiz did not reopen for everyone


def test_an_override_narrowing_the_window_closes_a_running_attempt(
    quiz, teacher, student, now, django_capture_on_commit_callbacks
):
    attempt = start_attempt(quiz, student, at=now - timedelta(minutes=20))
    assert attempt.deadline == now + timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.override_set(quiz=quiz, by=teacher.user, student=student, end_date=now - timedelta(minutes=2))
    attempt.refresh_from_db()
    assert attempt.deadline == now - timedelta(minutes=2)
    attempt_services.expire_overdue_attempts(now=timezone.now() + timedelta(seconds=120))
    attempt.refresh_from_db()
    assert attempt.submit_reason == SubmitReason.DEADLINE
    assert attempt.submitted_at == now - timedelta(minutes=2)


def test_an_override_code_replaces_the_quiz_code_for_that_student_only(quiz, teacher, student, school_class):
    classmate = StudentFactory(school_class=school_class)
    services.override_set(quiz=quiz, by=teacher.user, student=student, access_code="late-room-7")
    assert quiz_get_by_access_code(user=student.user, code="LATEROOM7") == quiz
    assert quiz_get_by_access_code(user=student.user, code=quiz.access_code) is None
    assert quiz_get_by_access_code(user=classmate.user, code=quiz.access_code) == quiz
    assert quiz_get_by_access_code(user=classmate.user, code="LATEROOM7") is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"time_limit_minutes": 0},
        {"max_attempts": -1},
        {"access_code": "x"},
        {"start_date": timezone.now() + timedelta(days=3)},  # after the quiz's close
    ],
)
def test_bad_overrides_are_refused_and_nothing_is_written(quiz, teacher, student, kwargs):
    with pytest.raises(QuizError):
        services.override_set(quiz=quiz, by=teacher.user, student=student, **kwargs)
    assert not QuizOverride.objects.exists()


def test_outsiders_cannot_override(quiz, other_teacher, outsider_student, student, teacher):
    with pytest.raises(QuizError) as exc:
        services.override_set(quiz=quiz, by=other_teacher.user, student=student, max_attempts=3)
    assert exc.value.status_code == 404
    with pytest.raises(QuizError):  # a student of a class the quiz is not assigned to
        services.override_set(quiz=quiz, by=teacher.user, student=outsider_student, max_attempts=3)
    assert not QuizOverride.objects.exists()


def test_api_create_list_delete_and_outsiders(quiz, teacher, other_teacher, student, api):
    url = f"/api/v1/quizzes/{quiz.pk}/overrides"
    body = {"student_id": str(student.pk), "time_limit_minutes": 50, "reason": "IEP"}
    assert api.post(url, body, format="json").status_code == 401
    assert api_as(student).post(url, body, format="json").status_code == 403
    assert api_as(other_teacher).post(url, body, format="json").status_code == 404
    assert api_as(other_teacher).get(url).status_code == 404
    assert not QuizOverride.objects.exists()

    created = api_as(teacher).post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["time_limit_minutes"] == 50
    assert [o["id"] for o in api_as(teacher).get(url).json()] == [created.json()["id"]]
    bad = api_as(teacher).post(url, {"student_id": str(student.pk), "max_attempts": 0}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]

    mine = api_as(student).get(f"/api/v1/quizzes/{quiz.pk}/my-settings").json()
    assert mine["time_limit_minutes"] == 50 and mine["personalised"] is True

    detail = f"{url}/{created.json()['id']}"
    assert api_as(other_teacher).delete(detail).status_code == 404
    assert api_as(teacher).delete(detail).status_code == 200
    assert not QuizOverride.objects.exists()
    assert AuditLog.objects.filter(action__startswith="quiz.override").count() == 2


def test_my_settings_outsider_is_404(quiz, outsider_student):
    assert api_as(outsider_student).get(f"/api/v1/quizzes/{quiz.pk}/my-settings").status_code == 404


def test_quiz_page_shows_overrides_and_effective_settings(quiz, teacher, other_teacher, student, school_class):
    from accounts.services import accommodation_set

    accommodation_set(student=student, by=teacher.user, reason="504 plan", time_multiplier="1.5")
    services.override_set(quiz=quiz, by=teacher.user, school_class=school_class, max_attempts=2, reason="retake")
    page = web(teacher.user).get(f"/quizzes/{quiz.pk}/")
    html = page.content.decode()
    assert "Overrides and accommodations" in html
    assert "retake" in html
    assert "45 min" in html  # Alice: 30 x 1.5
    assert "accommodation: time x1.5" in html
    assert web(other_teacher.user).get(f"/quizzes/{quiz.pk}/").status_code == 404


def test_override_page_adds_and_removes(quiz, teacher, other_teacher, student):
    client = web(teacher.user)
    url = f"/quizzes/{quiz.pk}/overrides/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"target": f"student:{student.pk}"})
    assert bad.status_code == 200 and "Change at least one setting" in bad.content.decode()
    assert client.post(url, {"target": f"student:{student.pk}", "max_attempts": "3"}).status_code == 302
    override = QuizOverride.objects.get()
    assert (
        web(other_teacher.user).post(url, {"target": f"student:{student.pk}", "max_attempts": "5"}).status_code == 404
    )
    assert web(other_teacher.user).post(f"{url}{override.pk}/delete/").status_code == 404
    assert client.post(f"{url}{override.pk}/delete/").status_code == 302
    assert not QuizOverride.objects.exists()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_intro_page_shows_the_students_own_settings(quiz, teacher, student):
    services.override_set(quiz=quiz, by=teacher.user, student=student, time_limit_minutes=75)
    html = web(student.user).get(f"/attempts/quiz/{quiz.pk}/").content.decode()
    assert "75 minutes" in html and "personal settings" in html


def test_unchanged_for_a_student_without_overrides(quiz, student):
    attempt = start_attempt(quiz, student)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)
    assert QuizAttempt.objects.get().scheduled_deadline == attempt.deadline
    assert quiz.status == QuizStatus.PUBLISHED
