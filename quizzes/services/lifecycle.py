"""The life of a quiz: creating and editing it (settings, classes, questions), its access code, publishing with the
students' notifications, archiving, turning it back into a draft, deleting it, and a pass mark that moves after
results were given. Once students attempted a quiz its classes and questions are frozen (`QuizError` 409).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, notify
from classrooms.models import SchoolClass
from quizsite.live import publish_quiz_event
from quizzes import models as quiz_models
from quizzes.models import Question, Quiz, QuizClass, QuizQuestion, QuizStatus
from quizzes.selectors import quiz_class_choices, slot_pools
from quizzes.services.base import QuizError, resolve_owner
from quizzes.signals import announce_results_changed

QUIZ_SETTINGS = (
    "title",
    "subject",
    "description",
    "time_limit_minutes",
    "start_date",
    "end_date",
    "passing_percentage",
    "max_attempts",
    "show_answers_after_submission",
    "randomize_questions",
    "randomize_options",
    "allow_review",
    "violation_threshold",
    "grace_period_seconds",
    # Issue 17: the violation policy.
    "violation_action",
    "violation_tolerance_seconds",
    "violation_weights",
    # Issue 17: the access rules (staff see them; attempts.access checks them).
    "allowed_networks",
    "seb_config_keys",
    "seb_browser_exam_keys",
    "single_session",
    "network_password",
    "negative_marking_percent",
)
ACCESS_RULE_SETTINGS = ("allowed_networks", "seb_config_keys", "seb_browser_exam_keys")
NULLABLE_QUIZ_SETTINGS = ("start_date", "end_date", "description", "grace_period_seconds")
ACCESS_CODE_TRIES = 10
# The attempts app's violation types, named here (the quizzes app sits below attempts and cannot import them).
VIOLATION_TYPES = (
    "tab_switch",
    "fullscreen_exit",
    "copy_attempt",
    "paste_attempt",
    "right_click",
    "focus_lost",
    "multiple_windows",
)


def _quiz_snapshot(quiz: Quiz) -> dict:
    data = {f: getattr(quiz, f) for f in QUIZ_SETTINGS}
    data["status"] = quiz.status
    return data


def quiz_has_attempts(quiz: Quiz) -> bool:
    return quiz.attempts.exists()


def _resolve_classes(*, by: User, class_ids: Sequence) -> list[SchoolClass]:
    ids = list(dict.fromkeys(str(c) for c in class_ids))
    found = {str(c.pk): c for c in quiz_class_choices(user=by).filter(pk__in=ids)}
    unknown = [c for c in ids if c not in found]
    if unknown:
        raise ValidationError({"class_ids": f"Unknown class, or not one of your classes: {', '.join(unknown)}."})
    return [found[c] for c in ids]


def _resolve_questions(*, by: User, items: Sequence[dict]) -> list[tuple[Question, int | None]]:
    """items: [{"id": ..., "marks_override": int|None}] in quiz order."""
    ids = [str(item["id"]) for item in items]
    if len(set(ids)) != len(ids):
        raise ValidationError({"question_ids": "A question can be in a quiz only once."})
    found = {str(q.pk): q for q in Question.objects.manageable_by(by).filter(pk__in=ids)}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise ValidationError({"question_ids": f"Not in your question bank: {', '.join(unknown)}."})
    result = []
    for item in items:
        override = item.get("marks_override")
        if override is not None and (not isinstance(override, int) or isinstance(override, bool) or override <= 0):
            raise ValidationError({"questions": "marks_override must be a whole number greater than 0 (or null)."})
        result.append((found[str(item["id"])], override))
    return result


def _normalise_question_items(question_ids: Iterable | None, questions: Iterable | None) -> list[dict] | None:
    if questions is not None:
        return [dict(item) for item in questions]
    if question_ids is not None:
        return [{"id": qid, "marks_override": None} for qid in question_ids]
    return None


def _assert_editable_structure(quiz: Quiz, what: str) -> None:
    if quiz_has_attempts(quiz):
        raise QuizError(
            f"Students have already attempted this quiz, so its {what} can no longer change.",
            status_code=409,
            code="quiz_frozen",
        )


def _set_classes(quiz: Quiz, classes: list[SchoolClass]) -> None:
    current = set(QuizClass.objects.filter(quiz=quiz).values_list("school_class_id", flat=True))
    wanted = {c.pk for c in classes}
    if current == wanted:
        return
    _assert_editable_structure(quiz, "classes")
    QuizClass.objects.filter(quiz=quiz).exclude(school_class_id__in=wanted).delete()
    QuizClass.objects.bulk_create([QuizClass(quiz=quiz, school_class=c) for c in classes if c.pk not in current])


def _set_questions(quiz: Quiz, resolved: list[tuple[Question, int | None]]) -> None:
    current = list(
        QuizQuestion.objects.filter(quiz=quiz).order_by("order_index").values_list("question_id", "marks_override")
    )
    wanted = [(q.pk, override) for q, override in resolved]
    if current == wanted:
        return
    _assert_editable_structure(quiz, "questions")
    QuizQuestion.objects.filter(quiz=quiz).delete()
    QuizQuestion.objects.bulk_create(
        [
            QuizQuestion(quiz=quiz, question=q, order_index=index, marks_override=override)
            for index, (q, override) in enumerate(resolved)
        ]
    )


MAX_VIOLATION_WEIGHT = 10
MAX_TOLERANCE_SECONDS = 60


def _violation_policy_problem(quiz: Quiz) -> dict | None:
    """Issue 17: the violation policy's rules (action, tolerance, per-type weights 0..10)."""
    if quiz.violation_action not in quiz_models.ViolationAction.values:
        return {"violation_action": "The action must be flag or auto_submit."}
    try:
        tolerance = Decimal(str(quiz.violation_tolerance_seconds))
    except (InvalidOperation, ValueError):
        return {"violation_tolerance_seconds": "The tolerance must be a number of seconds."}
    if not tolerance.is_finite() or not 0 <= tolerance <= MAX_TOLERANCE_SECONDS:
        return {"violation_tolerance_seconds": f"The tolerance must be between 0 and {MAX_TOLERANCE_SECONDS} seconds."}
    weights = quiz.violation_weights if quiz.violation_weights is not None else {}
    if not isinstance(weights, dict):
        return {"violation_weights": 'Weights must be an object such as {"copy_attempt": 0}.'}
    for key, value in weights.items():
        if key not in VIOLATION_TYPES:
            return {"violation_weights": f"Unknown violation type {key!r}; known: {', '.join(VIOLATION_TYPES)}."}
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VIOLATION_WEIGHT:
            return {"violation_weights": f"A weight is a whole number from 0 to {MAX_VIOLATION_WEIGHT}."}
    return None


