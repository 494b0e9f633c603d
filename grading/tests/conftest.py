"""Fixtures of the grading tests: a published quiz of `teacher` for `school_class` with one question of each
marking kind, and attempts of `student` in the states grading cares about."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from attempts.models import AttemptStatus, SubmitReason
from attempts.scoring import mark_objective_answers, recompute_totals
from attempts.tests.factories import QuizAttemptFactory, StudentAnswerFactory
from quizsite import live as events
from quizzes.models import QuestionType, QuizStatus
from quizzes.tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory


@pytest.fixture(autouse=True)
def _fresh_event_backoff():
    # A test that takes the channel layer down must not silence the next test's events.
    events.reset_backoff()
    yield
    events.reset_backoff()


@pytest.fixture
def quiz(teacher, school_class):
    quiz = QuizFactory(
        title="Science Quiz", subject="Science", created_by=teacher, status=QuizStatus.PUBLISHED, passing_percentage=50
    )
    QuizClassFactory(quiz=quiz, school_class=school_class)
    mcq = QuestionFactory(text="What is 2+2?", options=["3", "4", "5"], correct_answer=1, marks=2, created_by=teacher)
    short = QuestionFactory(
        text="Capital of France?",
        type=QuestionType.SHORT_ANSWER,
        options=None,
        correct_answer=None,
        accepted_answers=["Paris"],
        marks=3,
        created_by=teacher,
    )
    essay = QuestionFactory(
        text="Explain photosynthesis",
        type=QuestionType.DESCRIPTIVE,
        options=None,
        correct_answer=None,
        marks=5,
        sample_answer="Plants turn light, water and CO2 into sugar and oxygen.",
        marking_rubric="2 marks light, 2 marks products, 1 mark clarity",
        created_by=teacher,
    )
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=1)
    QuizQuestionFactory(quiz=quiz, question=short, order_index=2)
    # Worth 10 in this quiz, not the bank's 5: grading must use the quiz's marks.
    QuizQuestionFactory(quiz=quiz, question=essay, order_index=3, marks_override=10)
    quiz.mcq, quiz.short, quiz.essay = mcq, short, essay
    return quiz


def make_attempt(
    quiz,
    student,
    *,
    option=1,
    short="paris",
    essay="Light and water make sugar.",
    finish=True,
    reason=SubmitReason.STUDENT,
    started_minutes_ago=10,
):
    started = timezone.now() - timedelta(minutes=started_minutes_ago)
    attempt = QuizAttemptFactory(
        quiz=quiz,
        student=student,
        started_at=started,
        deadline=started + timedelta(minutes=quiz.time_limit_minutes),
        question_order=[str(quiz.mcq.pk), str(quiz.short.pk), str(quiz.essay.pk)],
    )
    StudentAnswerFactory(attempt=attempt, question=quiz.mcq, answer_option=option)
    StudentAnswerFactory(attempt=attempt, question=quiz.short, answer_text=short)
    if essay is not None:
        StudentAnswerFactory(attempt=attempt, question=quiz.essay, answer_text=essay)
    if finish:
        attempt.status = AttemptStatus.SUBMITTED if reason == SubmitReason.STUDENT else AttemptStatus.AUTO_SUBMITTED
        attempt.submit_reason = reason
        attempt.submitted_at = timezone.now() - timedelta(minutes=1)
        attempt.auto_submitted_due_to_violations = reason == SubmitReason.VIOLATIONS
        attempt.save()
        mark_objective_answers(attempt)
        recompute_totals(attempt)
    return attempt


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
