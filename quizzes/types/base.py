"""Helpers shared by the question type modules (quizzes.types)."""

from __future__ import annotations

import json
import random
from fractions import Fraction

from quizsite.text import control_character_error

FEEDBACK_MAX_LENGTH = 2_000
ITEM_MAX_LENGTH = 1_000
MAX_ITEMS = 10


class ResponseError(ValueError):
    """A student's answer does not fit its question's type (the autosave turns it into a 400 with this text)."""


def text_problem(value, *, what: str, max_length: int = ITEM_MAX_LENGTH, required: bool = True) -> str | None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return f"{what} must be a text."
    value = str(value).strip()
    if required and not value:
        return f"{what} must not be empty."
    if len(value) > max_length:
        return f"{what} may be at most {max_length} characters long."
    return control_character_error(value)


def text_list(value, *, what: str, minimum: int, maximum: int, distinct: bool = True,
              max_length: int = ITEM_MAX_LENGTH) -> tuple[list[str], str | None]:  # fmt: skip
    """A list of non-empty texts, stripped; (the list, the first problem or None)."""
    if not isinstance(value, list):
        return [], f"{what} must be a list of texts."
    for item in value:
        if problem := text_problem(item, what=what[:-1] if what.endswith("s") else what, max_length=max_length):
            return [], problem
    items = [str(v).strip() for v in value]
    if not minimum <= len(items) <= maximum:
        return items, f"Give {minimum} to {maximum} {what.lower()}."
    if distinct and len({i.casefold() for i in items}) != len(items):
        return items, f"{what} must be different from each other."
    return items, None


def feedback_list(value, count: int) -> tuple[list[str], str | None]:
    """Optional per-option feedback: [] or exactly one text (may be empty) per option."""
    if value in (None, [], ""):
        return [], None
    if not isinstance(value, list) or len(value) != count:
        return [], "Give one feedback text per option (empty for none)."
    out = []
    for item in value:
        if problem := text_problem(item if item is not None else "", what="Feedback", required=False,
                                   max_length=FEEDBACK_MAX_LENGTH):  # fmt: skip
            return [], problem
        out.append(str(item or "").strip())
    return (out if any(out) else []), None


def number(value) -> float | None:
    """A JSON number (not a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def clamp(value: Fraction) -> Fraction:
    return max(Fraction(0), min(Fraction(1), value))


def encode(response) -> str:
    """How a structured answer is stored in student_answers.answer_text: compact, canonical JSON."""
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode(stored: str | None):
    if not stored:
        return None
    try:
        return json.loads(stored)
    except ValueError:
        return None


def shuffled(items: list, seed: str) -> list:
    """A stable shuffle (the same for one attempt and question on every reload); never the original order when
    the list has two or more distinct items, so an ordering question never starts solved."""
    out = list(items)
    random.Random(seed).shuffle(out)
    if len(out) > 1 and out == list(items):
        out = out[1:] + out[:1]
    return out
