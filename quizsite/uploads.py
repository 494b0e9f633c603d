"""Uploads over the size limit are refused before their body is read.

Django parses a multipart body, spooling its files to disk past FILE_UPLOAD_MAX_MEMORY_SIZE, the first time
anything touches request.POST or request.FILES (CsrfViewMiddleware does, for a form without the CSRF header), so
quizsite.tabular's 5 MB check used to run only after a body of any size had been read and stored. Every upload on
the site is a spreadsheet import (the import pages, /students/bulk-import, /questions/bulk-import, the admin's
import), so a multipart body longer than the file limit plus room for the form's other fields is refused with 413:
JSON {"detail": ...} under /api/, a plain page elsewhere.

- UploadLimitMiddleware (MIDDLEWARE; WSGI: gunicorn in the image and `make serve`, and the test client) decides on
  Content-Length alone. That is the whole story under WSGI: Django never reads past Content-Length, and a body sent
  without one (chunked) is read as empty.
- UploadLimitASGI wraps an ASGI application (Django's ASGI handler reads the whole body before any middleware
  runs): it refuses on the header when there is one and otherwise counts the body as it streams in, cutting it off
  at the limit.
"""

from __future__ import annotations

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


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_upload(request.method, request.META.get("CONTENT_TYPE", "")):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads such a body as empty too
            if length > MAX_UPLOAD_REQUEST_BYTES:
                return too_large_response(request.path)
        return self.get_response(request)


def too_large_response(path: str) -> HttpResponse:
    if _wants_json(path):
        return JsonResponse({"detail": TOO_LARGE}, status=413)
    return HttpResponse(
        f"{TOO_LARGE} Go back and choose a smaller file.", status=413, content_type="text/plain; charset=utf-8"
    )


class UploadLimitASGI:
    """ASGI middleware for the "http" application: refuse an upload over the limit without handing Django more of
    its body than the limit."""

    def __init__(self, app, *, limit: int = MAX_UPLOAD_REQUEST_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        headers = {name.lower(): value for name, value in scope.get("headers", [])} if scope["type"] == "http" else {}
        if not _is_upload(scope.get("method", ""), headers.get(b"content-type", b"").decode("latin-1")):
            return await self.app(scope, receive, send)
        try:
            declared = int(headers.get(b"content-length", b""))
        except ValueError:
            declared = None
        if declared is not None and declared > self.limit:
            return await self._refuse(scope, send)

        received, cut_off, started = 0, False, False

        async def counted_receive():
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    cut_off = True
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if cut_off and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        response = too_large_response(scope.get("path", ""))
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
