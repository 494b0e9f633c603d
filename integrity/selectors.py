"""Reads of the integrity app: a quiz's leads for its teacher, one lead side by side. Scoped through
CollusionRun / CollusionLead / LeadConclusion.objects.visible_to; never anything for a student."""

from __future__ import annotations

from attempts.models import StudentAnswer
from integrity.models import CollusionLead, CollusionRun, LeadConclusion
from integrity.services import CATEGORICAL_TYPES
from quizzes.models import QuizQuestion

LEAD_RELATED = ("run__quiz", "attempt_a__student__user", "attempt_b__student__user")


def _pair_key(lead: CollusionLead) -> tuple:
    return tuple(sorted([str(lead.attempt_a.student_id), str(lead.attempt_b.student_id)]))


def quiz_leads(quiz, *, viewer) -> dict:
    """The latest run of the quiz (or None), its leads strongest first, each with the teacher's conclusion. Four
    queries whatever the number of leads."""
    run = CollusionRun.objects.visible_to(viewer).filter(quiz=quiz).first()
    leads = []
    if run is not None:
        leads = list(CollusionLead.objects.visible_to(viewer).filter(run=run).select_related(*LEAD_RELATED))
    conclusions = {
        (str(c.student_a_id), str(c.student_b_id)): c
        for c in LeadConclusion.objects.visible_to(viewer).filter(quiz=quiz)
    }
    for lead in leads:
        lead.conclusion_record = conclusions.get(_pair_key(lead))
    return {
        "run": run,
        "strong": [lead for lead in leads if lead.significant],
        "weaker": [lead for lead in leads if not lead.significant],
    }


def lead_detail(lead: CollusionLead, *, viewer) -> dict:
    """The two attempts side by side: every question, both responses, both marks, when each was last changed."""
    a, b = lead.attempt_a, lead.attempt_b
    answers = {(ans.attempt_id, ans.question_id): ans for ans in StudentAnswer.objects.filter(attempt__in=[a, b])}
    rows = []
    for number, qq in enumerate(
        QuizQuestion.objects.filter(quiz_id=lead.run.quiz_id).select_related("question").order_by("order_index"),
        start=1,
    ):
        q = qq.question
        ans_a, ans_b = answers.get((a.pk, q.pk)), answers.get((b.pk, q.pk))
        shown_a, shown_b = _shown(q, ans_a), _shown(q, ans_b)
        same = bool(shown_a) and shown_a.casefold() == (shown_b or "").casefold()
        right_a = ans_a is not None and ans_a.marks_awarded is not None and ans_a.marks_awarded >= qq.marks
        right_b = ans_b is not None and ans_b.marks_awarded is not None and ans_b.marks_awarded >= qq.marks
        seconds = None
        if same and ans_a and ans_b:
            seconds = abs((ans_a.updated_at - ans_b.updated_at).total_seconds())
        rows.append(
            {
                "number": number,
                "question": q,
                "categorical": q.type in CATEGORICAL_TYPES,
                "a": {
                    "answer": shown_a,
                    "marks": ans_a.marks_awarded if ans_a else None,
                    "right": right_a,
                    "changed_at": ans_a.updated_at if ans_a and shown_a else None,
                },
                "b": {
                    "answer": shown_b,
                    "marks": ans_b.marks_awarded if ans_b else None,
                    "right": right_b,
                    "changed_at": ans_b.updated_at if ans_b and shown_b else None,
                },
                "same": same,
                "same_wrong": same and not right_a,
                "seconds_apart": seconds,
            }
        )
    conclusion = (
        LeadConclusion.objects.visible_to(viewer)
        .filter(
            quiz_id=lead.run.quiz_id,
            student_a_id__in=[a.student_id, b.student_id],
            student_b_id__in=[a.student_id, b.student_id],
        )
        .select_related("decided_by")
        .first()
    )
    return {"lead": lead, "rows": rows, "conclusion": conclusion}


def _shown(question, answer) -> str:
    if answer is None:
        return ""
    if answer.answer_option is not None:
        options = question.options or []
        if 0 <= answer.answer_option < len(options):
            return f"{chr(65 + answer.answer_option)}. {options[answer.answer_option]}"
        return str(answer.answer_option)
    return (answer.answer_text or "").strip()
