"""Re-marking after a question's answer key changes: the hook the quizzes app calls, the Celery task it queues and
the service that task runs. The task is declared here, beside both, so this module and grading.tasks (where
Celery finds it) do not import each other.

Re-marking is not scoped to the acting user: once a question's owner corrects its key, every finished attempt that
answered it must follow, whoever's quiz it was used in (a result must never rest on a key known to be wrong)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.db import transaction

from accounts.models import User
from accounts.services import audit_record, notify
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt, StudentAnswer
from attempts.questions import attempt_questions
from attempts.scoring import mark_objective_answers, recompute_totals
from grading.services.common import marks_text, result_link, score_summary
from quizzes.models import Question, QuestionType
from quizzes.signals import announce_results_changed


def question_answer_key_changed(question_id, by_id=None, **kwargs) -> None:
    """Called by the quizzes app when a question's correct answer or accepted answers change: every submitted
    attempt that used it is re-marked by a Celery task once the change is committed. (`**kwargs` lets it serve as
    a signal receiver as well.)"""
    qid, uid = str(question_id), (str(by_id) if by_id else None)
    transaction.on_commit(lambda: regrade_question.delay(qid, uid), robust=True)


@dataclass
class RegradeResult:
    attempts: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)
    quiz_ids: set = field(default_factory=set)


def _regrade_one(attempt_id, question: Question, reason: str | None = None) -> dict[str, Any] | None:
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .select_related("quiz", "student__user")
            .filter(pk=attempt_id, status__in=FINISHED_STATUSES)
            .first()
        )
        if attempt is None:
            return None
        was = score_summary(attempt)
        # The question may be worth less now: a teacher's mark (kept by re-marking) must not exceed the new
        # maximum in this quiz, or the score could pass the total.
        # Issue 16: the attempt's own questions, so a question a random slot drew keeps the slot's marks.
        link = next((qq for qq in attempt_questions(attempt) if qq.question_id == question.pk), None)
        if link is not None:
            cap = link.marks_override or question.marks
            StudentAnswer.objects.filter(attempt=attempt, question=question, marks_awarded__gt=cap).update(
                marks_awarded=cap
            )
        if question.type == QuestionType.DESCRIPTIVE:
            # Became descriptive: an automatic mark no longer stands, a teacher must mark it (their marks stay).
            StudentAnswer.objects.filter(attempt=attempt, question=question, graded_by__isnull=True).exclude(
                answer_text__isnull=True
            ).exclude(answer_text="").update(marks_awarded=None)
        mark_objective_answers(attempt)
        recompute_totals(attempt)
        if was["score"] == attempt.score and was["passed"] == attempt.passed and was["status"] == attempt.status:
            return {"attempt": attempt, "changed": False}
        if attempt.status == AttemptStatus.GRADED or was["status"] == AttemptStatus.GRADED:
            notify(
                users=[attempt.student.user],
                type="attempt_regraded",
                title=f"Result updated: {attempt.quiz.title}",
                message=_changed_message(was, attempt, reason),
                link=result_link(attempt),
            )
        return {
            "attempt": attempt,
            "changed": True,
            "old": {"score": was["score"], "passed": was["passed"], "status": was["status"]},
            "new": {"score": attempt.score, "passed": attempt.passed, "status": attempt.status},
        }


def _changed_message(was: dict, attempt: QuizAttempt, reason: str | None) -> str:
    outcome = f" ({'passed' if attempt.passed else 'not passed'})" if attempt.passed is not None else ""
    change = (
        f"our score changed from {marks_text(was['score'])} to {marks_text(attempt.score)} out of "
        f"{attempt.total_marks}{outcome}"
    )
    if reason:  # issue 20: the teacher's fix says why ("your score changed from 14 to 15 because ...")
        return f"Y{change} because {reason.rstrip('.')}."
    return f"A question's answer key was corrected. Y{change}."


def question_regrade(*, question_id, by: User | None = None, quiz_id=None, reason: str | None = None) -> RegradeResult:
    """Re-mark every finished attempt that answered the question, each in its own short transaction (a regrade of
    a large school does not hold every attempt locked at once). Scores, pass/fail and analytics follow; students
    whose score changed are notified; one audit entry records what changed. `quiz_id` limits it to one quiz's
    attempts (a fix that belongs to that quiz, such as full marks for everyone); `reason` is told to the students."""
    result = RegradeResult()
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return result
    attempts = QuizAttempt.objects.filter(answers__question_id=question.pk, status__in=FINISHED_STATUSES)
    if quiz_id is not None:
        attempts = attempts.filter(quiz_id=quiz_id)
    attempt_ids = list(attempts.values_list("pk", flat=True).distinct())
    for attempt_id in attempt_ids:
        outcome = _regrade_one(attempt_id, question, reason)
        if outcome is None:
            continue
        result.attempts += 1
        result.quiz_ids.add(outcome["attempt"].quiz_id)
        if outcome["changed"]:
            result.changed.append({"attempt_id": str(attempt_id), "old": outcome["old"], "new": outcome["new"]})
    with transaction.atomic():
        audit_record(
            action="question.regrade",
            by=by,
            entity=question,
            new={"attempts_remarked": result.attempts, "scores_changed": result.changed},
        )
    for quiz_id in result.quiz_ids:
        announce_results_changed(quiz_id)
    return result


@shared_task(
    name="grading.tasks.regrade_question", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def regrade_question(
    question_id: str, by_id: str | None = None, quiz_id: str | None = None, reason: str | None = None
) -> dict:
    """Re-mark every finished attempt that used the question after its answer key changed."""
    by = User.objects.filter(pk=by_id).first() if by_id else None
    result = question_regrade(question_id=question_id, by=by, quiz_id=quiz_id, reason=reason)
    return {"attempts": result.attempts, "changed": len(result.changed)}
