"""Analytics fixtures: a quiz of the `teacher` persona and finished attempts built with the factories and the
real scoring (attempts.scoring), independent of the attempt-taking API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from attempts.models import AttemptStatus
from attempts.scoring import mark_objective_answers, recompute_totals
from attempts.tests.factories import QuizAttemptFactory, StudentAnswerFactory, ViolationFactory
from quizzes.models import QuizStatus
from quizzes.tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory

CORRECT = 1  # QuestionFactory's correct option
WRONG = 0


def build_quiz(teacher, *, questions: int = 3, marks: int = 1, title: str = "Fractions test", school_class=None):
    quiz = QuizFactory(created_by=teacher, title=title, status=QuizStatus.PUBLISHED, passing_percentage=50)
    for i in range(questions):
        QuizQuestionFactory(quiz=quiz, question=QuestionFactory(created_by=teacher, marks=marks), order_index=i)
    if school_class is not None:
        QuizClassFactory(quiz=quiz, school_class=school_class)
    return quiz


def finish_attempt(quiz, student, options, *, number: int = 1, violations: int = 0, status=AttemptStatus.SUBMITTED):
    """A submitted attempt whose answers are the given option indexes (None = unanswered), marked for real."""
    started = timezone.now() - timedelta(minutes=20 - number)
    attempt = QuizAttemptFactory(
        quiz=quiz,
        student=student,
        attempt_number=number,
        started_at=started,
        submitted_at=started + timedelta(minutes=10),
        status=status,
        total_violations=violations,
    )
    for qq, option in zip(quiz.quiz_questions.select_related("question").order_by("order_index"), options, strict=True):
        if option is not None:
            StudentAnswerFactory(attempt=attempt, question=qq.question, answer_option=option)
    for _ in range(violations):
        ViolationFactory(attempt=attempt, violation_type="tab_switch")
    mark_objective_answers(attempt)
    return recompute_totals(attempt)


def options_for(marks_row):
    return [CORRECT if m else WRONG for m in marks_row]


@pytest.fixture
def quiz(teacher, school_class):
    return build_quiz(teacher, school_class=school_class)


@pytest.fixture
def make_students(school_class):
    def make(n):
        return [StudentFactory(school_class=school_class) for _ in range(n)]

    return make
