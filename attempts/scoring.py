"""Scoring of an attempt: objective answers marked automatically, totals recomputed.

Shared by submit, auto-submit, teacher grading, regrade and the demo data, so a score is computed one way only.
Callers hold the attempt row locked (select_for_update) inside a transaction when racing writers are possible.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.questions import attempt_questions
from quizzes.marking import auto_mark
from quizzes.models import QuestionAdjustment, QuestionType


def mark_objective_answers(attempt: QuizAttempt) -> None:
    """Mark every objective answer and every blank answer; create rows for unanswered questions so the
    attempt's record is complete (an unanswered question scores 0 and needs no hand-marking)."""
    quiz_questions = attempt_questions(attempt)  # issue 16: with the questions its random slots drew
    answers = {a.question_id: a for a in attempt.answers.all()}
    now = timezone.now()
    to_create, to_update = [], []
    for qq in quiz_questions:
        question = qq.question
        answer = answers.get(question.id)
        if answer is None:
            answer = StudentAnswer(attempt=attempt, question=question, answered_at=now)
            to_create.append(answer)
        else:
            to_update.append(answer)
        blank = answer.answer_option is None and not (answer.answer_text or "").strip()
        if question.type == QuestionType.DESCRIPTIVE and not blank:
            continue  # left for the teacher; an earlier hand mark is kept
        if answer.graded_by_id is not None:
            continue  # a teacher's override of an automatic mark stands
        if qq.adjustment == QuestionAdjustment.FULL_MARKS:
            marks = Decimal(qq.marks)  # the quiz's fix of a flawed question: everyone, blank answers included
        else:
            marks = (
                Decimal(0)
                if blank
                else auto_mark(
                    question, marks=qq.marks, answer_option=answer.answer_option, answer_text=answer.answer_text
                )
            )
        answer.marks_awarded = marks
        answer.is_final = True
    if to_create:
        StudentAnswer.objects.bulk_create(to_create)
    if to_update:
        StudentAnswer.objects.bulk_update(to_update, ["marks_awarded", "is_final"])


def negative_marks(attempt: QuizAttempt, quiz, marks: dict, links: list | None = None) -> Decimal:
    """What negative marking deducts (Quiz.negative_marking_percent, 0 = off): that percentage of the question's
    marks for every answered, automatically marked question that scored 0. Blank answers and partly right ones cost
    nothing; the caller floors the total at 0."""
    percent = quiz.negative_marking_percent or 0
    if not percent:
        return Decimal(0)
    links = {qq.question_id: qq for qq in (links if links is not None else attempt_questions(attempt))}
    wrong = [qid for qid, m in marks.items() if m == 0 and qid in links and links[qid].question.is_objective]
    if not wrong:
        return Decimal(0)
    answered = attempt.answers.filter(question_id__in=wrong).exclude(answer_option=None, answer_text=None)
    penalty = Decimal(0)
    for qid, option, text in answered.values_list("question_id", "answer_option", "answer_text"):
        if option is not None or (text or "").strip():
            penalty += Decimal(links[qid].marks) * percent / 100
    return penalty.quantize(Decimal("0.01"))


def recompute_totals(attempt: QuizAttempt) -> QuizAttempt:
    """Score, total, percentage and pass/fail from the stored marks; `graded` when nothing awaits a teacher."""
    quiz = attempt.quiz
    # A question dropped from the quiz (integrity's quality loop) counts neither in the score nor in the total.
    links = attempt_questions(attempt)  # issue 16: with the questions its random slots drew, at the slot's marks
    marks_by_question = {qq.question_id: qq.marks for qq in links if qq.adjustment != QuestionAdjustment.DROPPED}
    total = sum(marks_by_question.values())
    # Plain values: model instances deferred down to two fields re-read each row's attempt_id (one query per answer).
    marks = dict(attempt.answers.filter(question_id__in=marks_by_question).values_list("question_id", "marks_awarded"))
    pending = any(m is None for m in marks.values()) or len(marks) < len(marks_by_question)
    score = sum((m or Decimal(0) for m in marks.values()), Decimal(0))
    score = max(Decimal(0), score - negative_marks(attempt, quiz, marks, links))
    attempt.score = score.quantize(Decimal("0.01"))
    attempt.total_marks = total
    attempt.percentage = (
        (score * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if total else Decimal("0.00")
    )
    attempt.passed = None if pending else attempt.percentage >= quiz.passing_percentage
    if attempt.status != AttemptStatus.IN_PROGRESS:
        if pending:
            attempt.status = (
                AttemptStatus.AUTO_SUBMITTED
                if attempt.status == AttemptStatus.AUTO_SUBMITTED
                else AttemptStatus.SUBMITTED
            )
        else:
            attempt.status = AttemptStatus.GRADED
    attempt.save(update_fields=["score", "total_marks", "percentage", "passed", "status"])
    return attempt
