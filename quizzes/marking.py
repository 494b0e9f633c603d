"""How an objective answer is marked. Used by submit, regrade and the demo data alike (the new types' rules:
quizzes/types/, one module per type).

Short answers are matched the way Moodle's short-answer question does it: both sides trimmed, inner white space
folded, Unicode-normalised (NFKC), compared case-insensitively unless the question is case-sensitive, and `*` in
an accepted answer matches any run of characters.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from quizzes import types as question_types
from quizzes.models import QuestionType


def _normalise(text: str, *, case_sensitive: bool) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def short_answer_matches(response: str | None, accepted: list[str], *, case_sensitive: bool = False) -> bool:
    given = _normalise(response or "", case_sensitive=case_sensitive)
    if not given:
        return False
    for pattern in accepted or []:
        wanted = _normalise(pattern, case_sensitive=case_sensitive)
        if not wanted:
            continue
        if "*" in wanted:
            regex = ".*".join(re.escape(part) for part in wanted.split("*"))
            if re.fullmatch(regex, given, flags=re.DOTALL):
                return True
        elif given == wanted:
            return True
    return False


def accepted_answers_for(question) -> list[str]:
    # The guide's sample_answer counts as the one accepted answer when no list is given.
    if question.accepted_answers:
        return list(question.accepted_answers)
    return [question.sample_answer] if question.sample_answer else []


def marks_for(fraction: Fraction, marks: int) -> Decimal:
    """A fraction of a question's marks, to the 2 decimal places marks are stored with."""
    value = Decimal(fraction.numerator * marks) / Decimal(fraction.denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def answer_fraction(question, *, answer_option: int | None, answer_text: str | None) -> Fraction | None:
    """The share (0..1) of the marks one answer earns, or None when a teacher must mark it (descriptive)."""
    module = question_types.module_for(question.type)
    if module is not None:
        response = question_types.response_of(question.type, answer_text)
        return module.mark(question, response) if response is not None else Fraction(0)
    if question.type in (QuestionType.MCQ, QuestionType.TRUE_FALSE):
        if answer_option is None:
            return Fraction(0)
        if answer_option == question.correct_answer or answer_option in (question.also_correct_options or []):
            return Fraction(1)  # issue 20's quality loop may accept another option as also correct
        fractions = (question.details or {}).get("fractions") or []
        if 0 <= answer_option < len(fractions):
            return Fraction(Decimal(str(fractions[answer_option])))
        return Fraction(0)
    if question.type == QuestionType.SHORT_ANSWER:
        ok = short_answer_matches(answer_text, accepted_answers_for(question), case_sensitive=question.case_sensitive)
        return Fraction(1) if ok else Fraction(0)
    return None


def auto_mark(question, *, marks: int, answer_option: int | None, answer_text: str | None) -> Decimal | None:
    """Marks for one answer, or None when a teacher must mark it (descriptive)."""
    fraction = answer_fraction(question, answer_option=answer_option, answer_text=answer_text)
    return None if fraction is None else marks_for(fraction, marks)
