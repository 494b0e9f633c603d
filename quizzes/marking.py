"""How an objective answer is marked. Used by submit, regrade and the demo data alike.

Short answers are matched the way Moodle's short-answer question does it: both sides trimmed, inner white space
folded, Unicode-normalised (NFKC), compared case-insensitively unless the question is case-sensitive, and `*` in
an accepted answer matches any run of characters.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

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


def auto_mark(question, *, marks: int, answer_option: int | None, answer_text: str | None) -> Decimal | None:
    """Marks for one answer, or None when a teacher must mark it (descriptive)."""
    if question.type in (QuestionType.MCQ, QuestionType.TRUE_FALSE):
        correct = answer_option is not None and (
            answer_option == question.correct_answer or answer_option in (question.also_correct_options or [])
        )
        return Decimal(marks) if correct else Decimal(0)
    if question.type == QuestionType.SHORT_ANSWER:
        ok = short_answer_matches(answer_text, accepted_answers_for(question), case_sensitive=question.case_sensitive)
        return Decimal(marks) if ok else Decimal(0)
    return None
