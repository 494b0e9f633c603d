"""cloze (fill in the blanks): numbered blanks [[1]] in the text, each with its accepted answers and marks (the data
shape and scoring rules: quizzes.types)."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

from quizzes.types.base import ResponseError, text_list

BLANK = re.compile(r"\[\[(\d{1,3})\]\]")
MAX_BLANKS = 20
MAX_ANSWERS = 20
MAX_BLANK_INPUT = 500


def blank_ids_in(text: str) -> list[int]:
    return [int(m) for m in BLANK.findall(text or "")]


def validate(question) -> dict[str, str]:
    details = question.details
    in_text = blank_ids_in(question.text)
    if not in_text:
        return {"text": "Write the blanks into the text as [[1]], [[2]], …"}
    twice = sorted(n for n, c in Counter(in_text).items() if c > 1)
    if twice:
        return {"text": f"Blank [[{twice[0]}]] appears more than once in the text."}
    if len(in_text) > MAX_BLANKS:
        return {"text": f"At most {MAX_BLANKS} blanks."}
    blanks = details.get("blanks")
    if not isinstance(blanks, list) or not all(isinstance(b, dict) for b in blanks):
        return {"details": "details.blanks: a list of {id, answers, marks, case_sensitive} objects."}
    cleaned, seen = [], set()
    for b in blanks:
        bid = b.get("id")
        if isinstance(bid, bool) or not isinstance(bid, int) or bid < 0:
            return {"details": "Each blank needs its number (id), as in [[1]]."}
        if bid in seen:
            return {"details": f"Blank {bid} is defined twice."}
        seen.add(bid)
        answers, problem = text_list(b.get("answers"), what="Accepted answers", minimum=1, maximum=MAX_ANSWERS,
                                     max_length=MAX_BLANK_INPUT)  # fmt: skip
        if problem:
            return {"details": f"Blank {bid}: {problem}"}
        marks = b.get("marks", 1)
        if isinstance(marks, bool) or not isinstance(marks, int) or not 1 <= marks <= 100:
            return {"details": f"Blank {bid}: marks must be a whole number from 1 to 100."}
        case = b.get("case_sensitive", False)
        if not isinstance(case, bool):
            return {"details": f"Blank {bid}: case_sensitive must be true or false."}
        unknown = set(b) - {"id", "answers", "marks", "case_sensitive"}
        if unknown:
            return {"details": f"Blank {bid}: unknown field(s) {', '.join(sorted(unknown))}."}
        cleaned.append({"id": bid, "answers": answers, "marks": marks, "case_sensitive": case})
    missing = [n for n in in_text if n not in seen]
    if missing:
        return {"details": f"Blank [[{missing[0]}]] in the text has no accepted answers."}
    extra = sorted(seen - set(in_text))
    if extra:
        return {"details": f"Blank {extra[0]} is not in the text (write it as [[{extra[0]}]])."}
    order = {n: i for i, n in enumerate(in_text)}
    details["blanks"] = sorted(cleaned, key=lambda b: order[b["id"]])
    unknown = set(details) - {"blanks"}
    if unknown:
        return {"details": f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."}
    return {}


def meta(question) -> dict:
    return {"blanks": [str(b["id"]) for b in question.details.get("blanks") or []]}


def clean_response(raw, info: dict, perm=None):
    """{"1": text, ...}; blanks left empty are dropped; nothing typed is no answer."""
    if raw is None:
        return None
    allowed = set(info.get("blanks") or [])
    if not isinstance(raw, dict) or any(str(k) not in allowed for k in raw):
        raise ResponseError("response: an object {blank number: text} for the blanks of the question.")
    out = {}
    for key, value in raw.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ResponseError(f"response: blank {key} must be a text.")
        if len(value) > MAX_BLANK_INPUT:
            raise ResponseError(f"response: blank {key} holds at most {MAX_BLANK_INPUT} characters.")
        value = value.replace("\x00", "")
        if value.strip():
            out[str(key)] = value
    return out or None


def mark(question, response) -> Fraction:
    from quizzes.marking import short_answer_matches  # the short answer's matching rules, one place

    blanks = question.details.get("blanks") or []
    total = sum(b["marks"] for b in blanks)
    if not total or not isinstance(response, dict):
        return Fraction(0)
    earned = sum(
        b["marks"]
        for b in blanks
        if short_answer_matches(response.get(str(b["id"])), b["answers"], case_sensitive=b.get("case_sensitive"))
    )
    return Fraction(earned, total)


def segments(text: str) -> list[tuple[str, str | None]]:
    """The text cut at its blanks: [(text before, blank id or None), ...] for the exam page and the review."""
    out, last = [], 0
    for m in BLANK.finditer(text or ""):
        out.append((text[last : m.start()], m.group(1)))
        last = m.end()
    out.append((text[last:], None))
    return out


def display(question, response) -> str:
    response = response if isinstance(response, dict) else {}
    return "; ".join(f"[{b['id']}] {response.get(str(b['id'])) or '—'}" for b in question.details.get("blanks") or [])


def key_display(question) -> str:
    return "; ".join(f"[{b['id']}] {' / '.join(b['answers'])}" for b in question.details.get("blanks") or [])
