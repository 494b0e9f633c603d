"""Services of the attempts app (see STYLE.md): an attempt's life: start, autosave, submit, expiry, violations.

Time is always the server's: every check compares `now` (the caller may pass it, tests do) with the deadline the
attempt fixed at start. The autosave path (`answers_save`) is the exam's hot path: its hand-tuned reads and writes
live in attempts.autosave (one read of the attempt, one locked upsert), and it does nothing else.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Student
from attempts import autosave
from attempts.autosave import MAX_BATCH
from attempts.errors import AttemptError
from attempts.models import AttemptStatus, QuizAttempt, Severity, SubmitReason, Violation, ViolationType
from attempts.scoring import mark_objective_answers, recompute_totals
from attempts.selectors import public_status, quiz_is_assigned
from quizsite.api.fields import score_number
from quizsite.live import publish_quiz_event
from quizzes.models import QuestionType, Quiz, QuizStatus
from quizzes.selectors import ordered_quiz_questions
from quizzes.signals import announce_results_changed

logger = logging.getLogger(__name__)

MAX_VIOLATION_DETAILS = 4_000  # characters of JSON

DEFAULT_SEVERITY = {
    ViolationType.MULTIPLE_WINDOWS: Severity.HIGH,
    ViolationType.TAB_SWITCH: Severity.MEDIUM,
    ViolationType.FULLSCREEN_EXIT: Severity.MEDIUM,
    ViolationType.FOCUS_LOST: Severity.MEDIUM,
    ViolationType.COPY_ATTEMPT: Severity.LOW,
    ViolationType.PASTE_ATTEMPT: Severity.MEDIUM,
    ViolationType.RIGHT_CLICK: Severity.LOW,
}


def grace_deadline(attempt: QuizAttempt):
    """The last moment a save is still accepted: the deadline plus the quiz's grace for answers in flight."""
    return attempt.deadline + timedelta(seconds=attempt.quiz.grace_seconds)


def is_overdue(attempt: QuizAttempt, now=None) -> bool:
    return attempt.status == AttemptStatus.IN_PROGRESS and (now or timezone.now()) > grace_deadline(attempt)


# --------------------------------------------------------------------------------------------------------------
# Start
# --------------------------------------------------------------------------------------------------------------


def _check_can_start(*, quiz: Quiz, student: Student, now) -> None:
    if quiz.status == QuizStatus.DRAFT:
        raise AttemptError("This quiz has not been published yet.", status_code=403, code="not_published")
    if quiz.status != QuizStatus.PUBLISHED:
        raise AttemptError("This quiz is closed.", status_code=403, code="closed")
    if quiz.start_date and now < quiz.start_date:
        raise AttemptError(
            f"This quiz opens at {timezone.localtime(quiz.start_date):%Y-%m-%d %H:%M}.",
            status_code=403,
            code="not_open",
        )
    if quiz.end_date and now >= quiz.end_date:
        raise AttemptError("This quiz has ended.", status_code=403, code="ended")
    used = QuizAttempt.objects.filter(quiz=quiz, student=student).count()
    if used >= quiz.max_attempts:
        raise AttemptError(
            f"You have used all {quiz.max_attempts} attempt(s) allowed for this quiz.",
            status_code=409,
            code="no_attempts_left",
        )


def start_refusal(*, quiz: Quiz, student: Student, now=None) -> str | None:
    """Why a new attempt cannot start now (for the intro page), or None."""
    try:
        _check_can_start(quiz=quiz, student=student, now=now or timezone.now())
    except AttemptError as exc:
        return exc.message
    return None


def _new_attempt(*, quiz: Quiz, student: Student, now, ip, user_agent) -> QuizAttempt:
    quiz_questions = ordered_quiz_questions(quiz)
    if not quiz_questions:
        raise AttemptError("This quiz has no questions yet.", status_code=409, code="empty_quiz")
    rng = random.SystemRandom()
    order = [str(qq.question_id) for qq in quiz_questions]
    if quiz.randomize_questions:
        rng.shuffle(order)
    option_order: dict[str, list[int]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for qq in quiz_questions:
        q = qq.question
        meta[str(q.id)] = autosave.question_meta_of(q)
        n = meta[str(q.id)]["options"]
        # True/false keeps its natural order: "False, True" would only confuse.
        if quiz.randomize_options and q.type == QuestionType.MCQ and n > 1:
            perm = list(range(n))
            rng.shuffle(perm)
            option_order[str(q.id)] = perm
    deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.end_date and quiz.end_date < deadline:
        deadline = quiz.end_date
    number = (QuizAttempt.objects.filter(quiz=quiz, student=student).aggregate(m=Max("attempt_number"))["m"] or 0) + 1
    return QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        attempt_number=number,
        started_at=now,
        deadline=deadline,
        status=AttemptStatus.IN_PROGRESS,
        ip_address=ip or None,
        user_agent=(user_agent or "")[:1000],
        question_order=order,
        option_order=option_order,
        question_meta=meta,
    )


