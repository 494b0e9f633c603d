"""Student imports and the ImportJob lifecycle: preview (dry run) -> queued -> running -> done | failed.

classrooms.imports validates and writes the rows; this module holds the transaction, the audit record and the
job's state. Files above ASYNC_THRESHOLD rows run on a Celery worker: the task is defined here, next to the
service that queues it (as pretix does), so neither module has to import the other behind a function.
"""

from __future__ import annotations

import io
import logging

from celery import shared_task
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import audit_record
from classrooms import imports
from classrooms.errors import ClassroomError, require_role
from classrooms.models import ImportJob
from quizsite.tabular import read_table

logger = logging.getLogger(__name__)

# Files with more rows than this are imported by a Celery worker (202 + status URL) instead of in the request.
ASYNC_THRESHOLD = 500


def _require_importer(by) -> None:
    require_role(by, "is_teacher_or_admin", "Only administrators and teachers can import students.")


def students_import_rows(
    *,
    by,
    headers: list[str],
    rows: list[dict],
    dry_run: bool = False,
    issue_claim_codes: bool = False,
    progress=None,
) -> imports.ImportOutcome:
    """Validate and (unless dry_run) import already-read rows. All writes happen in one transaction.

    Students without a date of birth always get a claim code; `issue_claim_codes` gives every student one."""
    _require_importer(by)
    outcome, resolver = imports.validate(by=by, headers=headers, rows=rows, dry_run=dry_run)
    if dry_run or not outcome.valid:
        return outcome
    try:
        with transaction.atomic():
            imports.write(
                by=by,
                outcome=outcome,
                resolver=resolver,
                codes_for_all=issue_claim_codes,
                progress=progress,
            )
            audit_record(
                action="students.import",
                by=by,
                entity_type="student",
                new={
                    "imported": outcome.imported,
                    "failed": len(outcome.errors),
                    "created_classes": outcome.created_classes,
                    "claim_codes": len(outcome.claim_codes),
                    "accommodations": outcome.accommodations,  # issue 17
                },
            )
    except IntegrityError:
        # Someone created one of these e-mails/registration numbers/classes while we were validating.
        raise ClassroomError(
            "Another change to the same students or classes happened during the import; nothing was imported. "
            "Please try again.",
            status_code=409,
        ) from None
    return outcome


def students_import(
    *, by, upload, dry_run: bool = False, issue_claim_codes: bool = False, progress=None
) -> imports.ImportOutcome:
    """Import an uploaded CSV/XLSX file (anything with .name and .read()). Raises TableError/ClassroomError (400)
    for a file that cannot be imported at all; per-row problems are in the outcome's errors."""
    _require_importer(by)
    headers, rows = read_table(upload)
    return students_import_rows(
        by=by, headers=headers, rows=rows, dry_run=dry_run, issue_claim_codes=issue_claim_codes, progress=progress
    )


def students_bulk_import(
    *, by, upload, dry_run: bool = False, issue_claim_codes: bool = False
) -> tuple[ImportJob | None, dict]:
    """The API's bulk import: a dry run answers at once; a real import of up to ASYNC_THRESHOLD rows runs now and
    is recorded as a finished job; a larger one is stored and queued (job.status == "queued").

    The file is read (and its columns checked) before anything is queued, so an unreadable file is a 400 now,
    not a failed job later."""
    _require_importer(by)
    data = upload.read()
    name = getattr(upload, "name", "") or ""
    headers, rows = read_table(_named_upload(data, name))
    imports.check_columns(headers, rows)
    if not dry_run and len(rows) > ASYNC_THRESHOLD:
        job = import_job_queue(
            by=by, upload=_named_upload(data, name), issue_claim_codes=issue_claim_codes, total_rows=len(rows)
        )
        return job, {}
    outcome = students_import_rows(
        by=by, headers=headers, rows=rows, dry_run=dry_run, issue_claim_codes=issue_claim_codes
    )
    result = outcome.as_response()
    if dry_run:
        return None, result
    job = import_job_record(by=by, outcome=outcome, file_name=name)
    return job, result


def _progress_key(job_id) -> str:
    return f"classrooms:import-job:{job_id}:progress"


def import_job_progress(job: ImportJob) -> dict:
    """{processed, total} of a running import; kept in the cache because the import's own transaction hides its
    rows from other connections until it commits."""
    if job.status == ImportJob.Status.DONE:
        done = (job.result or {}).get("imported", 0)
        return {"processed": done, "total": done}
    try:
        value = cache.get(_progress_key(job.pk))
    except Exception:  # a cache outage must not break the status page
        value = None
    processed, total = value if value else (0, (job.total_rows or 0))
    return {"processed": processed, "total": total}


