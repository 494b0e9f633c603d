"""The one rule for text that comes in: no C0 control characters other than tab, line feed and carriage return.

Nobody types them on purpose (they arrive pasted from another program), XML and so XLSX cannot hold them (an export
with one failed with a 500 until the record was fixed), and they hide text from whoever reads it next. The rule is
applied where text enters, once per kind of entrance, so a new form or endpoint cannot forget it:

- every API body (JSON, form, multipart): the parsers of quizsite.api.parsers, configured in REST_FRAMEWORK;
- every page POST: ControlCharacterMiddleware (MIDDLEWARE), over request.POST;
- imports: each row through quizsite.tabular.row_control_character_error, and the models' validators
  (validate_no_control_characters) for what an import or the admin saves through full_clean.

A refusal names the field and writes nothing. Where refusing would lose someone's work (a student's answers during
an exam), the view opts into stripping them instead: `@strips_control_characters` on a page view, or
`control_characters = STRIP` on an API view.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

REJECT = "reject"
STRIP = "strip"


def control_character_error(value: str) -> str | None:
    """What is wrong with `value`, or None when it holds no forbidden control character."""
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    return (
        f"Remove the invisible control character U+{ord(found.group()):04X} (it is often pasted in from another "
        "program)."
    )


def validate_no_control_characters(value) -> None:
    """A model field validator: the same rule for whatever reaches full_clean (imports, the admin, services)."""
    if isinstance(value, str) and (message := control_character_error(value)):
        raise ValidationError(message, code="control_character")


def find_control_character(data, path: str = "") -> tuple[str, str] | None:
    """(the dotted path of the first string, or mapping key, holding a control character; the message) in parsed
    data (dicts, lists, strings, numbers), else None. Walked without recursion: a body may be deeply nested."""
    stack = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if message := control_character_error(value):
                return where or "non_field_errors", message
        elif isinstance(value, dict):
            items = list(value.items())
            for key, item in reversed(items):
                key = str(key)
                if message := control_character_error(key):
                    return where or "non_field_errors", message
                stack.append((f"{where}.{key}" if where else key, item))
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{where}.{index}" if where else str(index), item) for index, item in reversed(
                list(enumerate(value))))  # fmt: skip
    return None


def find_in_form(data: QueryDict) -> tuple[str, str] | None:
    """(field, message) for the first field of a parsed form with a control character in its name or one of its
    values, else None. (Uploaded files' names need no check: Django's multipart parser drops unprintable
    characters from them.)"""
    for key, values in data.lists():
        message = control_character_error(key) or next(
            (m for v in values if isinstance(v, str) and (m := control_character_error(v))), None
        )
        if message:
            return key, message
    return None


def strip_control_characters(data):
    """`data` with the control characters removed from every string and mapping key (a QueryDict stays one)."""
    if isinstance(data, QueryDict):
        cleaned = QueryDict(mutable=True, encoding=data.encoding)
        for key, values in data.lists():
            cleaned.setlist(strip_control_characters(key), strip_control_characters(values))
        cleaned._mutable = False
        return cleaned
    if isinstance(data, str):
        return CONTROL_CHARACTERS.sub("", data)
    if isinstance(data, dict):
        return {strip_control_characters(str(k)): strip_control_characters(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [strip_control_characters(v) for v in data]
    return data


def strips_control_characters(view):
    """Mark a page view whose POST text is stripped of control characters rather than refused."""
    view.control_characters = STRIP
    return view


def input_policy(view) -> str:
    """REJECT unless the view (a function, a class-based view's function, or an API view instance or class) says
    STRIP."""
    for candidate in (view, getattr(view, "cls", None), getattr(view, "view_class", None)):
        if getattr(candidate, "control_characters", None) == STRIP:
            return STRIP
    return REJECT


def _is_api_view(view_func) -> bool:
    # DRF's as_view (APIView and viewsets) marks the view with its class as `cls`; Django's own sets `view_class`.
    return getattr(view_func, "cls", None) is not None


class ControlCharacterMiddleware:
    """Every page POST, PUT or PATCH: a field with a control character is refused with a plain 400 page naming it,
    before the view runs. API views are left to their parsers (quizsite.api.parsers): reading request.POST here
    would make DRF skip them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH") or _is_api_view(view_func):
            return None
        if input_policy(view_func) == STRIP:
            request.POST = strip_control_characters(request.POST)
            return None
        found = find_in_form(request.POST)
        return refused_page(*found) if found else None


def refused_page(field: str, message: str) -> HttpResponse:
    text = f"The field “{field}” cannot be saved. {message} Go back, remove it and send the form again."
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
