"""Writes of the classrooms app: classes, teacher assignment, rosters, students, imports and claim codes.

Every service is keyword-only, takes the acting user `by`, and is called alike by the API, the pages, the Celery
task, the management command and the Django admin (STYLE.md). Authorization of *which* object a user may touch
is done by the callers through the scoped selectors; services check the role-level rules.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.claim_codes import (  # re-exported: the import and the class page issue codes
    CLAIM_CODE_ALPHABET,
    CLAIM_CODE_LENGTH,
    claim_code_hash,
    claim_code_matches,
    generate_claim_code,
    normalize_claim_code,
)
from accounts.models import Role, Student, Teacher, User, normalize_email, normalize_registration_number
from accounts.services import audit_record, user_delete_blockers
from classrooms import imports
from classrooms.errors import ClassroomError
from classrooms.models import ImportJob, SchoolClass, TeacherClass
from quizsite.tabular import read_table

logger = logging.getLogger(__name__)

# Files with more rows than this are imported by a Celery worker (202 + status URL) instead of in the request.
ASYNC_THRESHOLD = 500
# How long the plain-text claim codes of an import stay available to its creator (for the claim-slip PDF).
CLAIM_CODES_TTL = timedelta(hours=24)

__all__ = [
    "CLAIM_CODE_ALPHABET",
    "CLAIM_CODE_LENGTH",
    "claim_code_hash",
    "claim_code_matches",
    "generate_claim_code",
    "normalize_claim_code",
]


def _new_claim_code() -> tuple[str, str]:
    code = generate_claim_code()
    return code, claim_code_hash(code)


# --------------------------------------------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------------------------------------------
def _require_admin(by: User, message: str) -> None:
    if not (by and by.is_authenticated and by.role == Role.ADMIN):
        raise ClassroomError(message, status_code=403)


def _require_manager(by: User, school_class: SchoolClass) -> None:
    from classrooms.selectors import can_manage_class

    if not can_manage_class(by, school_class):
        raise ClassroomError("Only administrators and the class's teachers can change its students.", status_code=403)


def _class_snapshot(c: SchoolClass) -> dict:
    return {"name": c.name, "section": c.section, "academic_year": c.academic_year}


def _clean_class(school_class: SchoolClass) -> None:
    school_class.name = (school_class.name or "").strip()
    school_class.section = (school_class.section or "").strip()
    school_class.academic_year = (school_class.academic_year or "").strip()
    try:
        school_class.full_clean(exclude=["created_by", "teachers"])
    except ValidationError as exc:
        # The unique constraint reports under __all__; say it the way a school would.
        if "__all__" in exc.message_dict and not school_class.name == "":
            raise ValidationError(
                {"name": ["A class with this name, section and academic year already exists."]}
            ) from None
        raise


@transaction.atomic
def class_create(*, by: User, name: str, section: str = "", academic_year: str = "", request=None) -> SchoolClass:
    _require_admin(by, "Only administrators can create classes.")
    school_class = SchoolClass(name=name, section=section or "", academic_year=academic_year or "", created_by=by)
    _clean_class(school_class)
    school_class.save()
    audit_record(action="class.create", by=by, entity=school_class, new=_class_snapshot(school_class), request=request)
    return school_class


@transaction.atomic
def class_update(*, school_class: SchoolClass, by: User, request=None, **changes) -> SchoolClass:
    _require_admin(by, "Only administrators can edit classes.")
    old = _class_snapshot(school_class)
    fields = []
    for key in ("name", "section", "academic_year"):
        if key in changes and changes[key] is not None:
            setattr(school_class, key, changes[key])
            fields.append(key)
    if fields:
        _clean_class(school_class)
        school_class.save(update_fields=[*fields, "updated_at"])
        audit_record(
            action="class.update",
            by=by,
            entity=school_class,
            old=old,
            new=_class_snapshot(school_class),
            request=request,
        )
    return school_class


@transaction.atomic
def class_delete(*, school_class: SchoolClass, by: User, request=None) -> None:
    _require_admin(by, "Only administrators can delete classes.")
    # Students stay (their class becomes empty, ON DELETE SET NULL); quizzes lose the assignment.
    snapshot = _class_snapshot(school_class)
    audit_record(action="class.delete", by=by, entity=school_class, old=snapshot, request=request)
    school_class.delete()


@transaction.atomic
def class_assign_teacher(*, school_class: SchoolClass, teacher: Teacher, by: User, request=None) -> bool:
    """Add `teacher` to the class's teachers. Returns False when they already taught it (nothing changes)."""
    _require_admin(by, "Only administrators can assign teachers.")
    if not teacher.user.is_active:
        raise ClassroomError("This teacher's account is deactivated.")
    _link, created = TeacherClass.objects.get_or_create(teacher=teacher, school_class=school_class)
    if created:
        audit_record(
            action="class.assign_teacher",
            by=by,
            entity=school_class,
            new={"teacher_id": str(teacher.pk), "teacher": teacher.user.name},
            request=request,
        )
    return created


