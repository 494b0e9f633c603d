"""The API's parsers: DRF's own, plus the input rule of quizsite.text on everything they parse.

REST_FRAMEWORK's DEFAULT_PARSER_CLASSES names these, so every endpoint checks its body before a serializer or a
service sees it; a view that names its own parser_classes (an upload) takes them from here too
(quizsite/tests/test_text.py walks every API view for it). A string or mapping key with a control character is a
400 naming the field, or is stripped when the view says `control_characters = STRIP`.
"""

from __future__ import annotations

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from quizsite.text import STRIP, find_control_character, find_in_form, input_policy, strip_control_characters


class ControlCharacterCheck:
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        view = (parser_context or {}).get("view")
        data = parsed.data if isinstance(parsed, parsers.DataAndFiles) else parsed
        if input_policy(view) == STRIP:
            data = strip_control_characters(data)
            return parsers.DataAndFiles(data, parsed.files) if isinstance(parsed, parsers.DataAndFiles) else data
        found = find_in_form(data) if isinstance(data, QueryDict) else find_control_character(data)
        if found is not None:
            field, message = found
            raise ValidationError({field: [message]})
        return parsed


class JSONParser(ControlCharacterCheck, parsers.JSONParser):
    pass


class FormParser(ControlCharacterCheck, parsers.FormParser):
    pass


class MultiPartParser(ControlCharacterCheck, parsers.MultiPartParser):
    pass
