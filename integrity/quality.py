"""The question-quality loop (issue 20): a flagged question, why it is flagged, and the one-step fixes.

    question_fix_apply(quiz=..., question=..., by=..., action=..., value=..., reason=...)
    question_fix_undo(fix=..., by=...)

A fix of the key (accept another option or answer, correct the key) changes the question itself, so every finished
attempt that answered it is re-marked, in every quiz that used it (grading's regrade rule: a result never rests on a
key known to be wrong); it needs the right to edit the question. A fix of how the quiz counts the question (full
marks for everyone, drop it from the total) belongs to that quiz and re-marks its attempts only. Either way the
existing regrade path (grading.services.regrade) does the work after commit: scores, pass/fail, the analytics
cache, and a notification to each student whose score changed ("your score changed from 14 to 15 because ...").
Each fix is audited and kept (QuestionFix) with what it replaced, so it can be undone the same way, and the bank
shows the question's history of flags and fixes.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from analytics import selectors as analytics_selectors
from grading.services.regrade import regrade_question
from integrity.models import FixAction, QuestionFix
from integrity.services import IntegrityError
from quizzes.marking import accepted_answers_for
from quizzes.models import OPTION_TYPES, Question, QuestionAdjustment, QuestionType, Quiz, QuizQuestion

KEY_ACTIONS = {FixAction.ACCEPT_OPTION, FixAction.ACCEPT_TEXT, FixAction.CORRECT_OPTION, FixAction.CORRECT_TEXT}
MAX_REASON = 500
MAX_TEXT = 255


def option_letter(index: int) -> str:
    return chr(65 + index) if 0 <= index < 26 else str(index)


def _quiz_link(quiz: Quiz, question: Question, by: User) -> QuizQuestion:
    if not Quiz.objects.manageable_by(by).filter(pk=quiz.pk).exists():
        raise IntegrityError("No such quiz.", status_code=404)
    link = QuizQuestion.objects.select_related("question", "quiz").filter(quiz=quiz, question=question).first()
    if link is None:
        raise IntegrityError("No such question in this quiz.", status_code=404)
    return link


def question_number(link: QuizQuestion) -> int:
    return QuizQuestion.objects.filter(quiz_id=link.quiz_id, order_index__lt=link.order_index).count() + 1


def describe(action: str, value, question: Question) -> str:
    """What a fix does, as a student reads it after "because"."""
    if action == FixAction.ACCEPT_OPTION:
        return f"option {option_letter(value)} is now also accepted as correct"
    if action == FixAction.ACCEPT_TEXT:
        return f'the answer "{value}" is now also accepted'
    if action == FixAction.CORRECT_OPTION:
        return f"the correct answer is now option {option_letter(value)}"
    if action == FixAction.CORRECT_TEXT:
        return f'the accepted answer is now "{value}"'
    if action == FixAction.FULL_MARKS:
        return "everyone now gets full marks for it"
    return "it no longer counts towards the total"


def _current_flags(quiz: Quiz, question: Question) -> list[str]:
    data = analytics_selectors.quiz_analytics(quiz)
    for row in data["question_statistics"]:
        if row["question"]["id"] == question.pk:
            return [flag["code"] for flag in row["flags"]]
    return []


def _clean(action: str, value, reason: str, link: QuizQuestion, by: User):
    question = link.question
    if action not in FixAction.values:
        raise IntegrityError("Choose one of the listed fixes.")
    reason = (reason or "").strip()
    if not reason:
        raise IntegrityError("Say why (the students are told).")
    if len(reason) > MAX_REASON:
        raise IntegrityError(f"The reason may be at most {MAX_REASON} characters long.")
    if question.type not in (*OPTION_TYPES, QuestionType.SHORT_ANSWER):
        raise IntegrityError(
            "Only automatically marked questions (multiple choice, true/false, short answer) can be "
            "fixed here; mark a descriptive answer by hand."
        )
    if action in KEY_ACTIONS and not Question.objects.manageable_by(by).filter(pk=question.pk).exists():
        raise IntegrityError(
            "Only the question's owner can change its key; give everyone full marks or drop it from this quiz instead.",
            status_code=403,
        )
    if action in (FixAction.ACCEPT_OPTION, FixAction.CORRECT_OPTION):
        if question.type not in OPTION_TYPES:
            raise IntegrityError("This question has no options; accept another answer text instead.")
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise IntegrityError("Choose one of the question's options.") from None
        if not 0 <= value < len(question.options or []):
            raise IntegrityError("Choose one of the question's options.")
        if value == question.correct_answer:
            raise IntegrityError(f"Option {option_letter(value)} is already the correct answer.")
        if action == FixAction.ACCEPT_OPTION and value in (question.also_correct_options or []):
            raise IntegrityError(f"Option {option_letter(value)} is already accepted.")
    elif action in (FixAction.ACCEPT_TEXT, FixAction.CORRECT_TEXT):
        if question.type != QuestionType.SHORT_ANSWER:
            raise IntegrityError("Only a short-answer question accepts answer texts; accept another option instead.")
        value = " ".join(str(value or "").split())
        if not value:
            raise IntegrityError("Type the answer to accept.")
        if len(value) > MAX_TEXT:
            raise IntegrityError(f"An accepted answer may be at most {MAX_TEXT} characters long.")
        if action == FixAction.ACCEPT_TEXT and value in accepted_answers_for(question):
            raise IntegrityError(f'"{value}" is already accepted.')
    else:
        value = None
        if link.adjustment:
            raise IntegrityError(
                f"This question is already adjusted ({link.get_adjustment_display().lower()}); undo that first."
            )
        if (
            action == FixAction.DROP
            and not QuizQuestion.objects.filter(quiz_id=link.quiz_id)
            .exclude(pk=link.pk)
            .exclude(adjustment=QuestionAdjustment.DROPPED)
            .exists()
        ):
            raise IntegrityError("This is the only question that still counts; a quiz cannot drop all of them.")
    return value, reason


def _apply(action: str, value, link: QuizQuestion) -> dict:
    """Change the question or the quiz's link; return what it replaced."""
    question = link.question
    if action == FixAction.ACCEPT_OPTION:
        before = {"also_correct_options": list(question.also_correct_options or [])}
        question.also_correct_options = [*before["also_correct_options"], value]
        question.save(update_fields=["also_correct_options", "updated_at"])
    elif action == FixAction.CORRECT_OPTION:
        before = {
            "correct_answer": question.correct_answer,
            "also_correct_options": list(question.also_correct_options or []),
        }
        question.correct_answer = value
        question.also_correct_options = [o for o in before["also_correct_options"] if o != value]
        question.save(update_fields=["correct_answer", "also_correct_options", "updated_at"])
    elif action in (FixAction.ACCEPT_TEXT, FixAction.CORRECT_TEXT):
        before = {"accepted_answers": list(question.accepted_answers or [])}
        question.accepted_answers = (
            [*accepted_answers_for(question), value] if action == FixAction.ACCEPT_TEXT else [value]
        )
        question.save(update_fields=["accepted_answers", "updated_at"])
    else:
        before = {"adjustment": link.adjustment}
        link.adjustment = (
            QuestionAdjustment.FULL_MARKS if action == FixAction.FULL_MARKS else QuestionAdjustment.DROPPED
        )
        link.save(update_fields=["adjustment"])
    return before