@transaction.atomic
def class_unassign_teacher(*, school_class: SchoolClass, teacher: Teacher, by: User, request=None) -> None:
    _require_admin(by, "Only administrators can unassign teachers.")
    deleted, _ = TeacherClass.objects.filter(teacher=teacher, school_class=school_class).delete()
    if not deleted:
        raise ClassroomError("This teacher does not teach this class.", status_code=404)
    audit_record(
        action="class.unassign_teacher",
        by=by,
        entity=school_class,
        old={"teacher_id": str(teacher.pk), "teacher": teacher.user.name},
        request=request,
    )


@transaction.atomic
def class_assign_students(*, school_class: SchoolClass, students: list[Student], by: User, request=None) -> int:
    """Move `students` into the class (a student has one class). The caller resolves them through
    selectors.students_assignable_by(by). Returns how many changed class."""
    _require_manager(by, school_class)
    ids = [s.pk for s in students if s.school_class_id != school_class.pk]
    if ids:
        Student.objects.filter(pk__in=ids).update(school_class=school_class)
        audit_record(
            action="class.assign_students",
            by=by,
            entity=school_class,
            new={"student_ids": [str(i) for i in ids]},
            request=request,
        )
    return len(ids)


@transaction.atomic
def class_remove_student(*, school_class: SchoolClass, student: Student, by: User, request=None) -> None:
    _require_manager(by, school_class)
    if student.school_class_id != school_class.pk:
        raise ClassroomError("This student is not in this class.", status_code=404)
    student.school_class = None
    student.save(update_fields=["school_class"])
    audit_record(
        action="class.remove_student",
        by=by,
        entity=school_class,
        old={"student_id": str(student.pk), "registration_number": student.registration_number},
        request=request,
    )


# --------------------------------------------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------------------------------------------
_EMAIL_RE = imports._EMAIL_RE


def _student_snapshot(s: Student) -> dict:
    return {
        "name": s.user.name,
        "email": s.user.email,
        "registration_number": s.registration_number,
        "class_id": str(s.school_class_id) if s.school_class_id else None,
        "date_of_birth": s.date_of_birth,
        "parent_email": s.parent_email,
        "parent_phone": s.parent_phone,
    }


def _check_student_fields(*, email, registration_number, parent_email, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    if email is not None:
        if not email:
            errors["email"] = ["This field is required."]
        elif not _EMAIL_RE.match(email) or len(email) > 255:
            errors["email"] = ["Enter a valid email address."]
        elif User.objects.filter(email=email).exclude(pk=exclude_pk).exists():
            errors["email"] = ["A user with this email already exists."]
    if registration_number is not None:
        if not registration_number:
            errors["registration_number"] = ["This field is required."]
        elif len(registration_number) > 50:
            errors["registration_number"] = ["Ensure this field has no more than 50 characters."]
        elif Student.objects.filter(registration_number=registration_number).exclude(pk=exclude_pk).exists():
            errors["registration_number"] = ["A student with this registration number already exists."]
    if parent_email and not _EMAIL_RE.match(parent_email):
        errors["parent_email"] = ["Enter a valid email address."]
    return errors


def _check_target_class(by: User, school_class: SchoolClass | None) -> None:
    """Teachers may only put students into their own classes; admins anywhere (or nowhere)."""
    from classrooms.selectors import can_manage_class

    if by.role == Role.ADMIN:
        return
    if by.role != Role.TEACHER:
        raise ClassroomError("Only administrators and teachers can manage students.", status_code=403)
    if school_class is None:
        raise ValidationError({"class_id": ["Choose one of your classes."]})
    if not can_manage_class(by, school_class):
        raise ValidationError({"class_id": ["You can only add students to your own classes."]})


@transaction.atomic
def student_create(
    *,
    by: User,
    name: str,
    email: str,
    registration_number: str,
    school_class: SchoolClass | None = None,
    date_of_birth=None,
    parent_email: str = "",
    parent_phone: str = "",
    request=None,
) -> Student:
    """Create an unclaimed student with an unusable password; they claim the account later (accounts)."""
    _check_target_class(by, school_class)
    name = (name or "").strip()
    email = normalize_email(email)
    registration_number = normalize_registration_number(registration_number)
    parent_email = normalize_email(parent_email)
    errors = _check_student_fields(email=email, registration_number=registration_number, parent_email=parent_email)
    if not name:
        errors["name"] = ["This field is required."]
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name, role=Role.STUDENT, is_active=True)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            student = Student.objects.create(
                user=user,
                registration_number=registration_number,
                school_class=school_class,
                date_of_birth=date_of_birth,
                parent_email=parent_email,
                parent_phone=(parent_phone or "").strip(),
                is_account_claimed=False,
            )
    except IntegrityError:
        raise ClassroomError(
            "A user with this email or registration number was just created; reload and try again.", status_code=409
        ) from None
    audit_record(action="student.create", by=by, entity=student, new=_student_snapshot(student), request=request)
    return student


