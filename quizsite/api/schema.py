"""The OpenAPI schema says what the API answers, errors included (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

Every error of the API has one shape, made in one place (quizsite.api.errors): JSON with a human `detail`, plus
`errors` per field for invalid input and a machine `code` for some domain errors. So the error responses are
documented here, once, for every operation, instead of on each view: an operation keeps whatever its view
declares and gets, for each status below it does not declare, the shared `Error` body.

- 400 invalid input: operations that take a body or parameters (a malformed id in the path is invalid input);
- 401 no or bad token, 403 not allowed, 404 unknown or out-of-scope object (or page), 429 throttled, 503 briefly
  overloaded or database unreachable (with Retry-After): any operation;
- 409 the object's state forbids the change (a published quiz, an attempted question): writes;
- 413 a body over the size limit: operations that take a body.

A DELETE answers 200 with `{"message": ...}` (README, notes for the SPA), not drf-spectacular's default 204.
`make security` (security/run.py) holds the schema to the responses with schemathesis.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A human message the SPA shows as is.")
    errors = serializers.DictField(
        required=False, help_text="Invalid input only: the messages per field (nested as the input is)."
    )
    code = serializers.CharField(required=False, help_text="Some domain errors: a stable machine code.")


# A DELETE's body, {"message": "... deleted"}: inline, so it does not clash with the apps' own Message component.
DELETED = {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `detail`, and `errors` per field.",
    "401": "Not signed in, or the token is invalid or expired.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object among those you can see (or no such page).",
    "409": "The object's current state does not allow this change.",
    "413": "The request body is larger than the limit.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
    "503": "Briefly overloaded or unable to reach the database; nothing was changed: retry after `Retry-After`.",
}
FILE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",  # issue 22: class packs of one PDF per student
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def file_responses(*formats: str) -> dict:
    """`extend_schema(responses=file_responses("csv", "xlsx"))`: a download, in each format's content type."""
    return {(200, FILE_TYPES[fmt]): OpenApiTypes.BINARY for fmt in formats}


WRITE_METHODS = BODY_METHODS | {"DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "DELETE" and set(responses) == {"204"}:
            responses = {"200": self._get_response_for_code(DELETED, "200", direction=direction)}
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429", "503"]
        has_body = self.method in BODY_METHODS
        if has_body or self._has_parameters():
            codes.append("400")
        if self.method in WRITE_METHODS:
            codes.append("409")
        if has_body:
            codes.append("413")
        return sorted(codes)

    def _has_parameters(self) -> bool:
        # Path parameters too: an id that matches the URL pattern but is no UUID is invalid input.
        return bool(self._get_parameters())


def any_of_for_role_variants(result, generator, request, public):
    """SPECTACULAR_SETTINGS' postprocessing hook: a response that differs by role (PolymorphicProxySerializer
    without a type field) is declared `anyOf`, not drf-spectacular's `oneOf`. The student's shape is a subset of
    the staff one, so a staff body matches both variants, which `oneOf` forbids."""

    def walk(node):
        if isinstance(node, dict):
            if "oneOf" in node and "discriminator" not in node:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
