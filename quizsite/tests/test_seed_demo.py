from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import Role, Student, User
from attempts.models import QuizAttempt
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
    assert Question.objects.count() == 40
    assert set(Question.objects.values_list("type", flat=True)) == {"mcq", "true_false", "short_answer", "descriptive"}
    assert set(Quiz.objects.values_list("status", flat=True)) == {"draft", "published", "archived"}
    assert QuizAttempt.objects.filter(status="graded").exists()
    assert QuizAttempt.objects.filter(status="submitted").exists()  # some await hand-marking
    text = out.getvalue()
    assert "admin@school.test / admin123" in text and "STU2026001" in text
    alice = User.objects.get(email="alice.johnson@school.test")
    assert alice.check_password("student123")


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "already loaded" in out.getvalue()
