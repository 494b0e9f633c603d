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
from attempts import access, autosave
from attempts.autosave import MAX_BATCH
from attempts.errors import AttemptError
from attempts.models import (
    AttemptStatus,
    DrawnQuestion,
    QuizAttempt,
    Severity,
    SubmitReason,
    Violation,
    ViolationType,
)
from attempts.scoring import mark_objective_answers, recompute_totals
from attempts.selectors import public_status, quiz_is_assigned
from quizsite.api.fields import score_number
from quizsite.live import publish_attempt_event, publish_quiz_event
from quizzes.effective import EffectiveSettings, effective_settings
from quizzes.models import QuestionType, Quiz, QuizQuestion, QuizStatus, ViolationAction
from quizzes.selectors import SlotPoolTooSmall, draw_slots, ordered_quiz_questions
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


def _check_can_start(*, quiz: Quiz, student: Student, now, settings: EffectiveSettings | None = None) -> None:
    """May `student` start a new attempt of `quiz` now? The window and the attempts are the student's effective
    ones (quizzes.effective: overrides and accommodation). An attempt starts only inside the window the quiz and its
    overrides give; the accommodation's later close only lets an attempt started in that window run longer."""
    eff = settings or effective_settings(quiz=quiz, student=student)
    if quiz.status == QuizStatus.DRAFT:
        raise AttemptError("This quiz has not been published yet.", status_code=403, code="not_published")
    if quiz.status != QuizStatus.PUBLISHED:
        raise AttemptError("This quiz is closed.", status_code=403, code="closed")
    if eff.start_date and now < eff.start_date:
        raise AttemptError(
            f"This quiz opens at {timezone.localtime(eff.start_date):%Y-%m-%d %H:%M}.",
            status_code=403,
            code="not_open",
        )
    if eff.window_end_date and now >= eff.window_end_date:
        raise AttemptError("This quiz has ended.", status_code=403, code="ended")
    used = QuizAttempt.objects.filter(quiz=quiz, student=student).count()
    if used >= eff.max_attempts:
        raise AttemptError(
            f"You have used all {eff.max_attempts} attempt(s) allowed for this quiz.",
            status_code=409,
            code="no_attempts_left",
        )


def start_refusal(*, quiz: Quiz, student: Student, now=None, settings: EffectiveSettings | None = None) -> str | None:
    """Why a new attempt cannot start now (for the intro page), or None."""
    try:
        _check_can_start(quiz=quiz, student=student, now=now or timezone.now(), settings=settings)
    except AttemptError as exc:
        return exc.message
    return None


def _new_attempt(*, quiz: Quiz, student: Student, now, ip, user_agent, settings: EffectiveSettings) -> QuizAttempt:
    quiz_questions = ordered_quiz_questions(quiz)
    rng = random.SystemRandom()
    drawn = _draw(quiz=quiz, student=student, rng=rng)  # issue 16: the random slots
    if not quiz_questions and not drawn:
        raise AttemptError("This quiz has no questions yet.", status_code=409, code="empty_quiz")
    quiz_questions = [*quiz_questions, *drawn]
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
    deadline = settings.deadline_for(now)
    number = (QuizAttempt.objects.filter(quiz=quiz, student=student).aggregate(m=Max("attempt_number"))["m"] or 0) + 1
    attempt = QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        attempt_number=number,
        started_at=now,
        deadline=deadline,
        scheduled_deadline=deadline,
        status=AttemptStatus.IN_PROGRESS,
        ip_address=ip or None,
        user_agent=(user_agent or "")[:1000],
        question_order=order,
        option_order=option_order,
        question_meta=meta,
    )
    if drawn:
        DrawnQuestion.objects.bulk_create(
            DrawnQuestion(attempt=attempt, question=qq.question, slot=qq.slot, position=i, marks=qq.marks_override)
            for i, qq in enumerate(drawn)
        )
    return attempt


def _draw(*, quiz: Quiz, student: Student, rng) -> list[QuizQuestion]:
    """Issue 16: what the quiz's random slots draw for a new attempt (quizzes.selectors.draw_slots, preferring the
    questions this student was given in no earlier attempt of the quiz), as unsaved QuizQuestion rows carrying the
    slot (`.slot`) and its marks. A constant number of queries, none per drawn question."""
    slots = list(quiz.slots.all())
    if not slots:
        return []
    seen = set(
        DrawnQuestion.objects.filter(attempt__quiz=quiz, attempt__student=student).values_list(
            "question_id", flat=True
        )
    )
    try:
        return draw_slots(quiz, slots=slots, seen=seen, rng=rng)
    except SlotPoolTooSmall as exc:
        raise AttemptError(
            f"{exc.slot.label} cannot be drawn: the bank no longer holds enough matching questions. "
            "Please tell your teacher.",
            status_code=409,
            code="slot_pool_too_small",
        ) from None


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
                access.remember_rules(existing)
                return existing, False
            eff = effective_settings(quiz=quiz, student=student)
            _check_can_start(quiz=quiz, student=student, now=now, settings=eff)
            attempt = _new_attempt(quiz=quiz, student=student, now=now, ip=ip, user_agent=user_agent, settings=eff)
            access.remember_rules(attempt)  # the save path's copy of the quiz's access rules (issue 17)
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


