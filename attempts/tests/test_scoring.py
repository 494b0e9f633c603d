"""Scoring cost: totting up an attempt reads its marks in one query, however many answers it holds."""

import pytest

from attempts import services
from attempts.scoring import recompute_totals
from quizzes.models import QuestionType
from tests.builders import make_quiz
from tests.factories import QuestionFactory


@pytest.mark.django_db
@pytest.mark.parametrize("n_questions", [2, 12])
def test_recompute_totals_costs_the_same_for_any_number_of_answers(
    teacher, school_class, student, n_questions, django_assert_num_queries
):
    questions = [
        QuestionFactory(
            created_by=teacher, type=QuestionType.TRUE_FALSE, options=["True", "False"], correct_answer=0, marks=1
        )
        for _ in range(n_questions)
    ]
    quiz = make_quiz(teacher, school_class, questions=questions)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    services.answers_save(
        attempt_id=attempt.pk,
        student_id=student.pk,
        answers=[{"question_id": str(q.pk), "answer_option": 0} for q in questions],
    )
    attempt = services.attempt_submit(attempt=attempt, by=student.user)
    assert attempt.score == n_questions  # every answer right, one mark each
    with django_assert_num_queries(3):  # the quiz's marks, the attempt's marks, the update
        recompute_totals(attempt)
    assert attempt.score == n_questions and attempt.passed is True
