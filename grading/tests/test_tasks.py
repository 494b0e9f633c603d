"""The regrade and e-mail tasks: eagerly in-process (the default without a broker) and once through a real
worker and the real Redis broker."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core import mail

from attempts.models import QuizAttempt
from grading import tasks
from tests.builders import make_attempt
from tests.processes import celery_worker


@pytest.mark.django_db
def test_email_task_sends_only_for_a_graded_attempt(submitted, quiz, teacher):
    assert tasks.send_attempt_graded_email(str(submitted.pk)) is False  # still awaiting marks
    from grading.services import attempt_grade

    essay = submitted.answers.get(question=quiz.essay)
    attempt_grade(attempt=submitted, by=teacher.user, grades=[{"answer_id": essay.pk, "marks_awarded": 5}])
    mail.outbox.clear()
    assert tasks.send_attempt_graded_email(str(submitted.pk)) is True
    assert "10 out of 15" in mail.outbox[0].body


@pytest.mark.django_db
def test_regrade_task_of_an_unknown_question_does_nothing():
    assert tasks.regrade_question("00000000-0000-0000-0000-000000000000", None) == {"attempts": 0, "changed": 0}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_regrade_runs_on_a_real_worker_through_the_redis_broker(quiz, teacher, student):
    attempt = make_attempt(quiz, student, short="Lutetia", essay=None)
    quiz.short.accepted_answers = ["Paris", "Lutetia"]
    quiz.short.save()
    with celery_worker() as worker:
        tasks.regrade_question.delay(str(quiz.short.pk), str(teacher.user.pk))
        deadline = time.monotonic() + 30
        score = attempt.score
        while time.monotonic() < deadline and score == Decimal("2.00"):
            assert worker.proc.poll() is None, "worker died"
            time.sleep(0.3)
            score = QuizAttempt.objects.get(pk=attempt.pk).score
        if score != Decimal("5.00"):
            pytest.fail(f"the worker did not regrade within 30 s: {worker.output(2000)}")