def _in_progress(*, quiz: Quiz, student: Student) -> QuizAttempt | None:
    return (
        QuizAttempt.objects.select_related("quiz")
        .filter(quiz=quiz, student=student, status=AttemptStatus.IN_PROGRESS)
        .first()
    )


def attempt_start(*, quiz: Quiz, student: Student, by, ip=None, user_agent: str = "", now=None):
    """Start (or resume) the student's attempt. Returns (attempt, created).

    Concurrent starts by one student are serialised on the student's row; the partial unique index
    `attempts_one_in_progress` is the last line of defence, and losing that race returns the winner's attempt.
    Not one outer transaction: an overdue attempt found here is closed (and committed) before the new one starts.
    """
    now = now or timezone.now()
    if not quiz_is_assigned(quiz=quiz, student=student):
        raise AttemptError("This quiz is not assigned to your class.", status_code=403, code="not_assigned")
    for stale in QuizAttempt.objects.overdue(now).filter(quiz=quiz, student=student).select_related("quiz"):
        attempt_expire_if_overdue(attempt=stale, now=now)
    try:
        with transaction.atomic():
            Student.objects.select_for_update().filter(pk=student.pk).values_list("pk", flat=True).first()
            existing = _in_progress(quiz=quiz, student=student)
            if existing is not None:
                return existing, False
            _check_can_start(quiz=quiz, student=student, now=now)
            attempt = _new_attempt(quiz=quiz, student=student, now=now, ip=ip, user_agent=user_agent)
            publish_quiz_event(
                quiz.id,
                "attempt_started",
                {
                    "student_id": str(student.pk),
                    "student_name": student.user.name,
                    "attempt_id": str(attempt.id),
                    "attempt_number": attempt.attempt_number,
                    "started_at": attempt.started_at.isoformat(),
                    "deadline": attempt.deadline.isoformat(),
                    "total_questions": len(attempt.question_order),
                    "status": attempt.status,
                },
            )
            return attempt, True
    except IntegrityError:
        existing = _in_progress(quiz=quiz, student=student)
        if existing is not None:
            return existing, False
        raise AttemptError("The quiz could not be started; please try again.", status_code=409, code="retry") from None


# --------------------------------------------------------------------------------------------------------------
# Autosave (the hot path)
# --------------------------------------------------------------------------------------------------------------

FINISHED_MESSAGE = "This quiz has already been submitted; answers can no longer be changed."


