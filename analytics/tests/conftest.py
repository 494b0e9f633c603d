"""Analytics fixtures: a quiz of the `teacher` persona (tests.builders.build_quiz) and students of its class, who
take it through the attempts services (tests.builders.finish_attempt), independent of the attempt-taking API."""

import pytest

from tests.builders import build_quiz
from tests.factories import StudentFactory


@pytest.fixture
def quiz(teacher, school_class):
    return build_quiz(teacher, school_class=school_class)


@pytest.fixture
def make_students(school_class):
    def make(n):
        return [StudentFactory(school_class=school_class) for _ in range(n)]

    return make
