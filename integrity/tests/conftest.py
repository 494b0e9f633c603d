import random
from datetime import timedelta

import pytest
from django.utils import timezone

from attempts.models import QuizAttempt
from tests.builders import make_quiz, take_quiz
from tests.factories import QuestionFactory, StudentFactory

QUESTIONS = 12
RARE = 3  # a wrong option nobody but the copying pair chooses


@pytest.fixture
def copied_quiz(teacher, school_class, student):
    """A quiz of 12 multiple-choice questions taken by 14 students: Alice and Bob hand in the same answers, six of
    them the same rare wrong option, changed at the same moments from the same IP address; the other twelve answer
    on their own (right with chance 0.6, otherwise one of two common wrong options)."""
    rng = random.Random(20)
    questions = [QuestionFactory(created_by=teacher, marks=1) for _ in range(QUESTIONS)]
    quiz = make_quiz(teacher, school_class, questions=questions, passing_percentage=50)
    bob = StudentFactory(user__name="Bob Brown", school_class=school_class)
    others = [StudentFactory(user__name=f"Student {i:02d}", school_class=school_class) for i in range(12)]
    now = timezone.now()
    shared = {q: (RARE if i % 2 else 1) for i, q in enumerate(questions)}
    pair = []
    for who in (student, bob):
        pair.append(
            take_quiz(
                quiz,
                who,
                shared,
                started=now - timedelta(minutes=20),
                answered=now - timedelta(minutes=5),
                submitted=now - timedelta(minutes=4),
            )
        )
    for i, who in enumerate(others):
        answers = {q: (1 if rng.random() < 0.6 else rng.choice([0, 2])) for q in questions}
        take_quiz(
            quiz,
            who,
            answers,
            started=now - timedelta(minutes=20),
            answered=now - timedelta(minutes=10 - i % 5),
            submitted=now - timedelta(minutes=4),
        )
    QuizAttempt.objects.filter(pk__in=[a.pk for a in pair]).update(ip_address="10.0.0.7", user_agent="Firefox 140")
    QuizAttempt.objects.filter(quiz=quiz).exclude(pk__in=[a.pk for a in pair]).update(ip_address="10.0.0.1")
    quiz.pair = pair
    quiz.bob = bob
    return quiz
