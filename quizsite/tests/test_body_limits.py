"""Request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (1 MB; uploads to the import endpoints have their own 5 MB) answer
413: JSON {"detail": ...} under /api/, a plain page elsewhere, and nothing is written. Before, a question could carry
5.5 MB in each text field, and an oversized body was a 400 HTML page or a 500."""

import json

import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.urls import reverse

from quizsite.tests.test_uploads import BOUNDARY, ExplodingStream, http_scope, run_asgi
from quizsite.uploads import UploadLimitASGI
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
TOO_LARGE_TEXT = "larger than 1 MB"


def json_body(size: int) -> bytes:
    """A question whose text makes the JSON body exactly `size` bytes."""
    shell = json.dumps({"type": "descriptive", "text": ""}).encode()
    return json.dumps({"type": "descriptive", "text": "x" * (size - len(shell))}).encode()


def test_the_default_limit_is_1_mb():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == MB


def test_api_json_body_over_the_limit_is_413_json_and_writes_nothing(api_for, teacher):
    res = api_for(teacher).generic("POST", "/api/v1/questions", json_body(MB + 1), content_type="application/json")
    assert res.status_code == 413 and res["Content-Type"] == "application/json"
    assert TOO_LARGE_TEXT in res.json()["detail"]
    assert not Question.objects.exists()


def test_api_json_body_at_the_limit_is_read_and_judged_on_its_fields(api_for, teacher):
    res = api_for(teacher).generic("POST", "/api/v1/questions", json_body(MB), content_type="application/json")
    assert res.status_code == 400 and res.json()["detail"].startswith("text:")
    assert not Question.objects.exists()


def test_an_oversized_api_body_is_never_read(api_for, teacher):
    res = api_for(teacher).generic(
        "PUT", "/api/v1/quizzes/00000000-0000-0000-0000-000000000000", b"{}", content_type="application/json",
        CONTENT_LENGTH=str(10**9), **{"wsgi.input": ExplodingStream()},
    )  # fmt: skip
    assert res.status_code == 413 and TOO_LARGE_TEXT in res.json()["detail"]


def test_api_multipart_with_an_oversized_text_field_is_413_json(api_for, teacher):
    # Under the upload limit as a whole, but its text fields are over 1 MB: Django's RequestDataTooBig, now a 413.
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{"x" * (2 * MB)}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nMaths\r\n--{BOUNDARY}--\r\n'
    ).encode()
    res = api_for(teacher).generic(
        "POST", "/api/v1/quizzes", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert res.status_code == 413 and TOO_LARGE_TEXT in res.json()["detail"]
    assert not Quiz.objects.exists()


def test_page_form_over_the_limit_is_a_plain_413_page(client, teacher):
    client.force_login(teacher.user)
    data = {"type": "descriptive", "text": "x" * (MB + 1), "difficulty": "easy", "marks": 1}
    res = client.post(reverse("quizzes:question_create"), data)
    assert res.status_code == 413 and res["Content-Type"].startswith("text/plain")
    assert TOO_LARGE_TEXT in res.content.decode()
    assert not Question.objects.exists()


def test_page_multipart_with_an_oversized_text_field_is_a_plain_413_page(client, teacher):
    client.force_login(teacher.user)
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{"x" * (2 * MB)}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="type"\r\n\r\ndescriptive\r\n--{BOUNDARY}--\r\n'
    ).encode()
    res = client.generic(
        "POST", reverse("quizzes:question_create"), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert res.status_code == 413 and TOO_LARGE_TEXT in res.content.decode()
    assert not Question.objects.exists()


def test_the_limit_follows_the_setting(api_for, teacher, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * MB
    res = api_for(teacher).generic("POST", "/api/v1/questions", json_body(MB + 1), content_type="application/json")
    assert res.status_code == 400 and res.json()["detail"].startswith("text:")


# --- ASGI --------------------------------------------------------------------------------------------------------
def json_scope(headers):
    scope = http_scope(headers, path="/api/v1/questions")
    scope["headers"] = [(k, b"application/json" if k == b"content-type" else v) for k, v in scope["headers"]]
    return scope


async def test_asgi_refuses_a_declared_oversized_json_body_without_calling_django():
    async def app(scope, receive, send):
        raise AssertionError("the application was called")

    status, body = await run_asgi(UploadLimitASGI(app), json_scope([(b"content-length", str(MB + 1).encode())]), [b"{"])
    assert status == 413 and TOO_LARGE_TEXT in json.loads(body)["detail"]


async def test_asgi_cuts_off_a_streamed_json_body_at_the_limit():
    chunks = [b"x" * 64 * 1024] * 20  # 1.25 MB, no Content-Length
    status, body = await run_asgi(UploadLimitASGI(ASGIHandler()), json_scope([]), chunks)
    assert status == 413 and TOO_LARGE_TEXT in json.loads(body)["detail"]
