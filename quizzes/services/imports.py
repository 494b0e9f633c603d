"""Importing questions into a teacher's bank (a dry run first, then the import): a CSV or XLSX file (the guide's
contract), or a Moodle XML, GIFT, Aiken or QTI file read by quizzes.interchange with a per-question report."""

from __future__ import annotations

import logging
from uuid import UUID

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Teacher, User
from accounts.services import audit_record
from quizsite.errors import DomainError
from quizsite.tabular import read_table
from quizzes.interchange import FORMATS, TABULAR, detect_format, read_items
from quizzes.interchange.common import Parsed
from quizzes.interchange.mapping import CHANGED, IMPORTED, SKIPPED, item_to_question
from quizzes.models import Difficulty, Question, QuestionImportJob, QuestionType
from quizzes.services.bank import QUESTION_FIELDS, validate_question
from quizzes.services.base import QuizError, resolve_owner
from quizzes.services.images import question_image_add

logger = logging.getLogger(__name__)

IMPORT_REQUIRED_COLUMNS = ("text", "type")
# A question's fields, less case_sensitive: imported short answers are matched case-insensitively.
IMPORT_COLUMNS = tuple(name for name in QUESTION_FIELDS if name != "case_sensitive")
TYPE_ALIASES = {
    "mcq": QuestionType.MCQ,
    "multiple_choice": QuestionType.MCQ,
    "multiple choice": QuestionType.MCQ,
    "true_false": QuestionType.TRUE_FALSE,
    "true/false": QuestionType.TRUE_FALSE,
    "truefalse": QuestionType.TRUE_FALSE,
    "true false": QuestionType.TRUE_FALSE,
    "short_answer": QuestionType.SHORT_ANSWER,
    "short answer": QuestionType.SHORT_ANSWER,
    "descriptive": QuestionType.DESCRIPTIVE,
    "essay": QuestionType.DESCRIPTIVE,
}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def _row_to_question(row: dict, teacher: Teacher) -> Question:
    """Build (unsaved) one question from a CSV row; ValidationError or ValueError says what is wrong."""
    type_cell = (row.get("type") or "").strip().lower()
    qtype = TYPE_ALIASES.get(type_cell)
    if qtype is None:
        raise ValueError(f"type: unknown type “{row.get('type', '')}” (use mcq, true_false, short_answer, descriptive)")
    marks_cell = (row.get("marks") or "").strip()
    try:
        marks = int(float(marks_cell)) if marks_cell else 1
        if marks_cell and float(marks_cell) != marks:
            raise ValueError
    except ValueError:
        raise ValueError(f"marks: “{marks_cell}” is not a whole number") from None
    difficulty = (row.get("difficulty") or "").strip().lower() or Difficulty.MEDIUM
    options = _split(row.get("options", "")) or None
    correct_cell = (row.get("correct_answer") or "").strip()
    correct: int | None = None
    if correct_cell:
        if qtype == QuestionType.TRUE_FALSE and correct_cell.lower() in ("true", "false"):
            correct = 0 if correct_cell.lower() == "true" else 1
        elif correct_cell.lstrip("-").isdigit():
            correct = int(correct_cell)
        elif options and correct_cell.casefold() in [o.casefold() for o in options]:
            correct = [o.casefold() for o in options].index(correct_cell.casefold())
        else:
            raise ValueError(f"correct_answer: “{correct_cell}” is neither an option index (0 = first) nor an option")
    question = Question(
        created_by=teacher,
        text=row.get("text", ""),
        type=qtype,
        topic=row.get("topic", ""),
        difficulty=difficulty,
        marks=marks,
        options=options,
        correct_answer=correct,
        accepted_answers=_split(row.get("accepted_answers", "")),
        sample_answer=(row.get("sample_answer") or "").strip(),
        marking_rubric=(row.get("marking_rubric") or "").strip(),
        tags=_split(row.get("tags", "")),  # issue 16: "algebra|term 2"
    )
    validate_question(question)
    return question


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _bank_key(text: str, qtype: str) -> tuple[str, str]:
    return (" ".join(text.split()).casefold(), qtype)


