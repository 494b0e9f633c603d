"""ordering: put the items in the right order (the data shape and scoring rules: quizzes.types)."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

from quizzes.types.base import MAX_ITEMS, ResponseError, shuffled, text_list

SCORING_RULES = ("all_or_nothing", "partial")
SCORING_LABELS = {
    "all_or_nothing": "All or nothing",
    "partial": "Partial: the share of item pairs in the right relative order",
}


def validate(question) -> dict[str, str]:
    details = question.details
    items, problem = text_list(details.get("items"), what="Items", minimum=2, maximum=MAX_ITEMS)
    if problem:
        return {"details": problem}
    details["items"] = items
    scoring = details.setdefault("scoring", "partial")
    if scoring not in SCORING_RULES:
        return {"details": f"details.scoring must be one of: {', '.join(SCORING_RULES)}."}
    unknown = set(details) - {"items", "scoring"}
    if unknown:
        return {"details": f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."}
    return {}


def meta(question) -> dict:
    return {"items": sorted(question.details.get("items") or [])}


def clean_response(raw, info: dict, perm=None):
    """Every item once, in the student's order."""
    if raw is None:
        return None
    if (
        not isinstance(raw, list)
        or sorted(x for x in raw if isinstance(x, str)) != info.get("items", [])
        or not all(isinstance(x, str) for x in raw)
    ):
        raise ResponseError("response: every item of the question once, in your order.")
    return raw


def mark(question, response) -> Fraction:
    items = question.details.get("items") or []
    if not isinstance(response, list) or sorted(map(str, response)) != sorted(items):
        return Fraction(0)
    if response == items:
        return Fraction(1)
    if question.details.get("scoring") == "all_or_nothing":
        return Fraction(0)
    position = {item: i for i, item in enumerate(response)}
    pairs = list(combinations(items, 2))  # (a, b) with a before b in the right order
    right = sum(1 for a, b in pairs if position[a] < position[b])
    return Fraction(right, len(pairs))


def exam_items(question, seed: str) -> list[str]:
    return shuffled(question.details.get("items") or [], seed)


def display(question, response) -> str:
    return " → ".join(str(x) for x in (response or []))


def key_display(question) -> str:
    return display(question, question.details.get("items"))