_UNSET = object()


@transaction.atomic
def student_update(
    *,
    student: Student,
    by: User,
    name=None,
    email=None,
    registration_number=None,
    school_class=_UNSET,
    date_of_birth=_UNSET,
    parent_email=None,
    parent_phone=None,
    request=None,
) -> Student:
    """Partial update: only the arguments given change. A teacher may edit the students of their classes and move
    them only between their own classes (the caller loads `student` through students_visible_to)."""
    if by.role == Role.TEACHER:
        from classrooms.selectors import can_manage_class

        if student.school_class is None or not can_manage_class(by, student.school_class):
            raise ClassroomError("You can only edit students of your own classes.", status_code=403)
        if school_class is not _UNSET:
            _check_target_class(by, school_class)
    elif by.role != Role.ADMIN:
        raise ClassroomError("Only administrators and teachers can edit students.", status_code=403)

    old = _student_snapshot(student)
    user = student.user
    email = normalize_email(email) if email is not None else None
    registration_number = (
        normalize_registration_number(registration_number) if registration_number is not None else None
    )
    parent_email = normalize_email(parent_email) if parent_email is not None else None
    errors = _check_student_fields(
        email=email, registration_number=registration_number, parent_email=parent_email, exclude_pk=student.pk
    )
    if name is not None and not name.strip():
        errors["name"] = ["This field may not be blank."]
    if errors:
        raise ValidationError(errors)

    user_fields, student_fields = [], []
    if name is not None:
        user.name = name.strip()
        user_fields.append("name")
    if email is not None and email != user.email:
        user.email = email
        user_fields.append("email")
    if registration_number is not None:
        student.registration_number = registration_number
        student_fields.append("registration_number")
    if school_class is not _UNSET:
        student.school_class = school_class
        student_fields.append("school_class")
    if date_of_birth is not _UNSET:
        student.date_of_birth = date_of_birth
        student_fields.append("date_of_birth")
    if parent_email is not None:
        student.parent_email = parent_email
        student_fields.append("parent_email")
    if parent_phone is not None:
        student.parent_phone = parent_phone.strip()
        student_fields.append("parent_phone")
    if user_fields:
        user.save(update_fields=[*user_fields, "updated_at"])
    if student_fields:
        student.save(update_fields=student_fields)
    new = _student_snapshot(student)
    if new != old:
        audit_record(action="student.update", by=by, entity=student, old=old, new=new, request=request)
    return student


@transaction.atomic
def student_delete(*, student: Student, by: User, request=None) -> None:
    _require_admin(by, "Only administrators can delete students.")
    # The same rule as deleting the account from the users API: exam results are never destroyed as a side effect.
    blockers = user_delete_blockers(student.user)
    if blockers:
        raise ClassroomError(
            f"{student.user.name} has {', '.join(blockers)}; deleting would destroy their results. "
            "Deactivate the account instead.",
            status_code=409,
            code="has_dependents",
        )
    audit_record(action="student.delete", by=by, entity=student, old=_student_snapshot(student), request=request)
    # The User row owns the Student row (ON DELETE CASCADE), attempts go with it.
    student.user.delete()


