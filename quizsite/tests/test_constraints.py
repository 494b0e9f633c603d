"""The database itself rejects rows the guide forbids, whatever code path writes them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from tests.factories import (
    QuestionFactory,
    QuizAttemptFactory,
    QuizFactory,
    QuizQuestionFactory,
    SchoolClassFactory,
    StudentAnswerFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def rejected(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()
    return True


def test_quiz_time_limit_zero_is_rejected():
    assert rejected(lambda: QuizFactory(time_limit_minutes=0))


def test_quiz_passing_percentage_over_100_is_rejected():
    assert rejected(lambda: QuizFactory(passing_percentage=101))
    QuizFactory(passing_percentage=100)  # the boundary is allowed


def test_quiz_end_before_start_is_rejected():
    now = timezone.now()
    assert rejected(lambda: QuizFactory(start_date=now, end_date=now - timedelta(minutes=1)))
    assert rejected(lambda: QuizFactory(start_date=now, end_date=now))
    QuizFactory(start_date=None, end_date=now)  # an open start with an end is fine


def test_quiz_max_attempts_and_violation_threshold_must_be_positive():
    assert rejected(lambda: QuizFactory(max_attempts=0))
    assert rejected(lambda: QuizFactory(violation_threshold=0))


def test_duplicate_registration_number_is_rejected():
    StudentFactory(registration_number="STU2026001")
    assert rejected(lambda: StudentFactory(registration_number="STU2026001"))


def test_registration_number_must_be_stored_normalised():
    assert rejected(lambda: StudentFactory(registration_number="stu2026001"))


def test_duplicate_class_name_section_year_is_rejected_even_without_section():
    SchoolClassFactory(name="Class 10", section="A", academic_year="2026-2027")
    assert rejected(lambda: SchoolClassFactory(name="Class 10", section="A", academic_year="2026-2027"))
    SchoolClassFactory(name="Class 10", section="", academic_year="")
    assert rejected(lambda: SchoolClassFactory(name="Class 10", section="", academic_year=""))
    SchoolClassFactory(name="Class 10", section="B", academic_year="2026-2027")  # another section is fine


def test_duplicate_quiz_order_index_is_rejected():
    quiz = QuizFactory()
    QuizQuestionFactory(quiz=quiz, order_index=0)
    assert rejected(lambda: QuizQuestionFactory(quiz=quiz, order_index=0))


def test_same_question_twice_in_a_quiz_is_rejected():
    quiz = QuizFactory()
    question = QuestionFactory()
    QuizQuestionFactory(quiz=quiz, question=question, order_index=0)
    assert rejected(lambda: QuizQuestionFactory(quiz=quiz, question=question, order_index=1))


def test_question_marks_must_be_positive_and_type_known():
    assert rejected(lambda: QuestionFactory(marks=0))
    assert rejected(lambda: QuestionFactory(type="essay"))
    assert rejected(lambda: QuestionFactory(type="mcq", correct_answer=None))


def test_user_email_must_be_lowercase_and_well_formed():
    assert rejected(lambda: UserFactory(email="Mixed@School.test"))
    assert rejected(lambda: UserFactory(email="no-at-sign.school.test"))
    assert rejected(lambda: UserFactory(email="a@b.|x"))  # the guide's regex would have let this through
    assert rejected(lambda: UserFactory(role="principal"))


def test_manager_stores_email_lowercase_and_unusable_password_when_none_given():
    user = User.objects.create_user("New.Student@School.TEST", None, name="New Student")
    assert user.email == "new.student@school.test"
    assert not user.has_usable_password()
    assert not user.check_password("")


def test_one_answer_row_per_attempt_and_question():
    answer = StudentAnswerFactory()
    assert rejected(lambda: StudentAnswerFactory(attempt=answer.attempt, question=answer.question))


def test_only_one_attempt_in_progress_per_student_and_quiz():
    attempt = QuizAttemptFactory()
    assert rejected(lambda: QuizAttemptFactory(quiz=attempt.quiz, student=attempt.student, attempt_number=2))


def test_attempt_number_unique_per_student_and_quiz():
    attempt = QuizAttemptFactory(status="submitted", submitted_at=timezone.now())
    assert rejected(
        lambda: QuizAttemptFactory(
            quiz=attempt.quiz, student=attempt.student, attempt_number=1, status="graded", submitted_at=timezone.now()
        )
    )


def test_finished_attempt_needs_submitted_at_and_sane_percentage():
    assert rejected(lambda: QuizAttemptFactory(status="submitted", submitted_at=None))
    assert rejected(lambda: QuizAttemptFactory(percentage=101))
