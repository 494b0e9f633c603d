"""Question types: the one place each type's data shape, validation and marking live.

Every question keeps the guide's columns (`text`, `type`, `marks`, `options`, `correct_answer`,
`accepted_answers`, `case_sensitive`, `sample_answer`, `marking_rubric`); issue 15 adds two:

* `details` (JSON object, default `{}`): what a type needs beyond the guide's columns (the table below);
* `general_feedback` (text, any type): shown to the student at review when the answers are revealed.

The guide's four types keep exactly their shape (`details` stays `{}` unless an MCQ/true-false question carries
option fractions or per-option feedback). One module per type below; `Question.clean()` calls `validate`, the
scoring calls `mark`, the autosave calls `clean_response`, review / grading / exports call `display`.

=================  ==========================================================  ===================================
type               question data                                               the student's answer (`response`)
=================  ==========================================================  ===================================
mcq                options: [text, ...] (2..10), correct_answer: index;        answer_option: index (guide)
                   details.fractions: [0..1 per option] (optional; the
                   correct option is always 1; e.g. 0.5 for a near answer),
                   details.feedback: [text per option] (optional)
true_false         options ["True", "False"], correct_answer; details as mcq   answer_option: 0 or 1 (guide)
short_answer       accepted_answers, case_sensitive, sample_answer (guide)     answer_text (guide)
descriptive        sample_answer, marking_rubric (guide)                       answer_text (guide)
multiple_response  options: [text, ...] (2..10);                               [option index, ...] (as displayed
                   details.correct: [index, ...] (at least one; all allowed),  in the API; stored as original)
                   details.scoring: "all_or_nothing" | "partial" |
                   "right_minus_wrong" (default "partial"),
                   details.feedback: [text per option] (optional)
numeric            details.answers: [{"value": number, "tolerance": number     answer_text: "3,5" / "3.5" /
                   >= 0, "fraction": 0 < f <= 1}, ...] (1..20; the best        "1.2e-3" / "−4" (a string)
                   matching answer wins; a wider tolerance with a fraction
                   < 1 is a near miss); details.unit: text (optional, shown)
matching           details.pairs: [{"prompt": text, "answer": text}, ...]     [answer text or null per prompt,
                   (2..10, prompts distinct); details.distractors: [text]     in the question's prompt order]
                   (0..10, extra answers that match no prompt)
ordering           details.items: [text, ...] in the CORRECT order (2..10,     [item text, ...] all items, in
                   distinct); details.scoring: "all_or_nothing" | "partial"   the student's order
cloze              text holds numbered blanks [[1]], [[2]] (each once);        {"1": text, "2": text} per blank
                   details.blanks: [{"id": 1, "answers": [text, ...],
                   "marks": 1..100, "case_sensitive": false}, ...] one per
                   blank in the text; answers match as short_answer does
                   (trimmed, NFKC, case-insensitive, `*` wildcard)
=================  ==========================================================  ===================================

Scoring rules (each gives a fraction of the question's marks, 0..1, rounded to 2 decimals of marks):

* multiple_response, with C correct options and W wrong ones, a student choosing c right and w wrong:
  - all_or_nothing: 1 when exactly the correct set is chosen, else 0 (Canvas's "Exact match").
  - partial: c/C - w/W, floored at 0 (how Moodle's multi-answer question is set up: each correct option carries
    +100%/C, each wrong one -100%/W, the sum floored at 0). When every option is correct (W = 0), c/C.
  - right_minus_wrong: (c - w)/C, floored at 0 (Canvas New Quizzes' "Partial credit with penalty").
  Choosing nothing scores 0 under every rule.
* numeric: the largest fraction among the accepted answers with |given - value| <= tolerance (boundaries
  included; compared in decimal so 0.1 + 0.2 style errors do not move a boundary).
* matching: correct pairs / prompts.
* ordering: all_or_nothing, or partial = the share of item PAIRS in the right relative order (Kendall-style:
  n(n-1)/2 pairs; a fully reversed list scores 0, one swapped neighbour in 4 items scores 5/6).
* cloze: the marks of the blanks answered right / the marks of all blanks.

Negative marking is a quiz setting (`Quiz.negative_marking_percent`, 0 = off): attempts.scoring deducts that
percentage of a question's marks for each answered objective question that scored 0, and a total never goes below 0.
"""

from __future__ import annotations

from quizzes.types import choice, cloze, matching, numeric, ordering
from quizzes.types.base import FEEDBACK_MAX_LENGTH, ResponseError

# The new types' modules (the guide's four are handled by Question.clean() and quizzes.marking directly).
MODULES = {
    "multiple_response": choice,
    "numeric": numeric,
    "matching": matching,
    "ordering": ordering,
    "cloze": cloze,
}
# The types whose answer travels as a structured `response` (JSON in storage); numeric travels as answer_text.
STRUCTURED_TYPES = ("multiple_response", "matching", "ordering", "cloze")

__all__ = ["FEEDBACK_MAX_LENGTH", "MODULES", "STRUCTURED_TYPES", "ResponseError", "module_for"]


def module_for(question_type: str):
    return MODULES.get(question_type)


def response_of(question_type: str, answer_text: str | None):
    """The student's structured answer from its stored form (answer_text holds its canonical JSON; numeric keeps
    the text as typed). None for the guide's types and for no answer."""
    if question_type in STRUCTURED_TYPES:
        from quizzes.types.base import decode

        return decode(answer_text)
    if question_type == "numeric":
        return answer_text if (answer_text or "").strip() else None
    return None


def answer_display(question, *, answer_option=None, answer_text=None) -> str:
    """The student's answer as a teacher reads it (grading view, review, exports)."""
    module = module_for(question.type)
    if module is not None:
        return module.display(question, response_of(question.type, answer_text))
    if answer_option is not None:
        options = question.options or (["True", "False"] if question.type == "true_false" else [])
        return options[answer_option] if 0 <= answer_option < len(options) else ""
    return answer_text or ""


def key_display(question) -> str:
    """The answer key as a teacher reads it."""
    module = module_for(question.type)
    if module is not None:
        return module.key_display(question)
    if question.correct_answer is not None and question.options:
        return question.options[question.correct_answer] if question.correct_answer < len(question.options) else ""
    return " / ".join(question.accepted_answers or [])


def key_response(question):
    """An answer that earns full marks (the demo school's right answers; a test's too). None for the guide's types."""
    d = question.details or {}
    if question.type == "multiple_response":
        return list(d.get("correct") or [])
    if question.type == "numeric":
        best = next(a for a in d.get("answers") or [] if a.get("fraction", 1) == 1)
        return str(best["value"])
    if question.type == "matching":
        return [p["answer"] for p in d.get("pairs") or []]
    if question.type == "ordering":
        return list(d.get("items") or [])
    if question.type == "cloze":
        return {str(b["id"]): b["answers"][0].replace("*", "") for b in d.get("blanks") or []}
    return None
