from datetime import timedelta

import factory
from django.utils import timezone

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, Violation


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizAttempt

    quiz = factory.SubFactory("quizzes.tests.factories.QuizFactory")
    student = factory.SubFactory("accounts.tests.factories.StudentFactory")
    attempt_number = 1
    status = AttemptStatus.IN_PROGRESS
    started_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=o.quiz.time_limit_minutes))


class StudentAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentAnswer

    attempt = factory.SubFactory(QuizAttemptFactory)
    question = factory.SubFactory("quizzes.tests.factories.QuestionFactory")


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    attempt = factory.SubFactory(QuizAttemptFactory)
    violation_type = "tab_switch"
