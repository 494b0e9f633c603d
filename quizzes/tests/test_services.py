"""Services of the quizzes app that the API tests cannot reach directly: access-code collisions and the regrade
hand-off when an answer key changes."""

import itertools

import pytest

from accounts.models import AuditLog
from attempts.models import AttemptStatus
from quizzes import models as quiz_models
from quizzes import services
from quizzes.models import Quiz
from quizzes.signals import answer_key_changed
from tests.factories import QuizAttemptFactory, QuizFactory, QuizQuestionFactory


@pytest.mark.django_db
def test_access_code_collision_draws_again(teacher, monkeypatch):
    taken = QuizFactory(created_by=teacher, access_code="ABCDEFGH")
    draws = itertools.chain(["ABCDEFGH", "ABCDEFGH"], ["HGFEDCBA"])
    monkeypatch.setattr(quiz_models, "generate_access_code", lambda: next(draws))
    quiz = services.quiz_create(by=teacher.user, data={"title": "T", "subject": "S", "time_limit_minutes": 10})
    assert quiz.access_code == "HGFEDCBA" and taken.access_code == "ABCDEFGH"
    assert Quiz.objects.get(access_code__iexact="hgfedcba") == quiz


@pytest.mark.django_db
def test_access_code_gives_up_after_repeated_collisions(teacher, monkeypatch):
    QuizFactory(created_by=teacher, access_code="ABCDEFGH")
    monkeypatch.setattr(quiz_models, "generate_access_code", lambda: "ABCDEFGH")
    with pytest.raises(services.QuizError) as exc:
        services.quiz_create(by=teacher.user, data={"title": "T", "subject": "S", "time_limit_minutes": 10})
    assert exc.value.status_code == 503
    assert Quiz.objects.count() == 1


@pytest.mark.django_db
def test_answer_key_change_is_audited_and_handed_to_grading_after_commit(
    teacher, student, mcq, monkeypatch, django_capture_on_commit_callbacks
):
    quiz = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    QuizAttemptFactory(quiz=quiz, student=student, status=AttemptStatus.SUBMITTED, submitted_at=quiz.created_at)
    calls = []

    # Listens where the grading app does (quizzes.signals.answer_key_changed).
    def listener(sender, *, question_id, by_id, **kwargs):
        calls.append((question_id, by_id))

    answer_key_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.question_update(question=mcq, by=teacher.user, data={"correct_answer": 2})
        assert len(callbacks) == 1 and calls == []  # nothing is announced before the change commits
        callbacks[0]()
    finally:
        answer_key_changed.disconnect(listener)
    assert calls == [(mcq.id, teacher.user.id)]
    log = AuditLog.objects.get(action="question.update")
    assert log.old_value == {"correct_answer": 1} and log.new_value["answer_key_changed"] is True


@pytest.mark.django_db
def test_text_change_does_not_trigger_regrade(teacher, student, mcq, django_capture_on_commit_callbacks):
    quiz = QuizFactory(created_by=teacher)
    QuizQuestionFactory(quiz=quiz, question=mcq, order_index=0)
    QuizAttemptFactory(quiz=quiz, student=student)
    with django_capture_on_commit_callbacks() as callbacks:
        services.question_update(question=mcq, by=teacher.user, data={"text": "Typo fixed"})
    assert callbacks == []
    assert AuditLog.objects.get(action="question.update").new_value["answer_key_changed"] is False


@pytest.mark.django_db
def test_answer_key_change_without_attempts_needs_no_regrade(teacher, mcq, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.question_update(question=mcq, by=teacher.user, data={"correct_answer": 0})
    mcq.refresh_from_db()
    assert mcq.correct_answer == 0 and callbacks == []
