"""Reads of the integrity app: a quiz's leads for its teacher, one lead side by side. Scoped through
CollusionRun / CollusionLead / LeadConclusion.objects.visible_to; never anything for a student."""

from __future__ import annotations

from analytics import selectors as analytics_selectors
from attempts.models import FINISHED_STATUSES, StudentAnswer
from integrity.models import CollusionLead, CollusionRun, LeadConclusion, QuestionFix
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


# --- the question-quality loop ---------------------------------------------------------------------------------

STRONG_SHARE = 0.27  # Kelley's upper and lower 27 %: the groups a discrimination is read from


def question_review(quiz, link, *, viewer) -> dict:
    """One question of a quiz as its teacher reviews it: the item statistics and flags of the quiz analytics, why
    each flag (in words a teacher reads), how the answers were spread over the options (all students, the strongest
    and the weakest 27 % by quiz percentage), and the fixes made to it. A fixed number of queries."""
    question = link.question
    data = analytics_selectors.quiz_analytics(quiz)
    row = next(r for r in data["question_statistics"] if r["question"]["id"] == question.pk)
    answers = list(
        StudentAnswer.objects.filter(attempt__quiz=quiz, attempt__status__in=FINISHED_STATUSES, question=question)
        .order_by()
        .values_list("attempt__percentage", "answer_option", "answer_text")
    )
    answers.sort(key=lambda a: float(a[0] or 0))
    n = len(answers)
    cut = max(1, round(n * STRONG_SHARE)) if n else 0
    weak, strong = answers[:cut], answers[n - cut :] if cut else []

    def key(a):
        if a[1] is not None:
            return a[1]
        text = " ".join((a[2] or "").split()).casefold()
        return text or None

    def counts(rows):
        found: dict = {}
        for a in rows:
            found[key(a)] = found.get(key(a), 0) + 1
        return found

    everyone, top, bottom = counts(answers), counts(strong), counts(weak)
    choices = []
    if question.options:
        correct = {question.correct_answer, *(question.also_correct_options or [])}
        for i, text in enumerate(question.options):
            choices.append(_choice(chr(65 + i), text, i in correct, i, everyone, top, bottom, n, cut))
    else:
        accepted = {" ".join(t.split()).casefold() for t in (question.accepted_answers or [])}
        for value, _count in sorted(((k, c) for k, c in everyone.items() if k), key=lambda kc: -kc[1])[:10]:
            choices.append(_choice("", value, value in accepted, value, everyone, top, bottom, n, cut))
    choices.append(_choice("", "(no answer)", False, None, everyone, top, bottom, n, cut))
    fixes = list(
        QuestionFix.objects.visible_to(viewer)
        .filter(quiz=quiz, question=question)
        .select_related("created_by", "undone_by")
    )
    return {
        "row": row,
        "why": _why(row, choices, enough=data["statistics"]["attempts"] >= data["flags_min_attempts"]),
        "choices": choices,
        "answered": n,
        "group_size": cut,
        "fixes": fixes,
        "adjustment": link.get_adjustment_display() if link.adjustment else "",
    }


def _choice(label, text, correct, value, everyone, top, bottom, n, cut) -> dict:
    return {
        "label": label,
        "text": text,
        "correct": correct,
        "value": value,
        "count": everyone.get(value, 0),
        "share": 100 * everyone.get(value, 0) / n if n else None,
        "strong": 100 * top.get(value, 0) / cut if cut else None,
        "weak": 100 * bottom.get(value, 0) / cut if cut else None,
    }


def _name(c: dict) -> str:
    return f"option {c['label']}" if c["label"] else f'"{c["text"]}"'


def _why(row: dict, choices: list[dict], *, enough: bool) -> list[str]:
    """Each flag in words, with the detail that points at the fix."""
    lines = []
    codes = {f["code"] for f in row["flags"]}
    wrong = [c for c in choices if not c["correct"] and c["value"] is not None and c["strong"] is not None]
    strongest_wrong = max(wrong, key=lambda c: c["strong"], default=None)
    if "negative_discrimination" in codes:
        detail = ""
        if strongest_wrong and strongest_wrong["strong"]:
            detail = (
                f": the strongest students chose {_name(strongest_wrong)} ({strongest_wrong['strong']:.0f}% of "
                "them); is it also right, or is the key wrong?"
            )
        lines.append("Negative discrimination: students who did well on the rest of the quiz did worse here" + detail)
    if "too_hard" in codes:
        lines.append(f"Facility {row['facility_index']:.0f}%: almost nobody got it right. Check the key.")
    if "too_easy" in codes:
        lines.append(f"Facility {row['facility_index']:.0f}%: almost everybody got it right.")
    if "low_discriminative_efficiency" in codes:
        lines.append("Discriminative efficiency below 15%: it hardly separates stronger from weaker students.")
    if enough:
        for c in choices:
            if c["label"] and c["count"] == 0:
                lines.append(f"Option {c['label']} was chosen by nobody.")
    return lines
