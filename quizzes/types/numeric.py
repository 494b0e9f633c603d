"""numeric: accepted values with an absolute tolerance each (the data shape and scoring rules: quizzes.types)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from quizzes.types.base import ResponseError, number, text_problem

MAX_ANSWERS = 20
MAX_INPUT = 100
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?")


def parse_number(text: str | None) -> Decimal | None:
    """What a student typed, read as a number: `3.5`, `3,5` (decimal comma), `1,000.5` / `1 000,5` (grouping),
    `1.2e-3`, `1,2E3`, a Unicode minus. None when it is not a number."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = s.replace("\u2212", "-").replace("\u2013", "-").replace("×10^", "e").replace("x10^", "e").replace("*10^", "e")
    s = re.sub(r"[\s_'\u00a0\u202f]", "", s)
    if not s or len(s) > MAX_INPUT:
        return None
    mantissa, sep, exponent = s.partition("e")
    sign = mantissa[:1] if mantissa[:1] in "+-" else ""
    mantissa = mantissa[len(sign) :]
    if "," in mantissa and "." in mantissa:
        # Both: the last one is the decimal separator, the other groups thousands.
        group, decimal = (".", ",") if mantissa.rfind(",") > mantissa.rfind(".") else (",", ".")
        whole, _, fraction = mantissa.rpartition(decimal)
        if not _GROUPED.fullmatch(whole.replace(group, ",")):
            return None
        mantissa = whole.replace(group, "") + "." + fraction
    elif mantissa.count(",") == 1:
        mantissa = mantissa.replace(",", ".")
    elif mantissa.count(",") > 1:
        if not _GROUPED.fullmatch(mantissa):
            return None
        mantissa = mantissa.replace(",", "")
    mantissa = sign + mantissa
    s = mantissa + sep + exponent
    if not _NUMBER.fullmatch(s):
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _dec(value) -> Decimal:
    return Decimal(str(value))


def validate(question) -> dict[str, str]:
    details = question.details
    answers = details.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= MAX_ANSWERS:
        return {"details": f"Give 1 to {MAX_ANSWERS} accepted values (details.answers)."}
    cleaned = []
    for position, item in enumerate(answers, start=1):
        if not isinstance(item, dict):
            return {"details": f"Accepted value {position}: an object with value, tolerance and fraction."}
        value, tolerance = number(item.get("value")), number(item.get("tolerance", 0))
        fraction = number(item.get("fraction", 1))
        if value is None:
            return {"details": f"Accepted value {position}: value must be a number."}
        if tolerance is None or tolerance < 0:
            return {"details": f"Accepted value {position}: tolerance must be a number of 0 or more."}
        if fraction is None or not 0 < fraction <= 1:
            return {"details": f"Accepted value {position}: fraction must be more than 0 and at most 1."}
        unknown = set(item) - {"value", "tolerance", "fraction"}
        if unknown:
            return {"details": f"Accepted value {position}: unknown field(s) {', '.join(sorted(unknown))}."}
        cleaned.append({"value": value, "tolerance": tolerance, "fraction": fraction})
    if not any(a["fraction"] == 1 for a in cleaned):
        return {"details": "At least one accepted value must earn full marks (fraction 1)."}
    details["answers"] = cleaned
    unit = details.get("unit", "")
    if unit:
        if problem := text_problem(unit, what="The unit", max_length=50):
            return {"details": problem}
        details["unit"] = str(unit).strip()
    else:
        details.pop("unit", None)
    unknown = set(details) - {"answers", "unit"}
    if unknown:
        return {"details": f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."}
    return {}


def meta(question) -> dict:
    return {}


def clean_response(raw, info: dict, perm=None):
    """A numeric answer is typed text (answer_text); it is stored as typed and read at marking."""
    if raw is None:
        return None
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise ResponseError("answer_text: a number as text, e.g. 3.5 or 3,5.")
    text = str(raw).replace("\x00", "")
    if len(text) > MAX_INPUT:
        raise ResponseError(f"answer_text: at most {MAX_INPUT} characters for a number.")
    return text


def mark(question, response) -> Fraction:
    given = parse_number(response)
    if given is None:
        return Fraction(0)
    best = Fraction(0)
    for answer in question.details.get("answers") or []:
        if abs(given - _dec(answer["value"])) <= _dec(answer.get("tolerance", 0)):
            best = max(best, Fraction(_dec(answer.get("fraction", 1))))
    return best


def display(question, response) -> str:
    return str(response or "")


def _fmt(value) -> str:
    d = _dec(value)
    return format(d.normalize(), "f") if d == d.to_integral() else str(d)


def key_display(question) -> str:
    unit = question.details.get("unit", "")
    parts = []
    for a in question.details.get("answers") or []:
        text = _fmt(a["value"]) + (f" ± {_fmt(a['tolerance'])}" if a.get("tolerance") else "")
        if unit:
            text += f" {unit}"
        if a.get("fraction", 1) != 1:
            text += f" ({round(a['fraction'] * 100)}% of the marks)"
        parts.append(text)
    return "; ".join(parts)
