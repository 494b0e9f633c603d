"""The question bank: creating, editing and deleting questions, and what freezes a question once students used it.

The rules of each question type live in `Question.clean()`; the rules that depend on attempts live here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.services import audit_record
from quizzes import types as question_types
from quizzes.models import WORDING_FIELDS, Difficulty, Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.services.base import QuizError, resolve_owner
from quizzes.signals import announce_answer_key_changed

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
    "details",
    "general_feedback",
    "tags",  # issue 16
)
# The fields a type may own; when the type of a question changes the ones the new type does not own are reset.
TYPE_FIELD_DEFAULTS: dict[str, Any] = {
    "options": None,
    "correct_answer": None,
    "accepted_answers": [],
    "case_sensitive": False,
    "sample_answer": "",
    "marking_rubric": "",
    "details": {},
}
# What decides whether a given answer is right: when one of these changes, submitted attempts need regrading.
# `marks` is included because a question's marks are part of every submitted attempt's score.
ANSWER_KEY_FIELDS = ("type", "options", "correct_answer", "accepted_answers", "case_sensitive", "marks", "details")


def _question_snapshot(question: Question) -> dict:
    return {f: getattr(question, f) for f in QUESTION_FIELDS}


def validate_question(question: Question) -> None:
    # Question.clean() covers the database's CHECK constraints, so the per-constraint queries are skipped.
    question.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)


def _quizzes_attempted_with(question: Question):
    """The quizzes holding this question that students have attempted (attempts reached through the reverse
    relation: the attempts app sits above this one)."""
    # Issue 16: or drew it through a random slot (the attempts' drawn_questions).
    return Quiz.objects.filter(
        Q(quiz_questions__question=question, attempts__isnull=False) | Q(attempts__drawn_questions__question=question)
    ).distinct()


def _question_used_by_attempted_quiz(question: Question) -> bool:
    return _quizzes_attempted_with(question).exists()


@transaction.atomic
def question_create(*, by: User, data: dict, owner_id: UUID | str | None = None, request=None) -> Question:
    teacher = resolve_owner(by=by, owner_id=owner_id)
    fields = {k: v for k, v in data.items() if k in QUESTION_FIELDS}
    for key, default in TYPE_FIELD_DEFAULTS.items():
        if fields.get(key) is None:
            fields[key] = default
    fields.setdefault("difficulty", Difficulty.MEDIUM)
    question = Question(created_by=teacher, **fields)
    validate_question(question)
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
    module = question_types.module_for(question.type)
    old_shape = module.meta(question) if module is not None and new_type == question.type else None
    for key, value in fields.items():
        if value is None and key in TYPE_FIELD_DEFAULTS:
            value = TYPE_FIELD_DEFAULTS[key]
        setattr(question, key, value)
    validate_question(question)
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
    if old_shape is not None and module.meta(question) != old_shape and _question_used_by_attempted_quiz(question):
        # Saved answers name the items, answers and blanks by their text or number: renaming one would turn the
        # answers students gave into wrong ones.
        raise QuizError(
            "Students have already attempted a quiz with this question, so its items, answers or blanks cannot be "
            "renamed, added or removed. You can still change the marks, the scoring and the key; or create a new "
            "question.",
            status_code=409,
            code="question_in_use",
        )
    after = _question_snapshot(question)
    changed = {k: after[k] for k in QUESTION_FIELDS if after[k] != before[k]}
    if not changed:
        return question
    worded = any(k in changed for k in WORDING_FIELDS) or (
        (before.get("details") or {}).get("feedback") != (after.get("details") or {}).get("feedback")
    )
    if worded and _question_used_by_attempted_quiz(question):
        # Earlier attempts keep the wording they were taken with (issue 15).
        QuestionVersion.objects.create(
            question=question,
            number=question.versions.count() + 1,
            text=before["text"],
            options=before["options"],
            option_feedback=list((before.get("details") or {}).get("feedback") or []),
            general_feedback=before.get("general_feedback") or "",
            replaced_by=by,
        )
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
        announce_answer_key_changed(question.id, by.id)
    return question


@transaction.atomic
def question_delete(*, question: Question, by: User, request=None) -> None:
    titles = list(_quizzes_attempted_with(question).values_list("title", flat=True).distinct())
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