@transaction.atomic
def claim_codes_reissue(*, school_class: SchoolClass, by: User, request=None) -> list[dict]:
    """Give every unclaimed student of the class a new claim code, replacing the old ones. Returns the plain codes
    (shown once, e.g. as claim slips); only their hashes are stored."""
    _require_manager(by, school_class)
    students = list(
        Student.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(school_class=school_class, is_account_claimed=False)
        .order_by("user__name", "registration_number")
    )
    codes = []
    for student in students:
        code, code_hash = _new_claim_code()
        student.claim_code_hash = code_hash
        codes.append(
            {
                "student_id": str(student.pk),
                "name": student.user.name,
                "registration_number": student.registration_number,
                "class_name": str(school_class),
                "code": code,
            }
        )
    Student.objects.bulk_update(students, ["claim_code_hash"], batch_size=1000)
    audit_record(
        action="class.claim_codes_reissued", by=by, entity=school_class, new={"count": len(codes)}, request=request
    )
    return codes


# --------------------------------------------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------------------------------------------
def _require_importer(by: User) -> None:
    if not (by and by.is_authenticated and by.role in (Role.ADMIN, Role.TEACHER)):
        raise ClassroomError("Only administrators and teachers can import students.", status_code=403)


def students_import_rows(
    *,
    by: User,
    headers: list[str],
    rows: list[dict],
    dry_run: bool = False,
    issue_claim_codes: bool = False,
    progress=None,
) -> imports.ImportOutcome:
    """Validate and (unless dry_run) import already-read rows. All writes happen in one transaction."""
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
                claim_code=_new_claim_code if issue_claim_codes else None,
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
    *, by: User, upload, dry_run: bool = False, issue_claim_codes: bool = False, progress=None
) -> imports.ImportOutcome:
    """Import an uploaded CSV/XLSX file (anything with .name and .read()). Raises TableError/ClassroomError (400)
    for a file that cannot be imported at all; per-row problems are in the outcome's errors."""
    _require_importer(by)
    headers, rows = read_table(upload)
    return students_import_rows(
        by=by, headers=headers, rows=rows, dry_run=dry_run, issue_claim_codes=issue_claim_codes, progress=progress
    )


def students_bulk_import(
    *, by: User, upload, dry_run: bool = False, issue_claim_codes: bool = False
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


@transaction.atomic
def import_job_preview(*, by: User, upload, issue_claim_codes: bool = False) -> ImportJob:
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
def import_job_queue(*, by: User, upload, issue_claim_codes: bool = False, total_rows: int = 0) -> ImportJob:
    """Store a large file and queue its import on a worker after commit."""
    _require_importer(by)
    from classrooms import tasks

    data = upload.read()
    job = ImportJob.objects.create(
        created_by=by,
        status=ImportJob.Status.QUEUED,
        file_name=(getattr(upload, "name", "") or "upload.csv")[:255],
        content=data,
        issue_claim_codes=issue_claim_codes,
        total_rows=total_rows,
    )
    transaction.on_commit(lambda: tasks.import_students_job.delay(str(job.pk)))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by: User) -> ImportJob:
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
        from classrooms import tasks

        transaction.on_commit(lambda: tasks.import_students_job.delay(str(job.pk)))
    return job


def import_job_start(*, job: ImportJob, by: User) -> ImportJob:
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


@transaction.atomic
def import_job_record(*, by: User, outcome: imports.ImportOutcome, file_name: str) -> ImportJob:
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


def import_job_claim_codes(job: ImportJob) -> list[dict]:
    """The plain claim codes of a finished import while they are still available (creator only; see views)."""
    if not job.claim_codes or not job.finished_at or timezone.now() - job.finished_at > CLAIM_CODES_TTL:
        return []
    return list(job.claim_codes)


@transaction.atomic
def import_job_discard_codes(*, job: ImportJob, by: User) -> None:
    if job.created_by_id != by.pk and by.role != Role.ADMIN:
        raise ClassroomError("Only the person who ran the import can discard its codes.", status_code=403)
    job.claim_codes = []
    job.save(update_fields=["claim_codes"])


def import_jobs_purge_expired_codes(*, now=None) -> int:
    """Blank the plain-text claim codes of imports older than CLAIM_CODES_TTL; only the hashes on the students
    stay. Run hourly by the beat task; returns how many jobs were cleaned."""
    now = now or timezone.now()
    return (
        ImportJob.objects.filter(finished_at__lt=now - CLAIM_CODES_TTL).exclude(claim_codes=[]).update(claim_codes=[])
    )


def claim_slips_pdf(*, codes: list[dict], title: str) -> bytes:
    from quizsite.pdf import render_pdf

    return render_pdf("classrooms/claim_slips.html", {"codes": codes, "title": title, "generated_at": timezone.now()})
