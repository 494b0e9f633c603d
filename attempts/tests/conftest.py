"""Fixtures of the attempts tests: a published quiz of four question types (tests.builders.make_quiz), assigned
to the teacher's class (where the `student` persona sits), with answer keys that are easy to spot if they ever
leak."""

import pytest

from quizzes.models import QuestionType
from tests.builders import make_quiz
from tests.factories import QuestionFactory

LEAK_MARKERS = ("SECRET-SAMPLE", "SECRET-RUBRIC", "SECRET-ACCEPTED", "correct_answer", "accepted_answers")


@pytest.fixture
def quiz(teacher, school_class):
    return make_quiz(teacher, school_class)


@pytest.fixture
def objective_quiz(teacher, school_class):
    """Only auto-marked questions: a submit grades it completely."""
    questions = [
        QuestionFactory(
            created_by=teacher,
            text=f"Objective {i}",
            type=QuestionType.MCQ,
            options=["a", "b", "c", "d"],
            correct_answer=i % 4,
            marks=1,
        )
        for i in range(4)
    ]
    return make_quiz(teacher, school_class, questions=questions, title="Objective only")


def assert_no_leak(text: str):
    for marker in LEAK_MARKERS:
        assert marker not in text, f"answer key leaked: {marker}"
