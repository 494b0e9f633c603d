"""Fixtures of the quizzes tests, on top of the project personas (admin, teacher, other_teacher, student, ...)."""

import pytest

from quizzes.models import QuestionType, QuizStatus
from tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory

# Strings that must never reach a student: each question below carries one of them in its answer key.
SECRET_OPTION_KEY = "SECRET-SAMPLE-ANSWER"
SECRET_ACCEPTED = "SECRET-ACCEPTED-ANSWER"
SECRET_RUBRIC = "SECRET-MARKING-RUBRIC"


@pytest.fixture
def mcq(teacher):
    return QuestionFactory(created_by=teacher, text="What is 2+2?", options=["3", "4", "5"], correct_answer=1, marks=2)


@pytest.fixture
def short_q(teacher):
    return QuestionFactory(
        created_by=teacher,
        type=QuestionType.SHORT_ANSWER,
        text="Capital of France?",
        options=None,
        correct_answer=None,
        accepted_answers=[SECRET_ACCEPTED, "Paris"],
        marks=3,
    )


@pytest.fixture
def essay_q(teacher):
    return QuestionFactory(
        created_by=teacher,
        type=QuestionType.DESCRIPTIVE,
        text="Explain photosynthesis.",
        options=None,
        correct_answer=None,
        sample_answer=SECRET_OPTION_KEY,
        marking_rubric=SECRET_RUBRIC,
        marks=5,
    )


@pytest.fixture
def draft_quiz(teacher, school_class, mcq, short_q, essay_q):
    quiz = QuizFactory(created_by=teacher, title="Algebra check", status=QuizStatus.DRAFT)
    QuizClassFactory(quiz=quiz, school_class=school_class)
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    QuizQuestionFactory(quiz=quiz, question=short_q, order_index=1, marks_override=4)
    QuizQuestionFactory(quiz=quiz, question=essay_q, order_index=2)
    return quiz


@pytest.fixture
def published_quiz(draft_quiz):
    draft_quiz.status = QuizStatus.PUBLISHED
    draft_quiz.save(update_fields=["status"])
    return draft_quiz


def answer_key_strings(*questions) -> list[str]:
    """Every answer-key value of these questions that is distinctive enough to search for in a response."""
    found = [
        SECRET_OPTION_KEY,
        SECRET_ACCEPTED,
        SECRET_RUBRIC,
        "correct_answer",
        "accepted_answers",
        "sample_answer",
        "marking_rubric",
    ]
    for q in questions:
        found += [a for a in (q.accepted_answers or []) if len(a) > 3]
        if q.sample_answer:
            found.append(q.sample_answer)
        if q.marking_rubric:
            found.append(q.marking_rubric)
    return found