SEB_KEY_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_RULE_ENTRIES = 50


def _access_rules_problems(quiz: Quiz) -> dict:
    """Issue 17: networks are CIDRs or addresses (IPv4/IPv6), normalised; SEB keys are 64 hex digits, lower-cased."""
    errors = {}
    networks = quiz.allowed_networks if quiz.allowed_networks is not None else []
    if not isinstance(networks, list) or len(networks) > MAX_RULE_ENTRIES:
        errors["allowed_networks"] = f"Allowed networks must be a list of at most {MAX_RULE_ENTRIES} CIDR ranges."
    else:
        cleaned = []
        for value in networks:
            try:
                cleaned.append(str(ipaddress.ip_network(str(value).strip(), strict=False)))
            except ValueError:
                errors["allowed_networks"] = f"{value!r} is not an IP address or CIDR range (e.g. 192.0.2.0/24)."
                break
        else:
            quiz.allowed_networks = list(dict.fromkeys(cleaned))
    for field in ("seb_config_keys", "seb_browser_exam_keys"):
        keys = getattr(quiz, field)
        keys = keys if keys is not None else []
        if not isinstance(keys, list) or len(keys) > MAX_RULE_ENTRIES:
            errors[field] = f"At most {MAX_RULE_ENTRIES} keys, as a list."
            continue
        cleaned = [str(k).strip().lower() for k in keys]
        if any(not SEB_KEY_RE.match(k) for k in cleaned):
            errors[field] = "A Safe Exam Browser key is 64 hexadecimal characters (SEB's config tool shows it)."
        else:
            setattr(quiz, field, list(dict.fromkeys(cleaned)))
    return errors


