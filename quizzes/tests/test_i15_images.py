"""Issue 15: question images. Re-encoded so no payload survives, size and dimensions checked, alt text required,
stored through Django's storage API, served only to those allowed to see the question (a student only during or
after an attempt that contains it), cached by the browser privately."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from attempts import services as attempt_services
from quizzes.models import QuestionImage
from quizzes.services import QuizError, question_create, question_image_add
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db
PAYLOAD = b"<script>alert(1)</script><svg onload=alert(2)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(width=40, height=30, *, extra=b"", fmt="PNG", mode="RGB"):
    out = io.BytesIO()
    image = Image.new(mode, (width, height), "teal")
    info = {}
    if fmt == "PNG":
        from PIL import PngImagePlugin

        meta = PngImagePlugin.PngInfo()
        meta.add_text("Comment", PAYLOAD.decode())
        info["pnginfo"] = meta
    image.save(out, fmt, **info)
    return out.getvalue() + extra


def upload(data, name="diagram.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def question(teacher):
    return question_create(
        by=teacher.user,
        data={"type": "numeric", "text": "Read the graph: $y$ at $x=2$?", "details": {"answers": [{"value": 4}]}},
    )


def test_an_image_is_re_encoded_so_no_payload_survives(teacher, question, media):
    image = question_image_add(
        question=question, by=teacher.user, upload=upload(png(extra=PAYLOAD)), alt_text="  A line through (2, 4) "
    )
    stored = image.image.read()
    assert PAYLOAD not in stored and b"alert" not in stored and b"Comment" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    assert (image.width, image.height, image.alt_text, image.content_type) == (
        40,
        30,
        "A line through (2, 4)",
        "image/png",
    )
    assert "diagram" not in image.image.name  # never the uploader's file name
    jpeg = question_image_add(question=question, by=teacher.user, upload=upload(png(fmt="JPEG")), alt_text="photo")
    assert jpeg.content_type == "image/jpeg" and jpeg.image.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "alt", "words"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "svg", "readable PNG, JPEG or GIF"),
        (b"GIF89a" + PAYLOAD, "fake gif", "readable PNG, JPEG or GIF"),
        (png()[:60], "truncated", "readable PNG, JPEG or GIF"),
        (png(4001, 10), "too wide", "4000 × 4000"),
        (png(mode="RGB", fmt="BMP"), "bmp", "PNG, JPEG or GIF"),
        (png(), "   ", "alt text"),
        (png(), "x" * 301, "at most 300"),
    ],
)
def test_bad_images_are_refused_and_nothing_is_stored(teacher, question, media, data, alt, words):
    with pytest.raises(QuizError) as refused:
        question_image_add(question=question, by=teacher.user, upload=upload(data), alt_text=alt)
    assert words in str(refused.value)
    assert not QuestionImage.objects.exists()
    assert not list(media.rglob("*.png")) and not list(media.rglob("*.jpg"))


def test_a_file_over_the_size_limit_is_refused(teacher, question):
    with pytest.raises(QuizError) as refused:
        question_image_add(
            question=question, by=teacher.user, upload=upload(b"\x89PNG" + b"0" * (2 * 1024 * 1024)), alt_text="big"
        )
    assert refused.value.status_code == 413


def test_served_only_to_those_allowed_to_see_the_question(
    client, teacher, other_teacher, admin, student, outsider_student, school_class, question
):
    image = question_image_add(question=question, by=teacher.user, upload=upload(png()), alt_text="graph")
    url = reverse("quizzes:question_image", args=[image.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for allowed in (teacher, admin):
        client.force_login(getattr(allowed, "user", allowed))
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "image/png"
        assert "private" in r["Cache-Control"] and "max-age" in r["Cache-Control"]
        assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    client.force_login(other_teacher.user)
    assert client.get(url).status_code == 404
    quiz = make_quiz(teacher, school_class, questions=[question], start_date=None, end_date=None)
    client.force_login(student.user)
    assert client.get(url).status_code == 404  # assigned, but not started: the bank stays closed
    attempt, _ = attempt_services.attempt_start(quiz=quiz, student=student, by=student.user)
    assert client.get(url).status_code == 200  # during the attempt
    page = client.get(reverse("attempts:take", args=[attempt.pk])).content.decode()
    assert f'src="{url}" alt="graph"' in page
    attempt_services.attempt_submit(attempt=attempt, by=student.user)
    assert client.get(url).status_code == 200  # and after it
    client.force_login(outsider_student.user)
    assert client.get(url).status_code == 404


def test_api_upload_list_and_delete(api_for, teacher, other_teacher, question):
    api = api_for(teacher)
    r = api.post(
        f"/api/v1/questions/{question.pk}/images", {"file": upload(png()), "alt_text": "graph"}, format="multipart"
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["url"] == f"/quizzes/images/{body['id']}/" and body["alt_text"] == "graph"
    assert api.get(f"/api/v1/questions/{question.pk}").json()["images"][0]["id"] == body["id"]
    refused = api.post(
        f"/api/v1/questions/{question.pk}/images",
        {"file": upload(b"not an image"), "alt_text": "x"},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    outsider = api_for(other_teacher).post(
        f"/api/v1/questions/{question.pk}/images", {"file": upload(png()), "alt_text": "x"}, format="multipart"
    )
    assert outsider.status_code == 404
    assert api_for(other_teacher).delete(f"/api/v1/questions/{question.pk}/images/{body['id']}").status_code == 404
    assert api.delete(f"/api/v1/questions/{question.pk}/images/{body['id']}").status_code == 200
    assert not QuestionImage.objects.exists()


def test_the_editor_page_adds_and_removes_an_image(client, teacher, question):
    client.force_login(teacher.user)
    edit = reverse("quizzes:question_edit", args=[question.pk])
    r = client.post(
        reverse("quizzes:question_image_upload", args=[question.pk]), {"file": upload(png()), "alt_text": ""}
    )
    assert r.status_code == 302 and not QuestionImage.objects.exists()  # alt text is required
    client.post(
        reverse("quizzes:question_image_upload", args=[question.pk]), {"file": upload(png()), "alt_text": "graph"}
    )
    image = QuestionImage.objects.get()
    assert 'alt="graph"' in client.get(edit).content.decode()
    client.post(reverse("quizzes:question_image_remove", args=[question.pk, image.pk]))
    assert not QuestionImage.objects.exists()
