"""factory_boy factories of every app's models: rows as they are stored, with no service in between.

Use them for what a test sets up as given (users, classes, questions, a quiz). Where the state of an attempt
matters (started, submitted, graded), use tests.builders, which reaches it through the services."""

from datetime import timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, Student, Teacher, User
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, Violation
from classrooms.models import SchoolClass, TeacherClass
from quizzes.models import Question, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus

DEFAULT_PASSWORD = "correct-horse-battery"
_hash_cache: dict[str, str] = {}


def hashed(password: str) -> str:
    # One real argon2 hash per distinct password per test run: the suite stays fast and still exercises the
    # project's real hasher.
    if password not in _hash_cache:
        _hash_cache[password] = make_password(password)
    return _hash_cache[password]


# --- accounts ------------------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.test")
    name = factory.Faker("name")
    role = Role.ADMIN
    password = factory.LazyFunction(lambda: hashed(DEFAULT_PASSWORD))


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    user = factory.SubFactory(
        UserFactory, role=Role.TEACHER, email=factory.Sequence(lambda n: f"teacher{n}@school.test")
    )
    subject = "Mathematics"
    department = "Sciences"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    user = factory.SubFactory(
        UserFactory, role=Role.STUDENT, email=factory.Sequence(lambda n: f"student{n}@school.test")
    )
    registration_number = factory.Sequence(lambda n: f"STU9{n:05d}")
    school_class = None
    is_account_claimed = True
    claimed_at = factory.LazyFunction(timezone.now)


# --- classrooms ----------------------------------------------------------------------------------------------


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    name = factory.Sequence(lambda n: f"Class {n}")
    section = "A"
    academic_year = "2026-2027"


class TeacherClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherClass

    teacher = factory.SubFactory(TeacherFactory)
    school_class = factory.SubFactory(SchoolClassFactory)


# --- quizzes -------------------------------------------------------------------------------------------------


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    subject = "Mathematics"
    time_limit_minutes = 30
    status = QuizStatus.DRAFT
    created_by = factory.SubFactory(TeacherFactory)
    # Issue 17: factory quizzes keep the violation policy every quiz had before (and migrated quizzes keep):
    # every loss counts, auto-submit at the threshold. New quizzes made by teachers default to "flag", 2 s.
    violation_action = "auto_submit"
    violation_tolerance_seconds = 0


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    text = factory.Sequence(lambda n: f"Question {n}: what is {n} + 1?")
    type = QuestionType.MCQ
    topic = "Arithmetic"
    marks = 2
    options = ["one", "two", "three", "four"]
    correct_answer = 1
    created_by = factory.SubFactory(TeacherFactory)


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    quiz = factory.SubFactory(QuizFactory)
    question = factory.SubFactory(QuestionFactory)
    order_index = factory.Sequence(lambda n: n)


class QuizClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizClass

    quiz = factory.SubFactory(QuizFactory)
    school_class = factory.SubFactory(SchoolClassFactory)


# --- attempts (raw rows: for states no service produces, or tests of the constraints themselves) -------------


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizAttempt

    quiz = factory.SubFactory(QuizFactory)
    student = factory.SubFactory(StudentFactory)
    attempt_number = 1
    status = AttemptStatus.IN_PROGRESS
    started_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=o.quiz.time_limit_minutes))


class StudentAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentAnswer

    attempt = factory.SubFactory(QuizAttemptFactory)
    question = factory.SubFactory(QuestionFactory)


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    attempt = factory.SubFactory(QuizAttemptFactory)
    violation_type = "tab_switch"