def _validate_quiz(quiz: Quiz) -> None:
    errors = {}
    if quiz.start_date and quiz.end_date and quiz.end_date <= quiz.start_date:
        errors["end_date"] = "The end date must be after the start date."
    if quiz.violation_threshold is not None and quiz.violation_threshold <= 0:
        errors["violation_threshold"] = "The violation threshold must be at least 1."
    if problem := _violation_policy_problem(quiz):
        errors.update(problem)
    errors.update(_access_rules_problems(quiz))
    if quiz.max_attempts is not None and quiz.max_attempts <= 0:
        errors["max_attempts"] = "Max attempts must be at least 1."
    if quiz.time_limit_minutes is not None and quiz.time_limit_minutes <= 0:
        errors["time_limit_minutes"] = "The time limit must be at least 1 minute."
    try:
        quiz.full_clean(exclude=["created_by", "access_code"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _save_with_fresh_code(quiz: Quiz) -> None:
    """Insert a quiz with a new random access code, drawing again on the (rare) collision."""
    for _ in range(ACCESS_CODE_TRIES):
        quiz.access_code = quiz_models.generate_access_code()
        try:
            with transaction.atomic():
                quiz.save(force_insert=True)
            return
        except IntegrityError:
            if not Quiz.objects.filter(access_code=quiz.access_code).exists():
                raise
            quiz._state.adding = True
    raise QuizError("Could not generate a unique access code; please try again.", status_code=503)


@transaction.atomic
def quiz_create(
    *,
    by: User,
    data: dict,
    owner_id: UUID | str | None = None,
    class_ids: Sequence | None = None,
    question_ids: Sequence | None = None,
    questions: Sequence[dict] | None = None,
    request=None,
) -> Quiz:
    teacher = resolve_owner(by=by, owner_id=owner_id)
    settings_data = {k: v for k, v in data.items() if k in QUIZ_SETTINGS and v is not None}
    quiz = Quiz(created_by=teacher, status=QuizStatus.DRAFT, **settings_data)
    _validate_quiz(quiz)
    classes = _resolve_classes(by=by, class_ids=class_ids or [])
    items = _normalise_question_items(question_ids, questions) or []
    resolved = _resolve_questions(by=by, items=items)
    _save_with_fresh_code(quiz)
    _set_classes(quiz, classes)
    _set_questions(quiz, resolved)
    audit_record(
        action="quiz.create",
        by=by,
        entity=quiz,
        new={**_quiz_snapshot(quiz), "class_ids": [c.pk for c in classes], "question_ids": [q.pk for q, _ in resolved]},
        request=request,
    )
    return quiz


@transaction.atomic
def quiz_update(
    *,
    quiz: Quiz,
    by: User,
    data: dict,
    class_ids: Sequence | None = None,
    question_ids: Sequence | None = None,
    questions: Sequence[dict] | None = None,
    request=None,
) -> Quiz:
    """Partial update. Questions and classes are replaced only when given, and only while nobody attempted the
    quiz (a resubmitted identical list is fine). A `status` in data goes through publish/archive/unpublish."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    before = _quiz_snapshot(quiz)
    for key, value in data.items():
        if key in QUIZ_SETTINGS:
            if value is None and key not in NULLABLE_QUIZ_SETTINGS:
                continue
            setattr(quiz, key, "" if (key == "description" and value is None) else value)
    _validate_quiz(quiz)
    if class_ids is not None:
        _set_classes(quiz, _resolve_classes(by=by, class_ids=class_ids))
    items = _normalise_question_items(question_ids, questions)
    if items is not None:
        _set_questions(quiz, _resolve_questions(by=by, items=items))
    quiz.save()
    after = _quiz_snapshot(quiz)
    changed = {k: v for k, v in after.items() if v != before[k]}
    if "passing_percentage" in changed:
        _redecide_passed(quiz)
    if changed or class_ids is not None or items is not None:
        audit_record(
            action="quiz.update",
            by=by,
            entity=quiz,
            old={k: before[k] for k in changed},
            new={
                **changed,
                **({"class_ids": [str(c) for c in class_ids]} if class_ids is not None else {}),
                **({"questions": [str(i["id"]) for i in items]} if items is not None else {}),
            },
            request=request,
        )
    status = data.get("status")
    if status and status != quiz.status:
        quiz = quiz_set_status(quiz=quiz, by=by, status=status, request=request)
    return quiz


def _redecide_passed(quiz: Quiz) -> int:
    """A new pass mark applies to the results already given: every marked attempt's pass/fail is decided again
    from its stored percentage (attempts.scoring decides it the same way), and the analytics follow."""
    updated = quiz.attempts.filter(passed__isnull=False, percentage__isnull=False).update(
        passed=Case(When(percentage__gte=quiz.passing_percentage, then=Value(True)), default=Value(False))
    )
    if updated:
        announce_results_changed(quiz.pk)
    return updated


@transaction.atomic
def quiz_set_status(*, quiz: Quiz, by: User, status: str, request=None) -> Quiz:
    if status == QuizStatus.PUBLISHED:
        return quiz_publish(quiz=quiz, by=by, request=request)
    if status == QuizStatus.ARCHIVED:
        return quiz_archive(quiz=quiz, by=by, request=request)
    if status == QuizStatus.DRAFT:
        return quiz_unpublish(quiz=quiz, by=by, request=request)
    raise ValidationError({"status": f"Status must be one of: {', '.join(QuizStatus.values)}."})


def publish_problems(quiz: Quiz, *, now=None) -> list[str]:
    """Why this quiz cannot be published yet (empty list: it can). Used by the page to show a checklist."""
    now = now or timezone.now()
    problems = []
    pools = slot_pools(quiz)  # issue 16: random slots count as questions, and each needs a pool large enough
    if not quiz.quiz_questions.exists() and not pools:
        problems.append("Add at least one question before publishing.")
    for pool in pools:
        if not pool.enough:
            problems.append(
                f"{pool.slot.label}: the bank has only {pool.size} matching question{'s' if pool.size != 1 else ''}, "
                f"fewer than the {pool.slot.count} it draws. Add questions to the bank or lower the count."
            )
    if not quiz.class_links.exists():
        problems.append("Assign the quiz to at least one class before publishing.")
    if quiz.end_date and quiz.end_date <= now:
        problems.append("The end date has passed; move it into the future before publishing.")
    return problems


def _set_status(quiz: Quiz, status: str, *, action: str, by: User, request, **audit_extra) -> Quiz:
    old_status = quiz.status
    quiz.status = status
    quiz.save(update_fields=["status", "updated_at"])
    audit_record(
        action=f"quiz.{action}",
        by=by,
        entity=quiz,
        old={"status": old_status},
        new={"status": quiz.status, **audit_extra},
        request=request,
    )
    return quiz


def _notify_published(quiz: Quiz) -> int:
    """Tell the students of the quiz's classes that it is out (and when it opens). Returns how many were told."""
    students = User.objects.students().filter(is_active=True, student__school_class__quiz_links__quiz=quiz).distinct()
    when = ""
    if quiz.start_date:
        when = f" It opens {timezone.localtime(quiz.start_date):%d %b %Y %H:%M}."
    return notify(
        users=list(students),
        type="quiz_published",
        title=f"New quiz: {quiz.title}",
        message=f"{quiz.subject}: “{quiz.title}” ({quiz.time_limit_minutes} minutes) has been published.{when}",
        link=reverse("attempts:enter"),
    )


@transaction.atomic
def quiz_publish(*, quiz: Quiz, by: User, request=None) -> Quiz:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == QuizStatus.PUBLISHED:
        return quiz  # publishing twice changes nothing and notifies nobody again
    problems = publish_problems(quiz)
    if problems:
        raise QuizError(" ".join(problems), code="cannot_publish")
    notified = _notify_published(quiz)
    return _set_status(quiz, QuizStatus.PUBLISHED, action="publish", by=by, request=request, notified=notified)


@transaction.atomic
def quiz_archive(*, quiz: Quiz, by: User, request=None) -> Quiz:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == QuizStatus.ARCHIVED:
        return quiz
    _set_status(quiz, QuizStatus.ARCHIVED, action="archive", by=by, request=request)
    publish_quiz_event(quiz.id, "quiz_archived", {"quiz_id": str(quiz.id)})
    return quiz


@transaction.atomic
def quiz_unpublish(*, quiz: Quiz, by: User, request=None) -> Quiz:
    """Back to draft: only while nobody has attempted it (a quiz published by mistake)."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == QuizStatus.DRAFT:
        return quiz
    if quiz_has_attempts(quiz):
        raise QuizError(
            "Students have already attempted this quiz; archive it instead of turning it back into a draft.",
            status_code=409,
            code="quiz_frozen",
        )
    return _set_status(quiz, QuizStatus.DRAFT, action="unpublish", by=by, request=request)


@transaction.atomic
def quiz_delete(*, quiz: Quiz, by: User, request=None) -> None:
    if quiz_has_attempts(quiz):
        raise QuizError(
            "Students have already attempted this quiz; deleting it would delete their results. Archive it instead.",
            status_code=409,
            code="quiz_has_attempts",
        )
    audit_record(action="quiz.delete", by=by, entity=quiz, old=_quiz_snapshot(quiz), request=request)
    quiz.delete()


@transaction.atomic
def quiz_add_questions(*, quiz: Quiz, by: User, question_ids: Sequence, request=None) -> int:
    """Append bank questions to the end of a quiz (the builder's "add selected"). Returns how many were added."""
    current = list(
        QuizQuestion.objects.filter(quiz=quiz).order_by("order_index").values_list("question_id", "marks_override")
    )
    present = {str(qid) for qid, _ in current}
    new_ids = [str(q) for q in dict.fromkeys(str(q) for q in question_ids) if str(q) not in present]
    if not new_ids:
        return 0
    items = [{"id": qid, "marks_override": override} for qid, override in current] + [
        {"id": qid, "marks_override": None} for qid in new_ids
    ]
    quiz_update(quiz=quiz, by=by, data={}, questions=items, request=request)
    return len(new_ids)


# --- issue 16: random slots ---------------------------------------------------------------------------------------

SLOT_FIELDS = ("count", "marks", "topic", "tag", "difficulty", "type")
MAX_SLOT_COUNT = 100


@transaction.atomic
def quiz_slot_add(*, quiz: Quiz, by: User, data: dict, request=None) -> quiz_models.QuizSlot:
    """Add a random slot at the end of the quiz's slots. Frozen, like the fixed questions, once students attempted
    the quiz. A pool smaller than the count is allowed here (the bank may still grow) and refused at publishing."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    _assert_editable_structure(quiz, "random slots")
    fields = {k: data[k] for k in SLOT_FIELDS if data.get(k) not in (None, "")}
    errors = {}
    count = fields.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SLOT_COUNT:
        errors["count"] = f"How many questions to draw: a whole number from 1 to {MAX_SLOT_COUNT}."
    marks = fields.get("marks", 1)
    if not isinstance(marks, int) or isinstance(marks, bool) or not 1 <= marks <= 1000:
        errors["marks"] = "Marks per drawn question: a whole number from 1 to 1000."
    if errors:
        raise ValidationError(errors)
    if "tag" in fields:
        fields["tag"] = (quiz_models.normalize_tags([fields["tag"]]) or [""])[0]
    last = quiz.slots.order_by("-order_index").values_list("order_index", flat=True).first()
    slot = quiz_models.QuizSlot(quiz=quiz, order_index=0 if last is None else last + 1, **fields)
    slot.full_clean(exclude=["quiz"], validate_unique=False, validate_constraints=False)
    slot.save()
    audit_record(
        action="quiz.slot_add", by=by, entity=quiz, new={k: getattr(slot, k) for k in SLOT_FIELDS}, request=request
    )
    return slot


@transaction.atomic
def quiz_slot_remove(*, quiz: Quiz, slot_id, by: User, request=None) -> None:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    _assert_editable_structure(quiz, "random slots")
    slot = quiz.slots.filter(pk=slot_id).first()
    if slot is None:
        raise QuizError("This quiz has no such random slot.", status_code=404, code="not_found")
    audit_record(
        action="quiz.slot_remove", by=by, entity=quiz, old={k: getattr(slot, k) for k in SLOT_FIELDS}, request=request
    )
    slot.delete()