def attempt_start_through_access(*, request, quiz: Quiz, student: Student, by, **kwargs):
    """Issue 17: start or resume through the quiz's access rules, for the page and the API alike. Network and Safe
    Exam Browser first (nothing is created for a refused request), then attempt_start, then the one-session claim.
    Returns (attempt, created, session token or None: the caller sets it as a cookie and the API returns it)."""
    network_password = kwargs.pop("network_password", None)
    bypass = access.check_quiz_access(request, quiz, network_password=network_password)
    attempt, created = attempt_start(quiz=quiz, student=student, by=by, **kwargs)
    if bypass and not attempt.network_bypass:
        attempt.network_bypass = True
        QuizAttempt.objects.filter(pk=attempt.pk).update(network_bypass=True)
    return attempt, created, access.claim_session(request, attempt)


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


def attempts_follow_settings(*, quiz_id=None, student_id=None, now=None) -> int:
    """Issue 17: an override or an accommodation changed: each running attempt it touches (of `quiz_id`, of
    `student_id`, or both) gets the deadline its student's effective settings now give. The deadline moves by the
    difference from the scheduled one, so a teacher's extension from the board is kept; a narrowed window can put
    it in the past, and the attempt is then closed as any overdue one. Returns how many deadlines moved."""
    now = now or timezone.now()
    qs = QuizAttempt.objects.filter(status=AttemptStatus.IN_PROGRESS, scheduled_deadline__isnull=False)
    if quiz_id is not None:
        qs = qs.filter(quiz_id=quiz_id)
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    moved = 0
    for pk in qs.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = (
                QuizAttempt.objects.select_for_update(of=("self",))
                .select_related("quiz", "student")
                .filter(pk=pk, status=AttemptStatus.IN_PROGRESS)
                .first()
            )
            if attempt is None:
                continue
            scheduled = effective_settings(quiz=attempt.quiz, student=attempt.student).deadline_for(attempt.started_at)
            delta = scheduled - attempt.scheduled_deadline
            if not delta:
                continue
            attempt.deadline += delta
            attempt.scheduled_deadline = scheduled
            attempt.save(update_fields=["deadline", "scheduled_deadline"])
            data = {
                "attempt_id": str(attempt.pk),
                "student_id": str(attempt.student_id),
                "status": attempt.status,
                "deadline": attempt.deadline.isoformat(),
                "seconds_remaining": attempt.seconds_remaining(now),
            }
            # The exam page and the board follow a teacher's extension on this event; they follow this change too.
            publish_attempt_event(attempt.pk, "time_extended", data)
            publish_quiz_event(attempt.quiz_id, "time_extended", data)
            moved += 1
        if is_overdue(attempt, now):
            attempt_expire_if_overdue(attempt=attempt, now=now)
    return moved


def on_accommodation_changed(sender=None, *, student_id, **kwargs) -> None:
    """accounts.signals.accommodation_changed (connected in AttemptsConfig.ready)."""
    attempts_follow_settings(student_id=student_id)


def on_overrides_changed(sender=None, *, quiz_id, **kwargs) -> None:
    """quizzes.signals.quiz_overrides_changed (connected in AttemptsConfig.ready)."""
    attempts_follow_settings(quiz_id=quiz_id)


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


# Issue 17: the kinds of "away from the page" a screen reader, a notification or assistive technology also cause:
# their duration is measured, the tolerance applies to them, and an exempt student's are logged only.
FOCUS_TYPES = frozenset(
    {ViolationType.TAB_SWITCH, ViolationType.FOCUS_LOST, ViolationType.FULLSCREEN_EXIT, ViolationType.MULTIPLE_WINDOWS}
)
MAX_EXPLANATION = 2_000


def _duration_ms(details, duration_ms):
    """The page's measure of a focus loss: the `duration_ms` field, or metadata.duration_ms (older pages)."""
    value = duration_ms if duration_ms is not None else (details or {}).get("duration_ms")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 86_400_000:
        raise AttemptError("duration_ms: must be a number of milliseconds.")
    return int(value)


def violation_weight(quiz: Quiz, violation_type: str) -> int:
    """The quiz's weight of a violation type (1 unless the teacher set another; 0: logged, never counted)."""
    weights = quiz.violation_weights or {}
    value = weights.get(violation_type, 1)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 1


def violation_counts(*, quiz: Quiz, violation_type: str, duration_ms: int | None, exempt: bool) -> tuple[bool, int]:
    """THE rule of which violations count, and how much: (counted, weight). A focus loss shorter than the quiz's
    tolerance is a blip (logged, not counted); an exempt student's focus losses are never counted; a type weighted
    0 is logged only. A loss the page could not time (no duration) counts, as before issue 17."""
    weight = violation_weight(quiz, violation_type)
    if violation_type in FOCUS_TYPES:
        if exempt:
            return False, weight
        tolerance_ms = int(quiz.violation_tolerance_seconds * 1000)
        if duration_ms is not None and duration_ms < tolerance_ms:
            return False, weight
    return weight > 0, weight


