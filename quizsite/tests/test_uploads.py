"""quizsite.uploads: an upload over the limit is answered 413 before its body is read, through the real import
endpoints and pages; one within the limit goes on as before."""

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.urls import reverse

from accounts.models import Student
from classrooms.models import ImportJob
from quizsite.tabular import MAX_UPLOAD_BYTES
from quizsite.uploads import MAX_UPLOAD_REQUEST_BYTES, TOO_LARGE, UploadLimitASGI
from quizzes.models import Question

BOUNDARY = "----quizsite-test-boundary"
STUDENTS_API = "/api/v1/students/bulk-import"
QUESTIONS_API = "/api/v1/questions/bulk-import"


def multipart(content: bytes, *, filename: str = "students.csv", total: int | None = None) -> bytes:
    """A multipart body with one file field; with `total`, the file is padded with blank lines (which imports skip)
    so that the whole body is exactly `total` bytes."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    if total is not None:
        padding = total - len(head) - len(content) - len(tail)
        content += (b" " * 99 + b"\n") * (padding // 100) + b"\n" * (padding % 100)
    return head + content + tail


def post(client, url: str, body: bytes, **extra):
    return client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


class ExplodingStream:
    """A request body nobody may read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


STUDENT_CSV = b"name,email,registration_number,class_name\nNew Student,new@school.test,STU777,Class 10A\n"


@pytest.mark.django_db
def test_students_import_one_byte_over_the_limit_is_413_json_and_writes_nothing(api_for, admin, school_class):
    body = multipart(STUDENT_CSV, total=MAX_UPLOAD_REQUEST_BYTES + 1)
    res = post(api_for(admin), STUDENTS_API, body)
    assert res.status_code == 413 and res.json() == {"detail": TOO_LARGE}
    assert not ImportJob.objects.exists() and not Student.objects.exists()


@pytest.mark.django_db
def test_the_body_of_a_refused_upload_is_never_read(api_for, admin):
    res = post(api_for(admin), STUDENTS_API, b"x", CONTENT_LENGTH=str(10**9), **{"wsgi.input": ExplodingStream()})
    assert res.status_code == 413 and res.json()["detail"] == TOO_LARGE


@pytest.mark.django_db
def test_questions_import_over_the_limit_is_413_json_and_writes_nothing(api_for, teacher):
    body = multipart(b"text,type\nWhat is 2+2?,short_answer\n", filename="q.csv", total=MAX_UPLOAD_REQUEST_BYTES + 1)
    res = post(api_for(teacher), QUESTIONS_API, body)
    assert res.status_code == 413 and res.json() == {"detail": TOO_LARGE}
    assert not Question.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["classrooms:import", "quizzes:question_import"])
def test_import_pages_over_the_limit_answer_a_plain_413_page(client, teacher, url_name):
    client.force_login(teacher.user)
    res = post(client, reverse(url_name), b"x", CONTENT_LENGTH=str(MAX_UPLOAD_REQUEST_BYTES + 1))
    assert res.status_code == 413 and res["Content-Type"].startswith("text/plain")
    assert TOO_LARGE in res.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_an_upload_within_the_limit_is_imported_as_before(api_for, admin, school_class):
    body = multipart(STUDENT_CSV, total=MAX_UPLOAD_BYTES)  # the file itself just under 5 MB
    res = post(api_for(admin), STUDENTS_API, body)
    assert res.status_code == 200, res.json()
    assert res.json()["imported"] == 1
    assert Student.objects.get().registration_number == "STU777"


@pytest.mark.django_db
def test_a_body_at_the_limit_passes_and_the_file_check_still_applies(api_for, admin, school_class):
    # The body fits the request limit, but the file in it is over 5 MB: read_table refuses it, as before.
    res = post(api_for(admin), STUDENTS_API, multipart(STUDENT_CSV, total=MAX_UPLOAD_REQUEST_BYTES))
    assert res.status_code == 400 and "larger than 5 MB" in res.json()["detail"]
    assert not Student.objects.exists()


# --- ASGI --------------------------------------------------------------------------------------------------------
def http_scope(headers: list[tuple[bytes, bytes]], path: str = STUDENTS_API) -> dict:
    content_type = f"multipart/form-data; boundary={BOUNDARY}".encode()
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", content_type), *headers],
        "client": ("127.0.0.1", 12345),
        "server": ("testserver", 80),
    }


async def run_asgi(app, scope, chunks: list[bytes]) -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, scope)
    for index, chunk in enumerate(chunks):
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1})
    start = await communicator.receive_output(timeout=5)
    body = await communicator.receive_output(timeout=5)
    await communicator.wait(timeout=5)
    return start["status"], body["body"]


async def test_asgi_refuses_on_the_declared_length_without_calling_django():
    async def app(scope, receive, send):
        raise AssertionError("the application was called")

    scope = http_scope([(b"content-length", str(MAX_UPLOAD_REQUEST_BYTES + 1).encode())])
    status, body = await run_asgi(UploadLimitASGI(app), scope, [b"x"])
    assert status == 413 and TOO_LARGE in body.decode()


async def test_asgi_cuts_off_a_streamed_body_at_the_limit():
    # No Content-Length: Django's own handler would spool the whole body; it gets the limit and a disconnect.
    chunk = b"x" * 1024 * 1024
    chunks = [chunk] * (MAX_UPLOAD_REQUEST_BYTES // len(chunk) + 2)
    status, body = await run_asgi(UploadLimitASGI(ASGIHandler()), http_scope([]), chunks)
    assert status == 413 and TOO_LARGE in body.decode()


async def test_asgi_passes_an_upload_within_the_limit():
    seen = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = [b"x" * 1000] * 3
    status, body = await run_asgi(UploadLimitASGI(app), http_scope([(b"content-length", b"3000")]), chunks)
    assert (status, body, sum(seen)) == (200, b"ok", 3000)


def test_the_served_asgi_app_refuses_oversized_uploads_before_django():
    from quizsite.asgi import application

    assert isinstance(application.application_mapping["http"], UploadLimitASGI)
