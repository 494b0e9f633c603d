"""Reports fixtures: the `teacher` persona's quiz (three MCQs) taken by students of their class through the attempts
services, report files written under a temporary MEDIA_ROOT, and a helper that runs a job's queued task."""

import pytest

from tests.builders import CORRECT, WRONG, build_quiz, finish_attempt
from tests.factories import StudentFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def quiz(teacher, school_class):
    return build_quiz(teacher, school_class=school_class)


@pytest.fixture
def alice_attempt(quiz, student):
    return finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT], violations=1)


@pytest.fixture
def class_attempts(quiz, school_class, alice_attempt):
    """Alice plus four more students of the class, with registration numbers R-001..R-004, all graded."""
    attempts = [alice_attempt]
    for i in range(1, 5):
        s = StudentFactory(school_class=school_class, user__name=f"Pupil {i:03d}", registration_number=f"R-{i:03d}")
        attempts.append(finish_attempt(quiz, s, [CORRECT, CORRECT if i % 2 else WRONG, WRONG]))
    return attempts
