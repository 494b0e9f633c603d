"""One error format for the whole API: JSON with a human `detail` string (the SPA shows `error.detail`).

Validation errors keep the field messages under `errors`; domain errors raised by services become 4xx here, so a
view never has to translate them itself.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from quizsite.errors import DomainError
from quizsite.uploads import body_too_large_message


def _first_message(data) -> str | None:
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        for item in data:
            found = _first_message(item)
            if found:
                return found
    if isinstance(data, dict):
        for key, value in data.items():
            found = _first_message(value)
            if found:
                return found if key in ("non_field_errors", "detail", "__all__") else f"{key}: {found}"
    return None


DATABASE_RETRY_AFTER_SECONDS = 2


def exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is restarting or unreachable (a fault drill, a failover): nothing was written, so say so
        # and when to retry, instead of a 500 page the SPA cannot parse. The exam page re-sends after Retry-After.
        response = Response(
            {"detail": "The server is briefly unable to reach its database. Nothing was saved; please retry."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, RequestDataTooBig):
        # A form's text fields over DATA_UPLOAD_MAX_MEMORY_SIZE (quizsite.uploads refuses the rest on its length).
        return Response({"detail": body_too_large_message()}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.code:
            body["code"] = exc.code
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _first_message(errors) or "Invalid input.", "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.ParseError):
        response.data = {"detail": f"Malformed request body: {exc.detail}"}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data["detail"] = str(response.data["detail"])
    else:
        response.data = {"detail": _first_message(response.data) or "Request failed."}
    return response