def violation_record(
    *,
    attempt: QuizAttempt,
    violation_type,
    question_index=None,
    details=None,
    severity=None,
    duration_ms=None,
    now=None,
) -> dict:
    """Record a violation. A counted one adds its weight to total_violations (in the database: UPDATE .. SET
    total_violations = total_violations + weight, so concurrent reports are all counted); at the quiz's threshold
    the attempt is auto-submitted or, when the quiz says so, flagged for the teacher and left running. Events that
    do not count (violation_counts) are logged for the teacher and change nothing else.
    """
    now = now or timezone.now()
    severity = _clean_violation(violation_type, question_index, details, severity)
    duration = _duration_ms(details, duration_ms)
    if is_overdue(attempt, now):
        attempt_expire_if_overdue(attempt=attempt, now=now)
        raise AttemptError(
            "Time is up: this quiz was submitted automatically.", status_code=409, code="attempt_finished"
        )
    quiz = attempt.quiz
    exempt = (
        violation_type in FOCUS_TYPES
        and effective_settings(quiz=quiz, student=attempt.student).exempt_from_focus_violations
    )
    counted, weight = violation_counts(quiz=quiz, violation_type=violation_type, duration_ms=duration, exempt=exempt)
    auto_submit_action = quiz.violation_action == ViolationAction.AUTO_SUBMIT
    with transaction.atomic():
        updated = QuizAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            total_violations=F("total_violations") + (weight if counted else 0)
        )
        if not updated:
            raise AttemptError("This quiz has already been submitted.", status_code=409, code="attempt_finished")
        total, baseline, allowance, flagged_at = QuizAttempt.objects.filter(pk=attempt.pk).values_list(
            "total_violations", "violation_baseline", "quiz__violation_threshold", "flagged_at"
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
            duration_ms=duration,
            counted=counted,
            weight=weight,
        )
        reached = counted and total >= threshold
        auto_submit = reached and auto_submit_action
        flagged = flagged_at is not None
        if auto_submit:
            attempt_submit(attempt=attempt, by=None, reason=SubmitReason.VIOLATIONS, now=now)
        elif reached and not flagged:
            QuizAttempt.objects.filter(pk=attempt.pk).update(flagged_at=now)
            flagged = True
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
                "counted": counted,
                "duration_ms": duration,
                "flagged": flagged,
            },
        )
    attempt.total_violations = total
    return {
        "message": "Violation recorded" if counted else "Event logged (not counted)",
        "total_violations": total,
        "violation_threshold": threshold,
        "auto_submit": auto_submit,
        "counted": counted,
        "action": quiz.violation_action,
        "flagged": flagged,
    }


@transaction.atomic
def attempt_explain(*, attempt: QuizAttempt, by, text: str, now=None) -> QuizAttempt:
    """The student's explanation of their violations, after the attempt was flagged or auto-submitted for them;
    the teacher reads it next to the violations in grading and on the board. It may be rewritten."""
    now = now or timezone.now()
    locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if by is None or locked.student_id != by.pk:
        raise AttemptError("Only the student who took this quiz can explain it.", status_code=403)
    if locked.flagged_at is None and not locked.auto_submitted_due_to_violations:
        raise AttemptError("There is nothing to explain: this attempt was not flagged.", status_code=409)
    text = (text or "").strip()
    if not text:
        raise AttemptError("Write your explanation.")
    if len(text) > MAX_EXPLANATION:
        raise AttemptError(f"At most {MAX_EXPLANATION} characters.")
    locked.violation_explanation = text
    locked.explained_at = now
    locked.save(update_fields=["violation_explanation", "explained_at"])
    publish_quiz_event(
        locked.quiz_id,
        "violation_explained",
        {"attempt_id": str(locked.pk), "student_id": str(locked.student_id), "explanation": text},
    )
    return locked


@transaction.atomic
def attempt_flag(*, attempt: QuizAttempt, by, question_id, flagged: bool) -> list[str]:
    """Issue 16: the student flags (or unflags) one of the attempt's questions for review before submitting.
    Only while the attempt runs, only its own questions. Returns the flags, in the attempt's order."""
    locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if by is None or locked.student_id != by.pk:
        raise AttemptError("Only the student taking this quiz can flag its questions.", status_code=403)
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise AttemptError("This attempt has ended; its flags can no longer change.", status_code=409, code="ended")
    qid = str(question_id or "")
    order = [str(q) for q in locked.question_order or []]
    if qid not in order:
        raise AttemptError("This question is not part of your quiz.", status_code=400, code="unknown_question")
    flags = set(locked.review_flags or [])
    flags = flags | {qid} if flagged else flags - {qid}
    locked.review_flags = [q for q in order if q in flags]
    locked.save(update_fields=["review_flags"])
    return locked.review_flags
