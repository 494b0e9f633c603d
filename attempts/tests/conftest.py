"""Fixtures of the attempts tests: a published quiz of four question types, assigned to the teacher's class
(where the `student` persona sits), with answer keys that are easy to spot if they ever leak."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import QuestionType, QuizStatus
from quizzes.tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory

LEAK_MARKERS = ("SECRET-SAMPLE", "SECRET-RUBRIC", "SECRET-ACCEPTED", "correct_answer", "accepted_answers")


def make_quiz(teacher, school_class, *, questions=None, **overrides):
    now = timezone.now()
    fields = {
        "title": "Fractions check",
        "subject": "Mathematics",
        "status": QuizStatus.PUBLISHED,
        "time_limit_minutes": 30,
        "start_date": now - timedelta(hours=1),
        "end_date": now + timedelta(days=1),
        "created_by": teacher,
    }
    fields.update(overrides)
    quiz = QuizFactory(**fields)
    if school_class is not None:
        QuizClassFactory(quiz=quiz, school_class=school_class)
    if questions is None:
        questions = [
            QuestionFactory(
                created_by=teacher,
                text="What is 1/2 + 1/4?",
                type=QuestionType.MCQ,
                options=["1/4", "3/4", "2/6", "1"],
                correct_answer=1,
                marks=2,
            ),
            QuestionFactory(
                created_by=teacher,
                text="1/3 is larger than 1/4.",
                type=QuestionType.TRUE_FALSE,
                options=["True", "False"],
                correct_answer=0,
                marks=1,
            ),
            QuestionFactory(
                created_by=teacher,
                text="Write 0.5 as a fraction.",
                type=QuestionType.SHORT_ANSWER,
                options=None,
                correct_answer=None,
                accepted_answers=["1/2", "SECRET-ACCEPTED"],
                marks=2,
            ),
            QuestionFactory(
                created_by=teacher,
                text="Explain why 2/4 equals 1/2.",
                type=QuestionType.DESCRIPTIVE,
                options=None,
                correct_answer=None,
                sample_answer="SECRET-SAMPLE",
                marking_rubric="SECRET-RUBRIC",
                marks=5,
            ),
        ]
    for i, q in enumerate(questions):
        QuizQuestionFactory(quiz=quiz, question=q, order_index=i)
    return quiz


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