def _upload_format(upload, fmt: str | None) -> tuple[str, bytes | None]:
    """(the upload's format, its bytes for a question file). A .csv/.xlsx name, or a spreadsheet's content, keeps
    the guide's CSV import exactly as it was."""
    name = (getattr(upload, "name", "") or "").lower()
    if fmt in TABULAR or (fmt is None and name.endswith((".csv", ".xlsx"))):
        return "csv", None
    if fmt is not None and fmt not in FORMATS:
        raise QuizError(f"Unknown format “{fmt}”; use one of: {', '.join(FORMATS)}.", code="unknown_format")
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    detected = fmt or detect_format(data, name)
    return ("csv", None) if detected is None or detected in TABULAR else (detected, data)


@transaction.atomic
def question_bulk_import(
    *,
    by: User,
    upload,
    owner_id: UUID | str | None = None,
    dry_run: bool = False,
    request=None,
    fmt: str | None = None,
    import_valid: bool = False,
) -> dict:
    """Import questions from a file into a teacher's bank: CSV/XLSX (below), or any format of quizzes.interchange
    (question_file_import), detected from the file unless `fmt` names it.

    CSV/XLSX:

    Valid rows are imported (in one transaction, with one bulk insert); invalid rows are reported as
    {row, error} with the row number a spreadsheet shows. A file that cannot be read or lacks the required
    columns is refused with a QuizError/TableError and nothing is written. A row repeating a question already
    in the bank (same text and type) is reported rather than imported twice, so a corrected file can be
    re-imported safely.
    """
    detected, data = _upload_format(upload, fmt)
    parsed = read_items(data, name=getattr(upload, "name", "") or "", fmt=detected) if data is not None else None
    if parsed is not None and not dry_run:
        if len(parsed.items) > QUESTION_ASYNC_THRESHOLD:
            job = question_import_job_queue(
                by=by,
                data=data,
                name=getattr(upload, "name", "") or "",
                fmt=detected,
                owner_id=owner_id,
                import_valid=import_valid,
                total=len(parsed.items),
            )
            return {
                "message": f"The file holds {job.total} questions: they are being imported in the background.",
                "dry_run": False,
                "queued": True,
                "job_id": str(job.pk),
                "format": parsed.format,
                "total_rows": job.total,
            }
    if data is not None:
        return question_file_import(
            by=by,
            data=data,
            name=getattr(upload, "name", "") or "",
            fmt=detected,
            owner_id=owner_id,
            dry_run=dry_run,
            import_valid=import_valid,
            request=request,
            parsed=parsed,
        )
    teacher = resolve_owner(by=by, owner_id=owner_id)
    headers, rows = read_table(upload, max_rows=5000)
    missing = [c for c in IMPORT_REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise QuizError(
            f"The file lacks the required column(s): {', '.join(missing)}. "
            f"Expected columns: {', '.join(IMPORT_COLUMNS)}.",
            code="missing_columns",
        )
    existing = {
        (" ".join(text.split()).casefold(), qtype)
        for text, qtype in Question.objects.filter(created_by=teacher).values_list("text", "type")
    }
    valid: list[Question] = []
    errors: list[dict] = []
    for row in rows:
        number = row["__row__"]
        try:
            question = _row_to_question(row, teacher)
        except (ValidationError, ValueError) as exc:
            errors.append({"row": number, "error": _error_text(exc)})
            continue
        key = (" ".join(question.text.split()).casefold(), question.type)
        if key in existing:
            errors.append(
                {"row": number, "error": "text: the same question is already in the bank (or earlier in the file)."}
            )
            continue
        existing.add(key)
        valid.append(question)
    if not dry_run and valid:
        Question.objects.bulk_create(valid, batch_size=500)
        audit_record(
            action="question.bulk_import",
            by=by,
            entity_type="question",
            new={"owner": str(teacher.pk), "imported": len(valid), "failed": len(errors)},
            request=request,
        )
    if dry_run:
        message = f"Dry run: {len(valid)} question(s) would be imported, {len(errors)} row(s) have errors."
    else:
        message = f"{len(valid)} question(s) imported, {len(errors)} row(s) failed."
    # The same report as the student import (classrooms): a dry run imports nothing and says what it would import.
    return {
        "message": message,
        "dry_run": dry_run,
        "total_rows": len(rows),
        "imported": 0 if dry_run else len(valid),
        "would_import": len(valid),
        "failed": len(errors),
        "errors": errors,
    }


def _report_row(outcome, *, written: bool) -> dict:
    row = outcome.as_dict()
    if not written and outcome.status != SKIPPED:
        # Refused run: the question was fine, but nothing was written because others were not.
        row["status"], row["status_label"] = "not_imported", "not imported (nothing was written)"
    return row


# The format a file turned out to be (QTI tells 2.1 from Canvas's 1.2 inside the file).
FORMAT_LABELS = {**FORMATS, "qti21": "QTI 2.1", "qti12": "Canvas QTI 1.2"}
DUPLICATE = "the same question is already in the bank (or earlier in the file)"


@transaction.atomic
def question_file_import(
    *,
    by: User,
    data: bytes,
    name: str = "",
    fmt: str | None = None,
    owner_id: UUID | str | None = None,
    dry_run: bool = False,
    import_valid: bool = False,
    request=None,
    parsed: Parsed | None = None,
    progress=None,
) -> dict:
    """Import a Moodle XML, GIFT, Aiken or QTI file, reporting every question: imported, imported with changes
    (what changed) or skipped (why).

    A file that cannot be read at all raises InterchangeError (a DomainError, 400) and writes nothing. A dry run writes
    nothing. A real run with any question that cannot be imported writes nothing either (`refused`), unless the
    teacher chose `import_valid`; a question already in the bank is skipped without blocking, so a file can be
    imported again after a fix.
    """
    teacher = resolve_owner(by=by, owner_id=owner_id)
    parsed = parsed or read_items(data, name=name, fmt=fmt)
    total = len(parsed.items)
    existing = {
        _bank_key(text, qtype)
        for text, qtype in Question.objects.filter(created_by=teacher).values_list("text", "type")
    }
    outcomes = []
    blocking = 0
    for number, item in enumerate(parsed.items, start=1):
        outcome = item_to_question(item, teacher=teacher, number=number)
        if outcome.question is not None:
            key = _bank_key(outcome.question.text, outcome.question.type)
            if key in existing:
                outcome.status, outcome.reason, outcome.changes, outcome.question = SKIPPED, DUPLICATE, [], None
            else:
                existing.add(key)
        elif outcome.status == SKIPPED:
            blocking += 1
        outcomes.append(outcome)
        if progress is not None and number % 100 == 0:
            progress(number // 2, total)  # checking is the first half of the work, writing the second
    valid = [o.question for o in outcomes if o.question is not None]
    skipped = [o for o in outcomes if o.status == SKIPPED]
    changed = sum(1 for o in outcomes if o.status == CHANGED)
    refused = not dry_run and blocking > 0 and not import_valid
    label = FORMAT_LABELS.get(parsed.format, parsed.format)
    if not dry_run and not refused and valid:
        for start in range(0, len(valid), 500):
            Question.objects.bulk_create(valid[start : start + 500])
            if progress is not None:
                progress(total // 2 + min(start + 500, len(valid)) * total // (2 * len(valid)), total)
        for outcome in outcomes:  # images the mapping has checked: re-encoded and stored as any upload is
            for image_name, image_data, alt in outcome.images if outcome.question is not None else ():
                question_image_add(question=outcome.question, by=by, upload=ContentFile(image_data, name=image_name),
                                   alt_text=alt, request=request)  # fmt: skip
        audit_record(
            action="question.bulk_import",
            by=by,
            entity_type="question",
            new={"owner": str(teacher.pk), "format": parsed.format, "imported": len(valid), "failed": len(skipped)},
            request=request,
        )
    if dry_run:
        message = (
            f"Dry run: {len(valid)} question(s) would be imported ({changed} with changes), {len(skipped)} skipped."
        )
    elif refused:
        message = (
            f"Nothing was imported: {blocking} question(s) cannot be imported. Fix the file, or choose "
            "“import what is valid” to import the other questions."
        )
    else:
        message = f"{len(valid)} question(s) imported ({changed} with changes), {len(skipped)} skipped."
    imported = 0 if dry_run or refused else len(valid)
    return {
        "message": message,
        "dry_run": dry_run,
        "format": parsed.format,
        "format_label": label,
        "import_valid": import_valid,
        "refused": refused,
        "total_rows": len(outcomes),
        "imported": imported,
        "would_import": len(valid),
        "changed": changed,
        "failed": len(skipped),
        "errors": [{"row": o.number, "error": f"{o.source}: {o.reason}"} for o in skipped],
        "questions": [_report_row(o, written=not refused) for o in outcomes],
        "question_ids": [str(q.pk) for q in valid] if imported else [],
    }


# --- large files: a Celery worker imports them (the job pattern of classrooms.services.import_jobs) ----------------

# Real runs of question files with more questions than this are imported by a worker (202 + job) instead of in the
# request. Measured: 5,000 questions (the most a file may hold) take about 1.4 s to check and write on 2 busy cores.
QUESTION_ASYNC_THRESHOLD = 500


def _job_progress_key(job_id) -> str:
    return f"quizzes:question-import-job:{job_id}:progress"


def question_import_job_progress(job: QuestionImportJob) -> dict:
    """{processed, total} of a queued or running import (kept in the cache: the import's transaction hides its
    rows from other connections until it commits)."""
    if job.status in (QuestionImportJob.Status.DONE, QuestionImportJob.Status.FAILED):
        return {"processed": job.total, "total": job.total}
    try:
        value = cache.get(_job_progress_key(job.pk))
    except Exception:  # a cache outage must not break the status page
        value = None
    processed, total = value if value else (0, job.total)
    return {"processed": processed, "total": total}


@transaction.atomic
def question_import_job_queue(
    *, by: User, data: bytes, name: str, fmt: str, owner_id=None, import_valid: bool = False, total: int = 0
) -> QuestionImportJob:
    """Keep a large file and queue its import on a worker after commit."""
    teacher = resolve_owner(by=by, owner_id=owner_id)
    job = QuestionImportJob.objects.create(
        created_by=by,
        owner=teacher,
        file_name=(name or "")[:255],
        format=fmt or "",
        content=data,
        import_valid=import_valid,
        total=total,
    )
    transaction.on_commit(lambda: import_questions_job.delay(str(job.pk)))
    return job


def question_import_job_run(*, job_id) -> QuestionImportJob:
    """Run a queued import (the Celery task). Not one transaction: the job's `running` state must be visible while
    the import's own transaction is open, and a failure must be recorded after that rollback."""
    with transaction.atomic():
        job = QuestionImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.status != QuestionImportJob.Status.QUEUED:
            return job
        job.status, job.started_at = QuestionImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int) -> None:
        try:
            cache.set(_job_progress_key(job.pk), (done, total), timeout=3600)
        except Exception:
            logger.warning("could not record question import progress", exc_info=True)

    try:
        result = question_file_import(
            by=job.created_by,
            data=bytes(job.content),
            name=job.file_name,
            fmt=job.format or None,
            owner_id=job.owner_id if job.created_by.is_admin else None,
            import_valid=job.import_valid,
            progress=progress,
        )
    except DomainError as exc:
        job.status, job.error = QuestionImportJob.Status.FAILED, exc.message
    except Exception:
        logger.exception("question import %s failed", job.pk)
        job.status, job.error = QuestionImportJob.Status.FAILED, "The import failed unexpectedly; nothing was imported."
    else:
        job.status, job.result = QuestionImportJob.Status.DONE, result
    job.finished_at, job.content = timezone.now(), b""
    job.save(update_fields=["status", "error", "result", "finished_at", "content"])
    return job


@shared_task(name="quizzes.tasks.import_questions_job", ignore_result=True)
def import_questions_job(job_id: str) -> None:
    import_job = question_import_job_run(job_id=job_id)
    logger.info("question import %s: %s", import_job.pk, import_job.status)


__all__ = [
    "IMPORTED",
    "IMPORT_COLUMNS",
    "QUESTION_ASYNC_THRESHOLD",
    "question_bulk_import",
    "question_file_import",
    "question_import_job_progress",
    "question_import_job_queue",
    "question_import_job_run",
]
