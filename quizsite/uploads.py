"""Request bodies over their size limit are refused with 413 before they are read.

Two limits: an upload (a multipart body; every upload on the site is a spreadsheet import: the import pages,
/students/bulk-import, /questions/bulk-import, the admin's import) may be the 5 MB file of quizsite.tabular plus room
for the form's other fields; any other body (JSON, a form) may be DATA_UPLOAD_MAX_MEMORY_SIZE (1 MB, the setting
Django itself applies to request.body and to a form's text fields). Over its limit a request is answered 413: JSON
{"detail": ...} under /api/, a plain page elsewhere. Before, a question took 5.5 MB in each text field, and a body
over Django's own limit was a 400 HTML page or a 500.

Django parses a multipart body, spooling its files to disk past FILE_UPLOAD_MAX_MEMORY_SIZE, the first time
anything touches request.POST or request.FILES (CsrfViewMiddleware does, for a form without the CSRF header), so
the checks must come before anything reads the body:

- UploadLimitMiddleware (MIDDLEWARE; WSGI: gunicorn in the image and `make serve`, and the test client) decides on
  Content-Length alone. That is the whole story under WSGI: Django never reads past Content-Length, and a body sent
  without one (chunked) is read as empty. A page's multipart form within the upload limit is parsed here, so that
  text fields over DATA_UPLOAD_MAX_MEMORY_SIZE (Django's RequestDataTooBig) are a 413 too; the API's parsers raise
  the same error, which quizsite.api.errors turns into 413 JSON.
- UploadLimitASGI wraps an ASGI application (Django's ASGI handler reads the whole body before any middleware
  runs): it refuses on the header when there is one and otherwise counts the body as it streams in, cutting it off
  at the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from quizsite.tabular import MAX_UPLOAD_BYTES

# The file may be MAX_UPLOAD_BYTES; the multipart framing and the form's other fields need far less than this.
FORM_OVERHEAD_BYTES = 64 * 1024
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
TOO_LARGE = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it into smaller files."
BODY_METHODS = ("POST", "PUT", "PATCH")


def _is_upload(method: str, content_type: str) -> bool:
    return method in BODY_METHODS and content_type.lower().startswith("multipart/")


def _wants_json(path: str) -> bool:
    return path.startswith("/api/")


def body_limit() -> int | None:
    """The most a request that is not an upload may send (None: Django's setting turned off, no limit)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def body_too_large_message() -> str:
    return f"The request is larger than {_size(body_limit() or 0)}; nothing was saved. Send less text at once."


def _limit_for(method: str, content_type: str) -> tuple[int | None, bool]:
    """(the limit of this request's body, whether it is an upload)."""
    if _is_upload(method, content_type):
        return MAX_UPLOAD_REQUEST_BYTES, True
    return body_limit(), False


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit, upload = _limit_for(request.method, request.META.get("CONTENT_TYPE", ""))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty too
        if limit is not None and length > limit:
            return too_large_response(request.path, upload=upload)
        if upload and not _wants_json(request.path):
            try:
                request.POST  # noqa: B018 - parse now: text fields over the limit are a 413, not CSRF's 400
            except RequestDataTooBig:
                return too_large_response(request.path, upload=False)
        return self.get_response(request)


def too_large_response(path: str, *, upload: bool = True) -> HttpResponse:
    if _wants_json(path):
        return JsonResponse({"detail": TOO_LARGE if upload else body_too_large_message()}, status=413)
    text = f"{TOO_LARGE} Go back and choose a smaller file." if upload else f"{body_too_large_message()} Go back."
    return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")


class UploadLimitASGI:
    """ASGI middleware for the "http" application: refuse a body over its limit (an upload's, or any other
    request's) without handing Django more of it than the limit."""

    def __init__(self, app, *, limit: int = MAX_UPLOAD_REQUEST_BYTES):
        self.app, self.upload_limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        upload = _is_upload(scope.get("method", ""), content_type)
        limit = self.upload_limit if upload else body_limit()
        if limit is None:
            return await self.app(scope, receive, send)
        try:
            declared = int(headers.get(b"content-length", b""))
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            return await self._refuse(scope, send, upload=upload)

        received, cut_off, started = 0, False, False

        async def counted_receive():
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if cut_off and not started:
            await self._refuse(scope, send, upload=upload)

    async def _refuse(self, scope, send, *, upload: bool):
        response = too_large_response(scope.get("path", ""), upload=upload)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [
                    (b"content-type", response["Content-Type"].encode("latin-1")),
                    (b"content-length", str(len(response.content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.content})