def answers_save(
    *,
    attempt_id,
    answers: list[dict],
    student_id=None,
    student_name: str = "",
    now=None,
    preloaded: QuizAttempt | None = None,
) -> dict:
    """Save one or more answers of an attempt in progress (autosave). `student_id` scopes the lookup: another
    student's attempt is "not found". On PostgreSQL two queries: read the attempt (with its quiz's grace), then
    one locked, conditional upsert (attempts.autosave). A save acknowledged here is always in the graded answers.
    `preloaded`: the attempt already read by attempts.autosave.user_and_attempt_for_save (the API's fast path,
    which read it with the user in one statement), already scoped to `student_id`.
    """
    now = now or timezone.now()
    if not isinstance(answers, list) or not answers:
        raise AttemptError("No answer given.")
    if len(answers) > MAX_BATCH:
        raise AttemptError(f"At most {MAX_BATCH} answers per request.")
    attempt = preloaded if preloaded is not None else autosave.attempt_for_save(attempt_id, student_id)
    if attempt is None:
        raise AttemptError("Not found.", status_code=404)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptError(FINISHED_MESSAGE, status_code=409, code="attempt_finished")
    if now > grace_deadline(attempt):
        attempt_expire_if_overdue(attempt=QuizAttempt.objects.select_related("quiz").get(pk=attempt.pk), now=now)
        raise AttemptError(
            "Time is up: this quiz was submitted automatically.", status_code=409, code="attempt_finished"
        )
    cleaned = autosave.clean_answers(attempt, answers)
    still_open, applied = autosave.upsert_answers(attempt.id, list(cleaned.values()), now)
    if not still_open:
        raise AttemptError(FINISHED_MESSAGE, status_code=409, code="attempt_finished")
    order = attempt.question_order or []
    last = next(reversed(cleaned))
    publish_quiz_event(
        attempt.quiz_id,
        "answer_saved",
        {
            "student_id": str(attempt.student_id),
            "student_name": student_name,
            "attempt_id": str(attempt.id),
            "question_ids": list(cleaned),
            "current_question": order.index(last) + 1 if last in order else None,
            "total_questions": len(order),
            "timestamp": now.isoformat(),
        },
    )
    results = [{"question_id": qid, "client_seq": row[3], "applied": qid in applied} for qid, row in cleaned.items()]
    return {
        "message": "Answer saved" if len(results) == 1 else "Answers saved",
        "results": results,
        "time_remaining_seconds": attempt.seconds_remaining(now),
        "time_remaining_ms": max(0, int((attempt.deadline - now).total_seconds() * 1000)),
        "saved_at": now,
    }


def answer_save(
    *, attempt: QuizAttempt, question_id, answer_option=None, answer_text=None, client_seq=None, now=None
) -> dict:
    """Save one answer of `attempt` (already authorised by the caller)."""
    item = {
        "question_id": str(question_id),
        "answer_option": answer_option,
        "answer_text": answer_text,
        "client_seq": client_seq,
    }
    result = answers_save(attempt_id=attempt.pk, answers=[item], now=now)
    return {**result, **result["results"][0]}


# --------------------------------------------------------------------------------------------------------------
# Submit and expiry
# --------------------------------------------------------------------------------------------------------------


@transaction.atomic
def attempt_submit(*, attempt: QuizAttempt, by, reason=SubmitReason.STUDENT, now=None) -> QuizAttempt:
    """Finish an attempt: mark objective answers, total the score, publish `attempt_submitted`.

    Idempotent: an attempt already finished is returned unchanged. `submitted_at` is never after the deadline, so
    an attempt closed by the deadline (by the beat task, lazily, or a late click) is dated at its deadline.
    """
    now = now or timezone.now()
    reason = SubmitReason(reason)
    qs = QuizAttempt.objects.select_related("quiz", "student__user")
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    elif connection.features.has_select_for_update:
        qs = qs.select_for_update()
    locked = qs.get(pk=attempt.pk)
    if locked.is_finished:
        return locked
    if reason == SubmitReason.STUDENT and now >= locked.deadline:  # the page submits when its timer hits zero
        reason = SubmitReason.DEADLINE
    locked.status = AttemptStatus.SUBMITTED if reason == SubmitReason.STUDENT else AttemptStatus.AUTO_SUBMITTED
    locked.submitted_at = min(now, locked.deadline)
    locked.submit_reason = reason
    if reason == SubmitReason.VIOLATIONS:
        locked.auto_submitted_due_to_violations = True
    locked.save(update_fields=["status", "submitted_at", "submit_reason", "auto_submitted_due_to_violations"])
    mark_objective_answers(locked)
    recompute_totals(locked)
    quiz_id = locked.quiz_id
    publish_quiz_event(
        quiz_id,
        "attempt_submitted",
        {
            "student_id": str(locked.student_id),
            "student_name": locked.student.user.name,
            "attempt_id": str(locked.id),
            "submitted_at": locked.submitted_at.isoformat(),
            "score": score_number(locked.score),
            "total_marks": locked.total_marks,
            "status": public_status(locked),
            "reason": reason.value,
            "auto_submitted_due_to_violations": locked.auto_submitted_due_to_violations,
        },
    )
    announce_results_changed(quiz_id)
    return locked


def attempt_expire_if_overdue(*, attempt: QuizAttempt, now=None) -> QuizAttempt:
    """Close an attempt whose deadline (plus grace) has passed; anything else is returned as it is."""
    now = now or timezone.now()
    if is_overdue(attempt, now):
        return attempt_submit(attempt=attempt, by=None, reason=SubmitReason.DEADLINE, now=now)
    return attempt