def _restore(fix: QuestionFix, link: QuizQuestion) -> None:
    if "adjustment" in fix.before:
        link.adjustment = fix.before["adjustment"]
        link.save(update_fields=["adjustment"])
        return
    question = link.question
    for name, old in fix.before.items():
        setattr(question, name, old)
    question.save(update_fields=[*fix.before, "updated_at"])


def _regrade_after_commit(fix: QuestionFix, by: User, reason: str) -> None:
    args = (
        str(fix.question_id),
        str(by.pk),
        None if fix.action in KEY_ACTIONS else str(fix.quiz_id),
        reason,
    )
    transaction.on_commit(lambda: regrade_question.delay(*args), robust=True)


@transaction.atomic
def question_fix_apply(
    *, quiz: Quiz, question: Question, by: User, action: str, value=None, reason: str, request=None
) -> QuestionFix:
    """Fix a flawed question in one step; every affected attempt is re-marked after commit."""
    link = _quiz_link(quiz, question, by)
    link = QuizQuestion.objects.select_for_update().select_related("question", "quiz").get(pk=link.pk)
    Question.objects.select_for_update().filter(pk=question.pk).first()
    link.question.refresh_from_db()
    value, reason = _clean(action, value, reason, link, by)
    flags = _current_flags(link.quiz, link.question)
    before = _apply(action, value, link)
    fix = QuestionFix.objects.create(
        quiz=link.quiz,
        question=link.question,
        action=action,
        value=value,
        reason=reason,
        flags=flags,
        before=before,
        created_by=by,
    )
    audit_record(
        action="question.fix",
        by=by,
        entity=link.question,
        old=before,
        new={
            "fix": str(fix.pk),
            "quiz": str(link.quiz_id),
            "action": action,
            "value": value,
            "reason": reason,
            "flags": flags,
        },
        request=request,
    )
    number = question_number(link)
    _regrade_after_commit(
        fix, by, f'{describe(action, value, link.question)} in question {number} of "{link.quiz.title}" ({reason})'
    )
    return fix


@transaction.atomic
def question_fix_undo(*, fix: QuestionFix, by: User, request=None) -> QuestionFix:
    """Undo a fix the same way it was made: what it replaced is put back and the attempts are re-marked. Only the
    latest fix still in force on a question can be undone (an older one would put back a state a later fix built
    on)."""
    fix = QuestionFix.objects.visible_to(by).select_for_update().filter(pk=fix.pk).first()
    if fix is None:
        raise IntegrityError("No such fix.", status_code=404)
    link = _quiz_link(fix.quiz, fix.question, by)
    if fix.action in KEY_ACTIONS and not Question.objects.manageable_by(by).filter(pk=fix.question_id).exists():
        raise IntegrityError("Only the question's owner can change its key.", status_code=403)
    if not fix.active:
        raise IntegrityError("This fix has already been undone.")
    latest = QuestionFix.objects.filter(question_id=fix.question_id, undone_at__isnull=True)
    if fix.action not in KEY_ACTIONS:
        latest = latest.filter(quiz_id=fix.quiz_id).exclude(action__in=KEY_ACTIONS)
    else:
        latest = latest.filter(action__in=KEY_ACTIONS)
    if latest.order_by("-created_at").values_list("pk", flat=True).first() != fix.pk:
        raise IntegrityError("A later fix of this question is still in force; undo that one first.")
    link = QuizQuestion.objects.select_for_update().select_related("question", "quiz").get(pk=link.pk)
    _restore(fix, link)
    fix.undone_at, fix.undone_by = timezone.now(), by
    fix.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        action="question.fix_undo",
        by=by,
        entity=link.question,
        old={"fix": str(fix.pk), "action": fix.action, "value": fix.value},
        new=fix.before,
        request=request,
    )
    number = question_number(link)
    _regrade_after_commit(fix, by, f'the earlier change to question {number} of "{link.quiz.title}" was undone')
    return fix
