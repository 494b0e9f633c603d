"""What the neutral kinds become in issue 15's question shapes (`quizzes/types/__init__.py`), and back.

`mapping.item_to_question` builds multiple response, numeric and matching questions from `issue15_fields(item)`,
and keeps MCQ/true-false partial credit and per-option feedback through it; `Question.clean()` validates the
result, so a shape that does not fit is a skipped question with a clear reason, never a bad row.
"""

from __future__ import annotations

from quizzes.interchange.common import Blank, Choice, Item, Kind, Pair

ISSUE15_TYPES = {
    Kind.MULTIPLE_RESPONSE: "multiple_response",
    Kind.NUMERICAL: "numeric",
    Kind.MATCHING: "matching",
    Kind.CLOZE: "cloze",
}
MAX_NUMERIC_ANSWERS = 20
# Moodle's cloze gaps our blanks hold: typed answers, matched as short answers (other gap types are refused).
TEXT_GAPS = {"SHORTANSWER": False, "SHORTANSWER_C": True}


def _feedback(item: Item) -> list[str] | None:
    feedback = [c.feedback for c in item.choices]
    return feedback if any(feedback) else None


def issue15_fields(item: Item) -> dict:
    """The fields (options, correct_answer, details, general_feedback) an Item gives a question of issue 15's shapes;
    for single choice and true/false, the details that keep partial credit and per-option feedback."""
    details: dict = {}
    fields: dict = {"general_feedback": item.general_feedback, "details": details}
    if item.kind in (Kind.SINGLE_CHOICE, Kind.TRUE_FALSE):
        best = max(range(len(item.choices)), key=lambda i: item.choices[i].fraction) if item.choices else 0
        fractions = [0.0 if i != best and c.fraction >= 100 else min(max(c.fraction, 0) / 100, 1.0)
                     for i, c in enumerate(item.choices)]  # fmt: skip
        if any(0 < f < 1 for f in fractions):
            details["fractions"] = fractions
    elif item.kind == Kind.MULTIPLE_RESPONSE:
        fields["options"] = [c.text for c in item.choices]
        details["correct"] = [i for i, c in enumerate(item.choices) if c.fraction > 0]
        # Moodle's and GIFT's multi-answer weights (+100%/C per right option, negative per wrong one, floored at 0)
        # are issue 15's "partial" rule.
        details["scoring"] = "partial"
    elif item.kind == Kind.NUMERICAL:
        answers = []
        for c in item.choices:
            if c.fraction <= 0 or c.text.strip() in ("", "*"):
                continue  # a catch-all wrong answer carries feedback only
            answers.append(
                {"value": float(c.text), "tolerance": c.tolerance or 0, "fraction": min(c.fraction, 100) / 100}
            )
        details["answers"] = answers[:MAX_NUMERIC_ANSWERS]
    elif item.kind == Kind.MATCHING:
        details["pairs"] = [{"prompt": p.prompt, "answer": p.answer} for p in item.pairs if p.prompt]
        distractors = [p.answer for p in item.pairs if not p.prompt and p.answer]
        if distractors:
            details["distractors"] = distractors
    elif item.kind == Kind.CLOZE:
        details["blanks"] = [
            {"id": b.id, "answers": [c.text for c in b.choices if c.fraction >= 100],
             "marks": min(max(b.marks, 1), 100), "case_sensitive": TEXT_GAPS.get(b.subtype, False)}
            for b in item.blanks
        ]  # fmt: skip
    if (feedback := _feedback(item)) and item.kind in (Kind.SINGLE_CHOICE, Kind.TRUE_FALSE, Kind.MULTIPLE_RESPONSE):
        details["feedback"] = feedback
    return fields


# Issue 15's type names -> neutral kinds (the reverse of ISSUE15_TYPES, plus the kinds no writer holds yet).
ISSUE15_KINDS = {
    "multiple_response": Kind.MULTIPLE_RESPONSE,
    "numeric": Kind.NUMERICAL,
    "matching": Kind.MATCHING,
    "ordering": Kind.ORDERING,
    "cloze": Kind.CLOZE,
}


def issue15_item(question, item: Item) -> Item:
    """Fill `item` (made by mapping.question_to_item) from a question of one of issue 15's types, read through its
    `details` (a question of an unknown type becomes a kind no writer holds, so it is reported "not exportable"
    rather than written half empty)."""
    details = getattr(question, "details", None) or {}
    item.general_feedback = getattr(question, "general_feedback", "") or ""
    kind = ISSUE15_KINDS.get(question.type)
    if kind is None:
        item.kind = f"{question.type} (unknown type)"
        return item
    item.kind = kind
    feedback = details.get("feedback") or []
    if kind == Kind.MULTIPLE_RESPONSE:
        options = question.options or []
        correct = set(details.get("correct") or [])
        wrong = len(options) - len(correct)
        # Moodle's weights for issue 15's "partial" rule: +100%/C per right option, -100%/W per wrong one.
        item.choices = [
            Choice(
                text=o,
                fraction=round(100 / len(correct), 5) if i in correct else (round(-100 / wrong, 5) if wrong else 0),
                feedback=feedback[i] if i < len(feedback) else "",
            )
            for i, o in enumerate(options)
        ]
    elif kind == Kind.NUMERICAL:
        item.choices = [
            Choice(text=f"{a['value']:g}", fraction=a.get("fraction", 1) * 100, tolerance=a.get("tolerance", 0))
            for a in details.get("answers") or []
        ]
    elif kind == Kind.MATCHING:
        item.pairs = [Pair(prompt=p["prompt"], answer=p["answer"]) for p in details.get("pairs") or []]
        item.pairs += [Pair(prompt="", answer=d) for d in details.get("distractors") or []]
    elif kind == Kind.CLOZE:
        item.blanks = [
            Blank(id=b["id"], subtype="SHORTANSWER_C" if b.get("case_sensitive") else "SHORTANSWER",
                  choices=[Choice(text=a, fraction=100.0) for a in b["answers"]], marks=b.get("marks", 1))
            for b in details.get("blanks") or []
        ]  # fmt: skip
    return item
