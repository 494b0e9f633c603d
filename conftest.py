"""Personas shared by every app's tests (STYLE.md): admin, teacher, other_teacher, student, outsider_student.

teacher teaches `school_class`, where `student` sits; other_teacher teaches `other_class`, where
`outsider_student` sits. Every persona logs in with tests.factories.DEFAULT_PASSWORD. The factories and the
builders of quizzes and attempts every app's tests use are in the `tests` package (tests.factories,
tests.builders); real worker and server processes in tests.processes.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    SchoolClassFactory,
    StudentFactory,
    TeacherClassFactory,
    TeacherFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the real Redis under `make test`: throttle counters must not leak between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMIN, email="admin@school.test", name="Ada Admin", is_superuser=True)


@pytest.fixture
def school_class(db):
    return SchoolClassFactory(name="Class 10A", section="A")


@pytest.fixture
def other_class(db):
    return SchoolClassFactory(name="Class 11B", section="B")


@pytest.fixture
def teacher(db, school_class):
    t = TeacherFactory(user__email="teacher@school.test", user__name="Tom Teacher")
    TeacherClassFactory(teacher=t, school_class=school_class)
    return t


@pytest.fixture
def other_teacher(db, other_class):
    t = TeacherFactory(user__email="other.teacher@school.test", user__name="Olga Other")
    TeacherClassFactory(teacher=t, school_class=other_class)
    return t


@pytest.fixture
def student(db, school_class):
    return StudentFactory(
        user__email="alice@school.test",
        user__name="Alice Johnson",
        registration_number="STU2026001",
        school_class=school_class,
    )


@pytest.fixture
def outsider_student(db, other_class):
    return StudentFactory(
        user__email="oscar@school.test",
        user__name="Oscar Outsider",
        registration_number="STU2026999",
        school_class=other_class,
    )


@pytest.fixture
def api():
    return APIClient()


def api_as(user):
    """An APIClient authenticated with a real access token for `user` (a User, Teacher or Student)."""
    from rest_framework_simplejwt.tokens import RefreshToken

    user = getattr(user, "user", user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def api_for():
    return api_as
