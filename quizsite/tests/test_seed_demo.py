from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from accounts.models import AuditLog, Notification, Role, Student, User
from attempts.models import QuizAttempt, StudentAnswer
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of every project table, so a second run that changed anything shows up."""
    rows = {}
    for label in ("accounts", "classrooms", "quizzes", "attempts"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.db_table] = sorted(map(repr, model.objects.values_list()))
    return rows


def test_seed_demo_builds_a_believable_school_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    assert User.objects.filter(role=Role.TEACHER).count() == 3
    assert Student.objects.count() == 60
    assert Student.objects.filter(is_account_claimed=False).exists()
    # 40 of the guide's types through the form's service, 10 of issue 15's, 4 imported from a GIFT file (issue 18)
    assert Question.objects.count() == 54
    assert (
        Question.objects.filter(topic="Imported from Moodle", created_by__user__email="science@school.test").count()
        == 4
    )
    assert set(Question.objects.values_list("type", flat=True)) == {
        "mcq", "true_false", "short_answer", "descriptive",
        "multiple_response", "numeric", "matching", "ordering", "cloze",
    }  # fmt: skip
    from quizzes.models import QuestionImage

    assert QuestionImage.objects.filter(alt_text__startswith="Speed-time graph").count() == 1  # with alt text
    new_types = StudentAnswer.objects.filter(question__type__in=["matching", "ordering", "cloze", "numeric"])
    assert new_types.filter(marks_awarded__gt=0).exists() and new_types.filter(marks_awarded=0).exists()
    assert set(Quiz.objects.values_list("status", flat=True)) == {"draft", "published", "archived"}
    assert QuizAttempt.objects.filter(status="graded").exists()
    assert QuizAttempt.objects.filter(status="submitted").exists()  # some await hand-marking
    text = out.getvalue()
    assert "admin@school.test / admin123" in text and "STU2026001" in text
    alice = User.objects.get(email="alice.johnson@school.test")
    assert alice.check_password("student123")

    # Built through the services, so every row is one the application could have written itself.
    attempts = QuizAttempt.objects.all()
    assert all(a.question_order and a.question_meta for a in attempts)  # fixed by attempt_start
    assert not StudentAnswer.objects.filter(client_seq__isnull=True).exists()  # every answer came through autosave
    marked = StudentAnswer.objects.filter(graded_by__email="science@school.test")
    assert marked.exists() and {a.attempt.status for a in marked} == {"graded"}  # the teacher marked some by hand
    assert Notification.objects.filter(type="attempt_graded", user__in=[a.attempt.student_id for a in marked]).exists()
    assert Notification.objects.filter(user=alice, type="quiz_published").exists()
    assert AuditLog.objects.filter(action="quiz.publish").count() == 6  # 2 of them issue 15's
    archived = Quiz.objects.get(status="archived")
    assert archived.end_date < timezone.now()
    assert all(a.submitted_at <= archived.end_date for a in archived.attempts.all())
    first_attempts = Student.objects.filter(attempts__isnull=False).annotate(first=Min("attempts__started_at"))
    assert all(s.claimed_at < s.first for s in first_attempts)


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "already loaded" in out.getvalue()
    assert "STU2026006  claim code " in out.getvalue()  # printed on every run, not only the first


def test_the_demos_unclaimed_students_claim_with_the_printed_code_only():
    """Issue 13: every unclaimed demo student has a claim code, and seed_demo prints the first ones."""
    import re

    from rest_framework.test import APIClient

    out = StringIO()
    call_command("seed_demo", stdout=out)
    unclaimed = Student.objects.filter(is_account_claimed=False)
    assert unclaimed.count() == 10 and not unclaimed.filter(claim_code_hash="").exists()
    reg, code = re.search(r"(STU\d+)  claim code ([A-Z0-9-]+)", out.getvalue()).groups()
    body = {"registration_number": reg, "password": "Blue-Kettle-42", "confirm_password": "Blue-Kettle-42"}
    api = APIClient()
    assert api.post("/api/v1/auth/claim-account", body, format="json").status_code == 400
    assert api.post("/api/v1/auth/claim-account", {**body, "claim_code": code}, format="json").status_code == 200
    login = {"email_or_reg_no": reg, "password": "Blue-Kettle-42"}
    assert api.post("/api/v1/auth/login", login, format="json").status_code == 200