def expire_overdue_attempts(now=None) -> int:
    """Auto-submit every attempt past its deadline plus grace. Returns how many were closed. Each attempt in its
    own transaction: one failure does not keep the others open."""
    now = now or timezone.now()
    closed = 0
    for attempt in QuizAttempt.objects.overdue(now).select_related("quiz").order_by("deadline"):
        if not is_overdue(attempt, now):
            continue  # still within this quiz's grace period
        try:
            after = attempt_expire_if_overdue(attempt=attempt, now=now)
        except Exception:
            logger.exception("could not auto-submit overdue attempt %s", attempt.pk)
            continue
        if after.submit_reason == SubmitReason.DEADLINE and after.submitted_at == attempt.deadline:
            closed += 1
    return closed


def expire_overdue_for_student(*, student_id, now=None) -> None:
    """Lazy expiry before a student's list or page is shown (usually finds nothing: one indexed query)."""
    now = now or timezone.now()
    for attempt in QuizAttempt.objects.overdue(now).filter(student_id=student_id).select_related("quiz"):
        attempt_expire_if_overdue(attempt=attempt, now=now)


# --------------------------------------------------------------------------------------------------------------
# Violations
# --------------------------------------------------------------------------------------------------------------


def _clean_violation(violation_type, question_index, details, severity):
    if violation_type not in ViolationType.values:
        raise AttemptError(
            "violation_type: must be one of " + ", ".join(ViolationType.values) + ".", code="invalid_violation"
        )
    if question_index is not None and (
        isinstance(question_index, bool) or not isinstance(question_index, int) or not 0 <= question_index < 10_000
    ):
        raise AttemptError("question_index: must be a non-negative integer.")
    if details is not None:
        if not isinstance(details, dict):
            raise AttemptError("metadata: must be an object.")
        if len(json.dumps(details, default=str)) > MAX_VIOLATION_DETAILS:
            raise AttemptError("metadata: too large.")
    if severity in (None, ""):
        severity = DEFAULT_SEVERITY.get(violation_type, Severity.MEDIUM)
    elif severity not in Severity.values:
        raise AttemptError("severity: must be low, medium or high.")
    return severity


def violation_record(
    *, attempt: QuizAttempt, violation_type, question_index=None, details=None, severity=None, now=None
) -> dict:
    """Record a violation; at the quiz's threshold the attempt is auto-submitted. The count is incremented in
    the database (UPDATE .. SET total_violations = total_violations + 1), so concurrent reports are all counted.
    """
    now = now or timezone.now()
    severity = _clean_violation(violation_type, question_index, details, severity)
    if is_overdue(attempt, now):
        attempt_expire_if_overdue(attempt=attempt, now=now)
        raise AttemptError(
            "Time is up: this quiz was submitted automatically.", status_code=409, code="attempt_finished"
        )
    with transaction.atomic():
        updated = QuizAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            total_violations=F("total_violations") + 1
        )
        if not updated:
            raise AttemptError("This quiz has already been submitted.", status_code=409, code="attempt_finished")
        total, baseline, allowance = QuizAttempt.objects.filter(pk=attempt.pk).values_list(
            "total_violations", "violation_baseline", "quiz__violation_threshold"
        )[0]
        # After a teacher's reinstatement only the violations since then count against the allowance; the
        # threshold reported to the page is on the lifetime scale ("violation 4 of 6").
        threshold = baseline + allowance
        Violation.objects.create(
            attempt_id=attempt.pk,
            violation_type=violation_type,
            detected_at=now,
            question_index=question_index,
            severity=severity,
            details=details,
        )
        auto_submit = total >= threshold
        if auto_submit:
            attempt_submit(attempt=attempt, by=None, reason=SubmitReason.VIOLATIONS, now=now)
        publish_quiz_event(
            attempt.quiz_id,
            "violation",
            {
                "student_id": str(attempt.student_id),
                "student_name": attempt.student.user.name,
                "violation_type": violation_type,
                "total_violations": total,
                "timestamp": now.isoformat(),
                "attempt_id": str(attempt.pk),
                "question_index": question_index,
                "severity": severity,
                "auto_submit": auto_submit,
            },
        )
    attempt.total_violations = total
    return {
        "message": "Violation recorded",
        "total_violations": total,
        "violation_threshold": threshold,
        "auto_submit": auto_submit,
    }
