"""Exporting questions to Moodle XML, GIFT, QTI 2.1 or Aiken (quizzes.interchange.export), with the report."""

from __future__ import annotations

from accounts.models import User
from accounts.services import audit_record
from quizzes.interchange.export import EXPORT_FORMATS, Export, export_questions
from quizzes.services.base import QuizError


def question_export(*, by: User, questions: list, fmt: str, request=None) -> Export:
    """Write `questions` (loaded through a scoped selector) in `fmt`. The export is recorded in the audit log:
    it carries answer keys out of the platform."""
    if fmt not in EXPORT_FORMATS:
        raise QuizError(
            f"Unknown export format “{fmt}”; use one of: {', '.join(EXPORT_FORMATS)}.", code="unknown_format"
        )
    if not by.is_teacher_or_admin:
        raise QuizError("Only teachers and administrators can export questions.", status_code=403)
    if not questions:
        raise QuizError("There are no questions to export.", code="nothing_to_export")
    result = export_questions(questions, fmt)
    audit_record(action="question.export", by=by, entity_type="question", new={"format": fmt, **result.summary},
                 request=request)  # fmt: skip
    return result
