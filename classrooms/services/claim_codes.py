"""Plain-text claim codes: issued (by an import or for a class), shown once to whoever issued them, printed as
slips, then discarded; only their hashes stay, on Student.claim_code_hash (accounts.claim_codes)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.claim_codes import new_claim_code
from accounts.models import Student, User, active_user
from accounts.services import audit_record
from classrooms.errors import ClassroomError, require_role
from classrooms.models import ImportJob, SchoolClass
from classrooms.services.roster import require_class_manager
from quizsite.pdf import render_pdf

# How long the plain-text claim codes of an import stay available to its creator (for the claim-slip PDF).
CLAIM_CODES_TTL = timedelta(hours=24)


def claim_slip(student: Student, code: str) -> dict:
    """What a claim slip prints for a student (claim_slips_pdf takes a list of these)."""
    return {
        "student_id": str(student.pk),
        "name": student.user.name,
        "registration_number": student.registration_number,
        "class_name": str(student.school_class) if student.school_class_id else "",
        "code": code,
    }


@transaction.atomic
def claim_codes_reissue(*, school_class: SchoolClass, by: User, request=None) -> list[dict]:
    """Give every unclaimed student of the class a new claim code, replacing the old ones. Returns the plain codes
    (shown once, e.g. as claim slips); only their hashes are stored."""
    require_class_manager(by, school_class)
    students = list(
        Student.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(school_class=school_class, is_account_claimed=False)
        .order_by("user__name", "registration_number")
    )
    codes = []
    for student in students:
        code, student.claim_code_hash = new_claim_code()
        student.school_class = school_class
        codes.append(claim_slip(student, code))
    Student.objects.bulk_update(students, ["claim_code_hash"], batch_size=1000)
    audit_record(
        action="class.claim_codes_reissued", by=by, entity=school_class, new={"count": len(codes)}, request=request
    )
    return codes


@transaction.atomic
def student_claim_code_issue(*, student: Student, by: User, request=None) -> dict:
    """Give one unclaimed student a new claim code (a lost slip, or a student who has no second factor on record),
    replacing the old one. Returns the slip, whose plain code is shown once; only its hash is stored."""
    require_role(by, "is_teacher_or_admin", "Only administrators and teachers can issue claim codes.")
    student = (
        Student.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("user", "school_class")
        .filter(pk=student.pk)
        .first()
    )
    if student is None:
        raise ClassroomError("You can only issue claim codes to students of your own classes.", status_code=403)
    if student.is_account_claimed:
        raise ClassroomError("This student has already claimed their account.", status_code=409)
    code, student.claim_code_hash = new_claim_code()
    student.save(update_fields=["claim_code_hash"])
    audit_record(action="student.claim_code_issued", by=by, entity=student, request=request)
    return claim_slip(student, code)


def import_job_claim_codes(*, job: ImportJob, by: User) -> list[dict]:
    """The plain claim codes of a finished import, for its creator alone, while they are still kept."""
    if job.created_by_id != getattr(by, "pk", None) or not job.claim_codes or not job.finished_at:
        return []
    if timezone.now() - job.finished_at > CLAIM_CODES_TTL:
        return []
    return list(job.claim_codes)


@transaction.atomic
def import_job_discard_codes(*, job: ImportJob, by: User) -> None:
    user = active_user(by)
    if user is None or (job.created_by_id != user.pk and not user.is_admin):
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
    return render_pdf("classrooms/claim_slips.html", {"codes": codes, "title": title, "generated_at": timezone.now()})
