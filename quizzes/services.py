"""Writes of the quizzes app: the question bank, quizzes, publishing and access codes.

Every service is keyword-only, atomic and takes the acting user `by`; the API, the pages and the CSV import call
the same functions. Rules of a question type live in `Question.clean()`; rules of a quiz's life cycle live here
and are raised as `QuizError` (the API turns it into a 4xx with `detail`, pages into a message).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib import import_module
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role, Teacher, User
from accounts.services import audit_record, notify
from classrooms.models import SchoolClass
from quizsite.errors import DomainError
from quizsite.tabular import read_table
from quizzes import models as quiz_models
from quizzes.models import Difficulty, Question, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus
from quizzes.signals import announce_results_changed

logger = logging.getLogger(__name__)


class QuizError(DomainError):
    """A rule of the question bank or of a quiz's life cycle was broken."""


QUESTION_FIELDS = (
    "text",
    "type",
    "topic",
    "difficulty",
    "marks",
    "options",
    "correct_answer",
    "accepted_answers",
    "case_sensitive",
    "sample_answer",
    "marking_rubric",
)
# The fields a type may own; when the type of a question changes the ones the new type does not own are reset.
TYPE_FIELDS = ("options", "correct_answer", "accepted_answers", "case_sensitive", "sample_answer", "marking_rubric")
TYPE_FIELD_DEFAULTS: dict[str, Any] = {
    "options": None,
    "correct_answer": None,
    "accepted_answers": [],
    "case_sensitive": False,
    "sample_answer": "",
    "marking_rubric": "",
}
# What decides whether a given answer is right: when one of these changes, submitted attempts need regrading.
# `marks` is included because a question's marks are part of every submitted attempt's score.
ANSWER_KEY_FIELDS = ("type", "options", "correct_answer", "accepted_answers", "case_sensitive", "marks")

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
)
NULLABLE_QUIZ_SETTINGS = ("start_date", "end_date", "description", "grace_period_seconds")
ACCESS_CODE_TRIES = 10


# --- helpers ---------------------------------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def _question_snapshot(question: Question) -> dict:
    return {f: getattr(question, f) for f in QUESTION_FIELDS}


def _quiz_snapshot(quiz: Quiz) -> dict:
    data = {f: getattr(quiz, f) for f in QUIZ_SETTINGS}
    data["status"] = quiz.status
    return data


def _validate_question(question: Question) -> None:
    # Question.clean() covers the database's CHECK constraints, so the per-constraint queries are skipped.
    question.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)


def _owner_for(*, by: User, owner: Teacher | None) -> Teacher:
    """Whose bank or quiz a new object belongs to: a teacher's own; an admin must name the teacher."""
    if by.role == Role.TEACHER:
        if owner is not None and owner.pk != by.pk:
            raise QuizError("Teachers create questions and quizzes for themselves only.", status_code=403)
        try:
            return by.teacher
        except Teacher.DoesNotExist:
            raise QuizError("Your account has no teacher profile.", status_code=403) from None
    if _is_admin(by):
        if owner is None:
            raise QuizError(
                "Administrators must say which teacher owns it: send created_by (a teacher id).", code="owner_required"
            )
        return owner
    raise QuizError("Only teachers and administrators can do this.", status_code=403)


def quiz_has_attempts(quiz: Quiz) -> bool:
    return quiz.attempts.exists()


def _question_used_by_attempted_quiz(question: Question) -> bool:
    from attempts.models import QuizAttempt

    return QuizAttempt.objects.filter(quiz__quiz_questions__question=question).exists()


def _regrade_hook():
    """grading.services.question_answer_key_changed(question_id, by_id), if the grading app provides it."""
    try:
        module = import_module("grading.services")
    except ImportError:
        return None
    return getattr(module, "question_answer_key_changed", None)


# --- questions -------------------------------------------------------------------------------------------------


@transaction.atomic
def question_create(*, by: User, data: dict, owner: Teacher | None = None, request=None) -> Question:
    teacher = _owner_for(by=by, owner=owner)
    fields = {k: v for k, v in data.items() if k in QUESTION_FIELDS}
    for key, default in TYPE_FIELD_DEFAULTS.items():
        if fields.get(key) is None:
            fields[key] = default
    fields.setdefault("difficulty", Difficulty.MEDIUM)
    question = Question(created_by=teacher, **fields)
    _validate_question(question)
    question.save()
    audit_record(action="question.create", by=by, entity=question, new=_question_snapshot(question), request=request)
    return question


