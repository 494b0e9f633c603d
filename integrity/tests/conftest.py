import random
from datetime import timedelta

import pytest
from django.utils import timezone

from attempts.models import QuizAttempt
from tests.builders import build_quiz, finish_attempt, make_quiz, take_quiz
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


# Question 1's key says B (1); C (2) is also right, and the stronger students chose it.
ANSWERS = {
    "Alice": [2, 1, 1, 1, 1],  # 4/5 passed
    "Bob": [2, 1, 1, 0, 0],  # 2/5 failed; with C accepted 3/5 passed
    "Carol": [1, 1, 0, 0, 0],  # 2/5
    "Dan": [0, 1, 1, 1, 0],  # 3/5
    "Eve": [2, 0, 0, 0, 0],  # 0/5
}


@pytest.fixture
def flawed(teacher, school_class, student):
    quiz = build_quiz(teacher, questions=5, marks=1, school_class=school_class)
    people = {"Alice": student}
    attempts = {}
    for name, options in ANSWERS.items():
        who = people.get(name) or StudentFactory(user__name=name, school_class=school_class)
        attempts[name] = finish_attempt(quiz, who, options)
    quiz.attempts_by_name = attempts
    quiz.q1 = quiz.quiz_questions.order_by("order_index").first().question
    return quiz
