"""Issue 17: a student's exam accommodations, set and removed by the student's teachers and admins, audited.

The student is resolved through Student.objects.visible_to(by) for staff: a teacher acts only on the students of the
classes they teach, anyone else gets "not found". What an accommodation does to a quiz is quizzes.effective's.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.errors import AccountError
from accounts.models import Accommodation, Student, User
from accounts.services.audit import audit_record
from accounts.signals import announce_accommodation_changed

MAX_MULTIPLIER = Decimal("5")
MAX_EXTRA_MINUTES = 1440
MAX_EXTRA_ATTEMPTS = 20
FIELDS = ("time_multiplier", "extra_minutes", "no_time_limit", "extra_attempts", "exempt_from_focus_violations")


def _student_for(by: User, student: Student) -> Student:
    if by is None or not by.is_teacher_or_admin:
        raise AccountError("Only the student's teachers and admins can set accommodations.", status_code=403)
    found = Student.objects.visible_to(by).filter(pk=student.pk).first()
    if found is None:
        raise AccountError("Not found.", status_code=404)
    return found


def _snapshot(acc: Accommodation | None) -> dict | None:
    if acc is None:
        return None
    return {f: getattr(acc, f) for f in (*FIELDS, "reason")}


def accommodation_clean(*, time_multiplier, extra_minutes, no_time_limit, extra_attempts, reason) -> tuple:
    """THE validation of an accommodation's values (the pages, the API and the student import call it):
    (multiplier, extra minutes, no time limit, extra attempts, reason), or an AccountError saying what is wrong."""
    try:
        multiplier = Decimal(str(time_multiplier if time_multiplier not in (None, "") else 1))
    except InvalidOperation:
        raise AccountError("Time multiplier must be a number such as 1.25, 1.5 or 2.") from None
    if not multiplier.is_finite() or not Decimal(1) <= multiplier <= MAX_MULTIPLIER:
        raise AccountError(f"Time multiplier must be between 1 and {MAX_MULTIPLIER}.")
    if multiplier != multiplier.quantize(Decimal("0.01")):
        raise AccountError("Time multiplier may have at most two decimals (e.g. 1.25).")
    try:
        extra_minutes = int(extra_minutes or 0)
        extra_attempts = int(extra_attempts or 0)
    except (TypeError, ValueError):
        raise AccountError("Extra minutes and extra attempts must be whole numbers.") from None
    if not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        raise AccountError(f"Extra minutes must be between 0 and {MAX_EXTRA_MINUTES}.")
    if not 0 <= extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise AccountError(f"Extra attempts must be between 0 and {MAX_EXTRA_ATTEMPTS}.")
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("Give the reason for the accommodation (e.g. the plan it comes from).")
    if len(reason) > 500:
        raise AccountError("The reason may be at most 500 characters long.")
    return multiplier, extra_minutes, bool(no_time_limit), extra_attempts, reason


@transaction.atomic
def accommodation_set(
    *,
    student: Student,
    by: User,
    reason: str,
    time_multiplier=1,
    extra_minutes=0,
    no_time_limit: bool = False,
    extra_attempts=0,
    exempt_from_focus_violations: bool = False,
    request=None,
) -> Accommodation:
    """Create or replace the student's accommodations. Running attempts follow (their deadline moves)."""
    student = _student_for(by, student)
    multiplier, extra_minutes, no_limit, extra_attempts, reason = accommodation_clean(
        time_multiplier=time_multiplier,
        extra_minutes=extra_minutes,
        no_time_limit=no_time_limit,
        extra_attempts=extra_attempts,
        reason=reason,
    )
    old = Accommodation.objects.select_for_update().filter(student=student).first()
    before = _snapshot(old)
    acc, _ = Accommodation.objects.update_or_create(
        student=student,
        defaults={
            "time_multiplier": multiplier,
            "extra_minutes": extra_minutes,
            "no_time_limit": no_limit,
            "extra_attempts": extra_attempts,
            "exempt_from_focus_violations": bool(exempt_from_focus_violations),
            "reason": reason,
            "set_by": by,
        },
    )
    audit_record(
        action="student.accommodation_set", by=by, entity=student.user, old=before, new=_snapshot(acc), request=request
    )
    announce_accommodation_changed(student.pk)
    return acc


@transaction.atomic
def accommodation_remove(*, student: Student, by: User, request=None) -> bool:
    """Remove the student's accommodations (from now on the quiz's own settings apply). False if there were none."""
    student = _student_for(by, student)
    old = Accommodation.objects.select_for_update().filter(student=student).first()
    if old is None:
        return False
    before = _snapshot(old)
    old.delete()
    audit_record(action="student.accommodation_remove", by=by, entity=student.user, old=before, request=request)
    announce_accommodation_changed(student.pk)
    return True