@transaction.atomic
def question_update(*, question: Question, by: User, data: dict, request=None) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    before = _question_snapshot(question)
    fields = {k: v for k, v in data.items() if k in QUESTION_FIELDS}
    new_type = fields.get("type", question.type)
    if new_type != question.type:
        # Attempts in progress fixed each question's type when they started (attempts' question_meta), so an
        # attempted quiz freezes the type even before anyone answered this question.
        if question.answers.exists() or _question_used_by_attempted_quiz(question):
            raise QuizError(
                "Students have already answered this question, so its type cannot change. "
                "Create a new question instead.",
                status_code=409,
            )
        # A new type starts from a clean slate for the fields the caller did not send.
        for key, default in TYPE_FIELD_DEFAULTS.items():
            if key not in fields:
                setattr(question, key, default)
    old_option_count = len(question.options) if isinstance(question.options, list) else 0
    for key, value in fields.items():
        if value is None and key in TYPE_FIELD_DEFAULTS:
            value = TYPE_FIELD_DEFAULTS[key]
        setattr(question, key, value)
    _validate_question(question)
    new_option_count = len(question.options) if isinstance(question.options, list) else 0
    if new_option_count != old_option_count and _question_used_by_attempted_quiz(question):
        # Answers (saved, submitted, and the shuffled option order of attempts in progress) point at options by
        # position: adding or removing one would change what students chose, or break an exam mid-way.
        raise QuizError(
            "Students have already attempted a quiz with this question, so its number of options cannot change. "
            "You can still reword the options or correct the answer; or create a new question.",
            status_code=409,
            code="question_in_use",
        )
    after = _question_snapshot(question)
    changed = {k: after[k] for k in QUESTION_FIELDS if after[k] != before[k]}
    if not changed:
        return question
    question.save()
    key_changed = any(k in changed for k in ANSWER_KEY_FIELDS)
    audit_record(
        action="question.update",
        by=by,
        entity=question,
        old={k: before[k] for k in changed},
        new={**changed, "answer_key_changed": key_changed},
        request=request,
    )
    if key_changed and _question_used_by_attempted_quiz(question):
        hook = _regrade_hook()
        if hook is not None:
            question_id, by_id = question.id, by.id
            transaction.on_commit(lambda: hook(question_id, by_id))
        else:
            logger.warning("answer key of question %s changed; no regrade hook is installed", question.id)
    return question


@transaction.atomic
def question_delete(*, question: Question, by: User, request=None) -> None:
    from attempts.models import QuizAttempt

    titles = list(
        Quiz.objects.filter(quiz_questions__question=question)
        .filter(pk__in=QuizAttempt.objects.values("quiz_id"))
        .values_list("title", flat=True)
        .distinct()
    )
    if titles or question.answers.exists():
        used = ", ".join(f"“{t}”" for t in titles[:5]) or "a quiz"
        raise QuizError(
            f"This question is used by {used}, which students have already attempted; it cannot be deleted.",
            status_code=409,
            code="question_in_use",
        )
    quiz_ids = list(QuizQuestion.objects.filter(question=question).values_list("quiz_id", flat=True))
    snapshot = _question_snapshot(question)
    audit_record(action="question.delete", by=by, entity=question, old=snapshot, request=request)
    question.delete()
    for quiz_id in quiz_ids:
        _renumber(quiz_id)


def _renumber(quiz_id) -> None:
    """Keep order_index contiguous from 0 after a question left a quiz."""
    links = list(QuizQuestion.objects.filter(quiz_id=quiz_id).order_by("order_index"))
    changed = [link for index, link in enumerate(links) if link.order_index != index]
    if not changed:
        return
    # Two passes so the (quiz, order_index) unique constraint never sees a duplicate in between.
    offset = len(links) + 1000
    for link in changed:
        link.order_index += offset
    QuizQuestion.objects.bulk_update(changed, ["order_index"])
    for index, link in enumerate(links):
        link.order_index = index
    QuizQuestion.objects.bulk_update(changed, ["order_index"])


# --- CSV import of questions -----------------------------------------------------------------------------------