def _named_upload(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    upload.size = len(data)
    return upload


def _queue_run(job: ImportJob) -> None:
    transaction.on_commit(lambda: import_students_job.delay(str(job.pk)))


@transaction.atomic
def import_job_preview(*, by, upload, issue_claim_codes: bool = False) -> ImportJob:
    """The import page's first step: keep the file, dry-run it and store the report with a preview of the rows."""
    _require_importer(by)
    data = upload.read()
    name = getattr(upload, "name", "") or "upload.csv"
    outcome = students_import(by=by, upload=_named_upload(data, name), dry_run=True)
    result = outcome.as_response()
    result["preview"] = outcome.preview
    return ImportJob.objects.create(
        created_by=by,
        status=ImportJob.Status.PREVIEW,
        file_name=name[:255],
        content=data,
        issue_claim_codes=issue_claim_codes,
        total_rows=outcome.total_rows,
        result=result,
    )


@transaction.atomic
def import_job_queue(*, by, upload, issue_claim_codes: bool = False, total_rows: int = 0) -> ImportJob:
    """Store a large file and queue its import on a worker after commit."""
    _require_importer(by)
    job = ImportJob.objects.create(
        created_by=by,
        status=ImportJob.Status.QUEUED,
        file_name=(getattr(upload, "name", "") or "upload.csv")[:255],
        content=upload.read(),
        issue_claim_codes=issue_claim_codes,
        total_rows=total_rows,
    )
    _queue_run(job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """The import page's second step. Small files are imported now, large ones queued for a worker."""
    _require_importer(by)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.PREVIEW:
        raise ClassroomError("This import has already been started.", status_code=409)
    if job.created_by_id != by.pk:
        raise ClassroomError("Only the person who uploaded the file can start its import.", status_code=403)
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status"])
    if job.total_rows > ASYNC_THRESHOLD:
        _queue_run(job)
    return job


def import_job_start(*, job: ImportJob, by) -> ImportJob:
    """Confirm a previewed import: run it now when small, else leave it queued for the worker."""
    job = import_job_confirm(job=job, by=by)
    if job.total_rows <= ASYNC_THRESHOLD:
        job = import_job_run(job_id=job.pk)
    return job


def import_job_run(*, job_id) -> ImportJob:
    """Run a queued import (from the Celery task or in the request for small files).

    Deliberately not one transaction: the job's `running` state must be visible while the import's own
    transaction (students_import_rows) is open, and a failure must be recorded after that rollback.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return job
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int) -> None:
        try:
            cache.set(_progress_key(job.pk), (done, total), timeout=3600)
        except Exception:
            logger.warning("could not record import progress", exc_info=True)

    try:
        outcome = students_import(
            by=job.created_by,
            upload=_named_upload(bytes(job.content), job.file_name),
            issue_claim_codes=job.issue_claim_codes,
            progress=progress,
        )
    except ClassroomError as exc:  # includes TableError
        job.status, job.error = ImportJob.Status.FAILED, exc.message
    except Exception:
        logger.exception("student import %s failed", job.pk)
        job.status, job.error = ImportJob.Status.FAILED, "The import failed unexpectedly; nothing was imported."
    else:
        job.status = ImportJob.Status.DONE
        job.result = outcome.as_response()
        job.claim_codes = outcome.claim_codes
        job.total_rows = outcome.total_rows
    job.finished_at = timezone.now()
    job.content = b""
    job.save(update_fields=["status", "error", "result", "claim_codes", "total_rows", "finished_at", "content"])
    return job


# The name it had in classrooms.tasks: messages queued before a deploy still find it.
@shared_task(name="classrooms.tasks.import_students_job", ignore_result=True)
def import_students_job(job_id: str) -> None:
    import_job_run(job_id=job_id)


@transaction.atomic
def import_job_record(*, by, outcome: imports.ImportOutcome, file_name: str) -> ImportJob:
    """Record a finished in-request import, so its result and claim slips have a URL like a queued one's."""
    now = timezone.now()
    return ImportJob.objects.create(
        created_by=by,
        status=ImportJob.Status.DONE,
        file_name=(file_name or "")[:255],
        issue_claim_codes=bool(outcome.claim_codes),
        total_rows=outcome.total_rows,
        result=outcome.as_response(),
        claim_codes=outcome.claim_codes,
        started_at=now,
        finished_at=now,
    )
