"""The autosave endpoint's fast path (issue 14): POST /api/v1/attempts/{id}/answer with a Bearer token.

What a save needs and nothing else, with every guarantee of the DRF path (attempts.api.views.AttemptAnswerView):
- the access token checked as accounts.authentication.PasswordAwareJWTAuthentication checks it (signature, expiry,
  access type; the user present and active; the password fingerprint; the logout/session deny list), the user and
  the attempt read in ONE statement (attempts.autosave.user_and_attempt_for_save), the attempt only if it is this
  student's;
- the body as the API's JSON parser reads it, control characters stripped as the view says (quizsite.text);
- the quiz's access rules (attempts.access.check_attempt_request: network, Safe Exam Browser, one session);
- the service (attempts.services.answers_save: server-clock deadline + grace, client_seq ordering, type
  validation, one row per question) and the same output serializers and JSON renderer, so the same JSON.

Not run here, because they do not earn their cost on this path: DRF's request wrapping, content negotiation,
authentication-class loop, permission and throttle classes (the per-user throttle made two Redis round trips per
save; an exam page saves every few seconds, far below it, and quizsite.admission sheds overload for every path).

Anything unusual (no Bearer token, a token or user that does not pass, not a student, no such attempt for this
student, a body of a shape the DRF serializer would have to coerce or refuse) returns None and the request takes
the DRF path, which answers exactly as before (the same 400/401/403/404 bodies).
"""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.db import Error as DatabaseError
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from accounts.authentication import PASSWORD_CLAIM, password_fingerprint, token_revoked
from accounts.models import Role
from attempts import access, services
from attempts.api.serializers import AnswerSavedSerializer, AnswersSavedSerializer
from attempts.autosave import MAX_BATCH, user_and_attempt_for_save
from attempts.errors import AttemptError
from quizsite.text import strip_control_characters

_KEYS = frozenset({"question_id", "answer_option", "answer_text", "client_seq"})
_renderer = JSONRenderer()


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _, raw = header.partition(" ")
    if kind != "Bearer" or not raw or " " in raw:
        return None
    return raw


def _claims(raw: str):
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.tokens import AccessToken

    try:
        return AccessToken(raw)  # signature, expiry, token type: as the authentication class does
    except TokenError:
        return None


def _int(value, minimum=None) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum)
    )


def _canonical(item) -> bool:
    """An answer exactly as the DRF serializer would pass it on unchanged; anything else takes the DRF path."""
    if not isinstance(item, dict) or not item.keys() <= _KEYS:
        return False
    qid = item.get("question_id")
    if not isinstance(qid, str) or len(qid) != 36:
        return False
    try:
        if str(uuid.UUID(qid)) != qid:
            return False
    except ValueError:
        return False
    text = item.get("answer_text")
    return (
        _int(item.get("answer_option"))
        and _int(item.get("client_seq"), minimum=0)
        and (text is None or (isinstance(text, str) and "\x00" not in text))
    )


def _json(data, status: int = 200) -> HttpResponse:
    response = HttpResponse(_renderer.render(data), status=status, content_type="application/json")
    response["Vary"] = "Accept"
    response["Allow"] = "POST, OPTIONS"
    return response


def fast_save(request, attempt_id) -> HttpResponse | None:
    """The save's response, or None to let the DRF path answer."""
    raw = _bearer(request)
    if raw is None or request.content_type != "application/json":
        return None
    token = _claims(raw)
    if token is None:
        return None
    try:
        data = strip_control_characters(json.loads(request.body))
    except (ValueError, UnicodeDecodeError):
        return None
    batch = isinstance(data, dict) and "answers" in data
    items = data["answers"] if batch else [data]
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH or not all(map(_canonical, items)):
        return None
    user_id = token.get(settings.SIMPLE_JWT["USER_ID_CLAIM"])
    try:
        return _save(request, token, user_id, attempt_id, items, batch)
    except DatabaseError:
        # The database is unreachable or restarting: nothing was written (each statement is atomic); the DRF path
        # answers as it does for every endpoint (503 + Retry-After, quizsite.api.errors).
        return None


def _save(request, token, user_id, attempt_id, items: list, batch: bool) -> HttpResponse | None:
    found = user_and_attempt_for_save(user_id, attempt_id)
    if found is None:
        return None
    user, attempt = found
    if not user["is_active"] or user["role"] != Role.STUDENT or attempt is None:
        return None
    claim = token.get(PASSWORD_CLAIM)
    if claim is not None and claim != password_fingerprint(SimpleNamespace(password=user["password"])):
        return None
    if token_revoked(token):
        return None
    try:
        # Issue 17's access rules (network, Safe Exam Browser, one session) exactly as the DRF path checks them.
        access.check_attempt_request(request, attempt_id=attempt.pk)
        result = services.answers_save(
            attempt_id=attempt.pk, answers=items, student_id=user_id, student_name=user["name"], preloaded=attempt
        )
    except AttemptError as exc:  # rendered as quizsite.api.errors renders a DomainError
        body = {"detail": exc.message}
        if exc.code:
            body["code"] = exc.code
        return _json(body, exc.status_code)
    if batch:
        return _json(AnswersSavedSerializer(result).data)
    return _json(AnswerSavedSerializer({**result, **result["results"][0]}).data)
