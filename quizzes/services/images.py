"""Question images (issue 15): uploaded, checked and re-encoded so that no payload survives, stored through
Django's storage API, removed with their question.

Accepted: PNG, JPEG and GIF (the first frame), at most IMAGE_MAX_BYTES and IMAGE_MAX_SIDE pixels a side.
Refused: everything else, SVG included (a sanitiser for SVG is a larger attack surface than the value it brings;
a diagram can be uploaded as PNG). The file is decoded by Pillow and written anew from its pixels (no metadata,
no comment chunks, no trailing bytes), as PNG (PNG, GIF) or JPEG.
"""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from accounts.services import audit_record
from quizsite.text import control_character_error
from quizzes.models import Question, QuestionImage
from quizzes.services.base import QuizError

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_SIDE = 4000
IMAGE_MAX_PIXELS = 12_000_000
MAX_IMAGES_PER_QUESTION = 5
ALT_TEXT_MAX_LENGTH = 300
FORMATS = {"PNG": "PNG", "GIF": "PNG", "JPEG": "JPEG"}


def _reencode(data: bytes) -> tuple[bytes, str, int, int]:
    """(new bytes, content type, width, height), or QuizError saying what is wrong with the file."""
    if len(data) > IMAGE_MAX_BYTES:
        raise QuizError(f"The image is larger than {IMAGE_MAX_BYTES // (1024 * 1024)} MB.", status_code=413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise QuizError("Upload a PNG, JPEG or GIF image (SVG and other formats are not accepted).")
            if max(width, height) > IMAGE_MAX_SIDE or width * height > IMAGE_MAX_PIXELS:
                raise QuizError(f"The image may be at most {IMAGE_MAX_SIDE} × {IMAGE_MAX_SIDE} pixels.")
            probe.verify()  # the file's structure (checksums, truncation)
            image = Image.open(io.BytesIO(data))
            image.load()
    except QuizError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise QuizError("This file is not a readable PNG, JPEG or GIF image.") from None
    target = FORMATS[fmt]
    out = io.BytesIO()
    if target == "JPEG":
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    return out.getvalue(), f"image/{target.lower()}", width, height


def image_problem(data: bytes) -> str | None:
    """Why these bytes cannot be a question image (the checks of question_image_add), or None: a question file's
    import reports it before anything is written."""
    try:
        _reencode(data)
    except QuizError as exc:
        return exc.message
    return None


def _alt_text(alt_text) -> str:
    alt = " ".join(str(alt_text or "").split())
    if not alt:
        raise QuizError("Describe the image (alt text): students using a screen reader depend on it.")
    if len(alt) > ALT_TEXT_MAX_LENGTH:
        raise QuizError(f"The alt text may be at most {ALT_TEXT_MAX_LENGTH} characters long.")
    if message := control_character_error(alt):
        raise QuizError(message)
    return alt


@transaction.atomic
def question_image_add(*, question: Question, by: User, upload, alt_text: str, request=None) -> QuestionImage:
    """Attach an image to a question the caller manages (the caller has scoped `question`)."""
    alt = _alt_text(alt_text)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.images.count() >= MAX_IMAGES_PER_QUESTION:
        raise QuizError(f"A question can have at most {MAX_IMAGES_PER_QUESTION} images.", status_code=409)
    size = getattr(upload, "size", None)
    if size is not None and size > IMAGE_MAX_BYTES:
        raise QuizError(f"The image is larger than {IMAGE_MAX_BYTES // (1024 * 1024)} MB.", status_code=413)
    data, content_type, width, height = _reencode(upload.read(IMAGE_MAX_BYTES + 1))
    extension = "jpg" if content_type == "image/jpeg" else "png"
    image = QuestionImage(
        question=question,
        content_type=content_type,
        alt_text=alt,
        width=width,
        height=height,
        position=question.images.count(),
    )
    image.image.save(f"image.{extension}", ContentFile(data), save=False)
    try:
        image.save()
    except Exception:
        image.image.storage.delete(image.image.name)  # no row, no file
        raise
    audit_record(
        action="question.image_add",
        by=by,
        entity=question,
        new={"image": str(image.pk), "alt_text": alt, "width": width, "height": height},
        request=request,
    )
    return image


@transaction.atomic
def question_image_delete(*, image: QuestionImage, by: User, request=None) -> None:
    question = image.question
    name = image.image.name
    audit_record(action="question.image_delete", by=by, entity=question, old={"image": str(image.pk)}, request=request)
    image.delete()
    storage = image.image.storage
    transaction.on_commit(lambda: storage.delete(name))