IMPORT_REQUIRED_COLUMNS = ("text", "type")
IMPORT_COLUMNS = (
    "text",
    "type",
    "topic",
    "difficulty",
    "marks",
    "options",
    "correct_answer",
    "accepted_answers",
    "sample_answer",
    "marking_rubric",
)
TYPE_ALIASES = {
    "mcq": QuestionType.MCQ,
    "multiple_choice": QuestionType.MCQ,
    "multiple choice": QuestionType.MCQ,
    "true_false": QuestionType.TRUE_FALSE,
    "true/false": QuestionType.TRUE_FALSE,
    "truefalse": QuestionType.TRUE_FALSE,
    "true false": QuestionType.TRUE_FALSE,
    "short_answer": QuestionType.SHORT_ANSWER,
    "short answer": QuestionType.SHORT_ANSWER,
    "descriptive": QuestionType.DESCRIPTIVE,
    "essay": QuestionType.DESCRIPTIVE,
}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def _row_to_question(row: dict, teacher: Teacher) -> Question:
    """Build (unsaved) one question from a CSV row; ValidationError or ValueError says what is wrong."""
    type_cell = (row.get("type") or "").strip().lower()
    qtype = TYPE_ALIASES.get(type_cell)
    if qtype is None:
        raise ValueError(f"type: unknown type “{row.get('type', '')}” (use mcq, true_false, short_answer, descriptive)")
    marks_cell = (row.get("marks") or "").strip()
    try:
        marks = int(float(marks_cell)) if marks_cell else 1
        if marks_cell and float(marks_cell) != marks:
            raise ValueError
    except ValueError:
        raise ValueError(f"marks: “{marks_cell}” is not a whole number") from None
    difficulty = (row.get("difficulty") or "").strip().lower() or Difficulty.MEDIUM
    options = _split(row.get("options", "")) or None
    correct_cell = (row.get("correct_answer") or "").strip()
    correct: int | None = None
    if correct_cell:
        if qtype == QuestionType.TRUE_FALSE and correct_cell.lower() in ("true", "false"):
            correct = 0 if correct_cell.lower() == "true" else 1
        elif correct_cell.lstrip("-").isdigit():
            correct = int(correct_cell)
        elif options and correct_cell.casefold() in [o.casefold() for o in options]:
            correct = [o.casefold() for o in options].index(correct_cell.casefold())
        else:
            raise ValueError(f"correct_answer: “{correct_cell}” is neither an option index (0 = first) nor an option")
    question = Question(
        created_by=teacher,
        text=row.get("text", ""),
        type=qtype,
        topic=row.get("topic", ""),
        difficulty=difficulty,
        marks=marks,
        options=options,
        correct_answer=correct,
        accepted_answers=_split(row.get("accepted_answers", "")),
        sample_answer=(row.get("sample_answer") or "").strip(),
        marking_rubric=(row.get("marking_rubric") or "").strip(),
    )
    _validate_question(question)
    return question


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@transaction.atomic
def question_bulk_import(
    *, by: User, upload, owner: Teacher | None = None, dry_run: bool = False, request=None
) -> dict:
    """Import questions from a CSV/XLSX file into a teacher's bank.

    Valid rows are imported (in one transaction, with one bulk insert); invalid rows are reported as
    {row, error} with the row number a spreadsheet shows. A file that cannot be read or lacks the required
    columns is refused with a QuizError/TableError and nothing is written. A row repeating a question already
    in the bank (same text and type) is reported rather than imported twice, so a corrected file can be
    re-imported safely.
    """
    teacher = _owner_for(by=by, owner=owner)
    headers, rows = read_table(upload, max_rows=5000)
    missing = [c for c in IMPORT_REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise QuizError(
            f"The file lacks the required column(s): {', '.join(missing)}. "
            f"Expected columns: {', '.join(IMPORT_COLUMNS)}.",
            code="missing_columns",
        )
    existing = {
        (" ".join(text.split()).casefold(), qtype)
        for text, qtype in Question.objects.filter(created_by=teacher).values_list("text", "type")
    }
    valid: list[Question] = []
    errors: list[dict] = []
    for row in rows:
        number = row["__row__"]
        try:
            question = _row_to_question(row, teacher)
        except (ValidationError, ValueError) as exc:
            errors.append({"row": number, "error": _error_text(exc)})
            continue
        key = (" ".join(question.text.split()).casefold(), question.type)
        if key in existing:
            errors.append(
                {"row": number, "error": "text: the same question is already in the bank (or earlier in the file)."}
            )
            continue
        existing.add(key)
        valid.append(question)
    if not dry_run and valid:
        Question.objects.bulk_create(valid, batch_size=500)
        audit_record(
            action="question.bulk_import",
            by=by,
            entity_type="question",
            new={"owner": str(teacher.pk), "imported": len(valid), "failed": len(errors)},
            request=request,
        )
    if dry_run:
        message = f"Dry run: {len(valid)} question(s) would be imported, {len(errors)} row(s) have errors."
    else:
        message = f"{len(valid)} question(s) imported, {len(errors)} row(s) failed."
    # The same report as the student import (classrooms): a dry run imports nothing and says what it would import.
    return {
        "message": message,
        "dry_run": dry_run,
        "total_rows": len(rows),
        "imported": 0 if dry_run else len(valid),
        "would_import": len(valid),
        "failed": len(errors),
        "errors": errors,
    }


# --- quizzes ---------------------------------------------------------------------------------------------------


def _resolve_classes(*, by: User, quiz_owner: Teacher, class_ids: Sequence) -> list[SchoolClass]:
    ids = list(dict.fromkeys(str(c) for c in class_ids))
    qs = SchoolClass.objects.filter(pk__in=ids)
    if not _is_admin(by):
        # A teacher assigns quizzes to the classes they teach, nowhere else.
        qs = qs.filter(teacher_links__teacher=quiz_owner)
    found = {str(c.pk): c for c in qs}
    unknown = [c for c in ids if c not in found]
    if unknown:
        raise ValidationError({"class_ids": f"Unknown class, or not one of your classes: {', '.join(unknown)}."})
    return [found[c] for c in ids]


def _resolve_questions(*, by: User, items: Sequence[dict]) -> list[tuple[Question, int | None]]:
    """items: [{"id": ..., "marks_override": int|None}] in quiz order."""
    ids = [str(item["id"]) for item in items]
    if len(set(ids)) != len(ids):
        raise ValidationError({"question_ids": "A question can be in a quiz only once."})
    found = {str(q.pk): q for q in Question.objects.visible_to(by).filter(pk__in=ids)}
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


def _validate_quiz(quiz: Quiz) -> None:
    errors = {}
    if quiz.start_date and quiz.end_date and quiz.end_date <= quiz.start_date:
        errors["end_date"] = "The end date must be after the start date."
    if quiz.violation_threshold is not None and quiz.violation_threshold <= 0:
        errors["violation_threshold"] = "The violation threshold must be at least 1."
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
    owner: Teacher | None = None,
    class_ids: Sequence | None = None,
    question_ids: Sequence | None = None,
    questions: Sequence[dict] | None = None,
    request=None,
) -> Quiz:
    teacher = _owner_for(by=by, owner=owner)
    settings_data = {k: v for k, v in data.items() if k in QUIZ_SETTINGS and v is not None}
    quiz = Quiz(created_by=teacher, status=QuizStatus.DRAFT, **settings_data)
    _validate_quiz(quiz)
    classes = _resolve_classes(by=by, quiz_owner=teacher, class_ids=class_ids or [])
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
        _set_classes(quiz, _resolve_classes(by=by, quiz_owner=quiz.created_by, class_ids=class_ids))
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
    from django.db.models import Case, Value, When

    from attempts.models import QuizAttempt

    updated = QuizAttempt.objects.filter(quiz=quiz, passed__isnull=False, percentage__isnull=False).update(
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
    if not quiz.quiz_questions.exists():
        problems.append("Add at least one question before publishing.")
    if not quiz.class_links.exists():
        problems.append("Assign the quiz to at least one class before publishing.")
    if quiz.end_date and quiz.end_date <= now:
        problems.append("The end date has passed; move it into the future before publishing.")
    return problems


def _entry_link() -> str:
    try:
        return reverse("attempts:enter")
    except NoReverseMatch:
        return ""


@transaction.atomic
def quiz_publish(*, quiz: Quiz, by: User, request=None) -> Quiz:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == QuizStatus.PUBLISHED:
        return quiz  # publishing twice changes nothing and notifies nobody again
    problems = publish_problems(quiz)
    if problems:
        raise QuizError(" ".join(problems), code="cannot_publish")
    old_status = quiz.status
    quiz.status = QuizStatus.PUBLISHED
    quiz.save(update_fields=["status", "updated_at"])
    students = User.objects.filter(
        is_active=True, student__school_class__quiz_links__quiz=quiz, role=Role.STUDENT
    ).distinct()
    when = ""
    if quiz.start_date:
        when = f" It opens {timezone.localtime(quiz.start_date):%d %b %Y %H:%M}."
    notified = notify(
        users=list(students),
        type="quiz_published",
        title=f"New quiz: {quiz.title}",
        message=f"{quiz.subject}: “{quiz.title}” ({quiz.time_limit_minutes} minutes) has been published.{when}",
        link=_entry_link(),
    )
    audit_record(
        action="quiz.publish",
        by=by,
        entity=quiz,
        old={"status": old_status},
        new={"status": quiz.status, "notified": notified},
        request=request,
    )
    return quiz


@transaction.atomic
def quiz_archive(*, quiz: Quiz, by: User, request=None) -> Quiz:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.status == QuizStatus.ARCHIVED:
        return quiz
    old_status = quiz.status
    quiz.status = QuizStatus.ARCHIVED
    quiz.save(update_fields=["status", "updated_at"])
    audit_record(
        action="quiz.archive",
        by=by,
        entity=quiz,
        old={"status": old_status},
        new={"status": quiz.status},
        request=request,
    )
    from quizsite.live import publish_quiz_event  # noqa: PLC0415

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
    old_status = quiz.status
    quiz.status = QuizStatus.DRAFT
    quiz.save(update_fields=["status", "updated_at"])
    audit_record(
        action="quiz.unpublish",
        by=by,
        entity=quiz,
        old={"status": old_status},
        new={"status": quiz.status},
        request=request,
    )
    return quiz


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
