"""Races against the real PostgreSQL: threads with their own connections, committed data
(django_db(transaction=True))."""

import threading

import pytest
from django.db import connection

from accounts.models import Student
from attempts import services
from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, Violation
from quizzes.models import QuestionType
from tests.builders import make_quiz
from tests.factories import QuestionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def in_parallel(count, fn):
    """Run fn(i) in `count` threads released together; returns (results, errors) in thread order."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_parallel_starts_create_one_attempt(student, quiz):
    def go(_):
        s = Student.objects.select_related("user").get(pk=student.pk)
        attempt, created = services.attempt_start(quiz=quiz, student=s, by=s.user)
        return attempt.pk, created

    results, errors = in_parallel(8, go)
    assert errors == [None] * 8
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert QuizAttempt.objects.filter(quiz=quiz, student=student).count() == 1


def test_parallel_violations_are_counted_exactly(student, teacher, school_class):
    quiz = make_quiz(teacher, school_class, violation_threshold=100)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)

    def go(i):
        a = QuizAttempt.objects.select_related("quiz", "student__user").get(pk=attempt.pk)
        return services.violation_record(attempt=a, violation_type="tab_switch", question_index=i)["total_violations"]

    results, errors = in_parallel(20, go)
    assert errors == [None] * 20
    assert sorted(results) == list(range(1, 21))
    assert QuizAttempt.objects.get(pk=attempt.pk).total_violations == 20
    assert Violation.objects.filter(attempt=attempt).count() == 20


def test_parallel_violations_at_the_threshold_submit_once(student, teacher, school_class):
    quiz = make_quiz(teacher, school_class, violation_threshold=3)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)

    def go(_):
        a = QuizAttempt.objects.select_related("quiz", "student__user").get(pk=attempt.pk)
        return services.violation_record(attempt=a, violation_type="focus_lost")

    results, errors = in_parallel(8, go)
    ok = [r for r in results if r]
    assert len(ok) == 3 and sum(r["auto_submit"] for r in ok) == 1
    assert all(isinstance(e, AttemptError) and e.status_code == 409 for e in errors if e)
    attempt.refresh_from_db()
    assert attempt.total_violations == 3 and attempt.auto_submitted_due_to_violations


@pytest.mark.parametrize("round_", range(4))
def test_every_acknowledged_save_is_in_the_graded_answers(student, teacher, school_class, round_):
    questions = [
        QuestionFactory(created_by=teacher, type=QuestionType.MCQ, options=["a", "b", "c"], correct_answer=1, marks=1)
        for _ in range(12)
    ]
    quiz = make_quiz(teacher, school_class, questions=questions)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    submit_at = 6 + round_  # the submit thread lands among the saves

    def go(i):
        if i == submit_at:
            a = QuizAttempt.objects.get(pk=attempt.pk)
            return ("submit", services.attempt_submit(attempt=a, by=student.user).status)
        q = questions[i if i < submit_at else i - 1]
        item = {"question_id": str(q.id), "answer_option": 1}
        return ("save", str(q.id), services.answers_save(attempt_id=attempt.pk, answers=[item], student_id=student.pk))

    results, errors = in_parallel(13, go)
    refused = [e for e in errors if e is not None]
    assert all(isinstance(e, AttemptError) and e.status_code == 409 for e in refused)
    acknowledged = {r[1] for r in results if r and r[0] == "save"}
    graded = {str(a.question_id): a for a in StudentAnswer.objects.filter(attempt=attempt, question__in=questions)}
    for qid in acknowledged:
        assert graded[qid].answer_option == 1 and graded[qid].marks_awarded == 1, qid
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == len(acknowledged)
    assert len(acknowledged) + len(refused) == 12
