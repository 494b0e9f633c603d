"""Fixtures of the grading tests: a published quiz of `teacher` for `school_class` with one question of each
marking kind (tests.builders.science_quiz), and attempts of `student` in the states grading cares about, reached
through the attempts services (tests.builders.make_attempt)."""

from __future__ import annotations

import pytest

from quizsite import live as events
from tests.builders import make_attempt, science_quiz
from tests.factories import StudentFactory


@pytest.fixture(autouse=True)
def _fresh_event_backoff():
    # A test that takes the channel layer down must not silence the next test's events.
    events.reset_backoff()
    yield
    events.reset_backoff()


@pytest.fixture
def quiz(teacher, school_class):
    return science_quiz(teacher, school_class)


@pytest.fixture
def submitted(quiz, student):
    """Alice's submitted attempt: mcq right (2), short right (3), essay awaiting marks (out of 10)."""
    return make_attempt(quiz, student)


@pytest.fixture
def in_progress(quiz, student):
    return make_attempt(quiz, student, finish=False)


@pytest.fixture
def classmates(school_class):
    def make(n):
        return [StudentFactory(school_class=school_class) for _ in range(n)]

    return make
