"""multiple_response: choose all that apply (the data shape and scoring rules: quizzes.types)."""

from __future__ import annotations

from fractions import Fraction

from quizzes.types.base import ResponseError, clamp, feedback_list

SCORING_RULES = ("all_or_nothing", "partial", "right_minus_wrong")
SCORING_LABELS = {
    "all_or_nothing": "All or nothing (Canvas's “exact match”)",
    "partial": "Partial: each right choice earns, each wrong choice costs, floored at 0 (Moodle)",
    "right_minus_wrong": "Right minus wrong, floored at 0 (Canvas's “partial credit with penalty”)",
}


def validate(question) -> dict[str, str]:
    """`question.options` is checked by Question.clean() (as for mcq); this checks details."""
    errors: dict[str, str] = {}
    details = question.details
    options = question.options if isinstance(question.options, list) else []
    correct = details.get("correct")
    if not isinstance(correct, list) or not correct:
        errors["details"] = "Choose at least one correct option (details.correct: a list of option indexes)."
    elif any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(options) for i in correct):
        errors["details"] = f"Correct options must be option indexes from 0 to {max(len(options) - 1, 0)}."
    elif len(set(correct)) != len(correct):
        errors["details"] = "A correct option is listed twice."
    else:
        details["correct"] = sorted(correct)
    scoring = details.setdefault("scoring", "partial")
    if scoring not in SCORING_RULES:
        errors["details"] = f"details.scoring must be one of: {', '.join(SCORING_RULES)}."
    feedback, problem = feedback_list(details.get("feedback"), len(options))
    if problem:
        errors["details"] = problem
    elif feedback:
        details["feedback"] = feedback
    else:
        details.pop("feedback", None)
    unknown = set(details) - {"correct", "scoring", "feedback"}
    if unknown:
        errors["details"] = f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."
    return errors


def meta(question) -> dict:
    return {"choices": len(question.options or [])}


def clean_response(raw, info: dict, perm: list[int] | None = None):
    """[displayed index, ...] -> sorted [ORIGINAL index, ...]; [] or None is no answer."""
    if raw is None:
        return None
    count = info.get("choices", 0)
    if not isinstance(raw, list) or any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < count
                                        for i in raw):  # fmt: skip
        raise ResponseError(f"response: a list of option indexes from 0 to {count - 1}.")
    chosen = {perm[i] if perm and i < len(perm) else i for i in raw}
    return sorted(chosen) or None


def mark(question, response) -> Fraction:
    options = question.options or []
    correct = set(question.details.get("correct") or [])
    chosen = {i for i in (response or []) if isinstance(i, int) and 0 <= i < len(options)}
    if not chosen or not correct:
        return Fraction(0)
    right, wrong = len(chosen & correct), len(chosen - correct)
    rule = question.details.get("scoring", "partial")
    if rule == "all_or_nothing":
        return Fraction(1) if chosen == correct else Fraction(0)
    if rule == "right_minus_wrong":
        return clamp(Fraction(right - wrong, len(correct)))
    wrong_total = len(options) - len(correct)
    penalty = Fraction(wrong, wrong_total) if wrong_total else Fraction(0)
    return clamp(Fraction(right, len(correct)) - penalty)


def display(question, response) -> str:
    options = question.options or []
    picked = [options[i] for i in (response or []) if isinstance(i, int) and 0 <= i < len(options)]
    return "; ".join(picked)


def key_display(question) -> str:
    return display(question, question.details.get("correct"))
