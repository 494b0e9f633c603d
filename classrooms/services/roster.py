"""Roster writes: classes, the teachers who teach them, and students (created one by one, moved, removed).

Ids (or objects) named by the caller are resolved here, through the models' scoped querysets
(`Student.objects.assignable_by(by)`, `SchoolClass.objects.manageable_by(by)`, `Teacher.objects.visible_to(by)`),
so the page and the API cannot check differently: they parse input, call these and render the result or error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from accounts.claim_codes import claim_code_needed, new_claim_code
from accounts.models import Role, Student, Teacher, User, active_user, normalize_email, normalize_registration_number
from accounts.services import audit_record, user_delete_blockers
from classrooms import imports
from classrooms.errors import ClassroomError, require_role
from classrooms.models import SchoolClass, TeacherClass


def _pk(item):
    """The primary key of a model object, or the UUID an id names."""
    return item.pk if isinstance(item, models.Model) else uuid.UUID(str(item))


def _resolve(queryset, field: str, values: set, *, error_field: str, label: str) -> list:
    """The rows of a scoped queryset whose `field` is in `values`, all or nothing: unknown and not-yours look the
    same (a ValidationError on `error_field`), so nobody can probe rows they may not see."""
    if not values:
        return []
    rows = {getattr(row, field): row for row in queryset.filter(**{f"{field}__in": values})}
    missing = values - rows.keys()
    if missing:
        raise ValidationError({error_field: [f"Unknown {label}: {', '.join(sorted(map(str, missing)))}"]})
    return list(rows.values())


def require_class_manager(by: User, school_class: SchoolClass) -> None:
    if not SchoolClass.objects.manageable_by(by).filter(pk=school_class.pk).exists():
        raise ClassroomError("Only administrators and the class's teachers can change its students.", status_code=403)


# --------------------------------------------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------------------------------------------
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
    require_role(by, "is_admin", "Only administrators can create classes.")
    school_class = SchoolClass(name=name, section=section or "", academic_year=academic_year or "", created_by=by)
    _clean_class(school_class)
    school_class.save()
    audit_record(action="class.create", by=by, entity=school_class, new=_class_snapshot(school_class), request=request)
    return school_class


@transaction.atomic
def class_update(*, school_class: SchoolClass, by: User, request=None, **changes) -> SchoolClass:
    require_role(by, "is_admin", "Only administrators can edit classes.")
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
    require_role(by, "is_admin", "Only administrators can delete classes.")
    # Students stay (their class becomes empty, ON DELETE SET NULL); quizzes lose the assignment.
    snapshot = _class_snapshot(school_class)
    audit_record(action="class.delete", by=by, entity=school_class, old=snapshot, request=request)
    school_class.delete()


# --------------------------------------------------------------------------------------------------------------
# Teachers of a class
# --------------------------------------------------------------------------------------------------------------
def _teacher_snapshot(teacher: Teacher) -> dict:
    return {"teacher_id": str(teacher.pk), "teacher": teacher.user.name}


@transaction.atomic
def class_assign_teacher(
    *, school_class: SchoolClass, teacher: Teacher | uuid.UUID | str, by: User, request=None
) -> bool:
    """Add the teacher (an object or an id) to the class's teachers. Returns False when they already taught it
    (nothing changes)."""
    require_role(by, "is_admin", "Only administrators can assign teachers.")
    teacher = Teacher.objects.visible_to(by).select_related("user").filter(pk=_pk(teacher)).first()
    if teacher is None:
        raise ValidationError({"teacher_id": ["No teacher with this id."]})
    if not teacher.user.is_active:
        raise ClassroomError("This teacher's account is deactivated.")
    _link, created = TeacherClass.objects.get_or_create(teacher=teacher, school_class=school_class)
    if created:
        audit_record(
            action="class.assign_teacher",
            by=by,
            entity=school_class,
            new=_teacher_snapshot(teacher),
            request=request,
        )
    return created


@transaction.atomic
def class_unassign_teacher(*, school_class: SchoolClass, teacher: Teacher, by: User, request=None) -> None:
    require_role(by, "is_admin", "Only administrators can unassign teachers.")
    deleted, _ = TeacherClass.objects.filter(teacher=teacher, school_class=school_class).delete()
    if not deleted:
        raise ClassroomError("This teacher does not teach this class.", status_code=404)
    audit_record(
        action="class.unassign_teacher",
        by=by,
        entity=school_class,
        old=_teacher_snapshot(teacher),
        request=request,
    )


# --------------------------------------------------------------------------------------------------------------
# Students of a class
# --------------------------------------------------------------------------------------------------------------
@transaction.atomic
def class_assign_students(
    *,
    school_class: SchoolClass,
    by: User,
    students: Iterable[Student | uuid.UUID | str] = (),
    registration_numbers: Iterable[str] = (),
    request=None,
) -> int:
    """Move students into the class (a student has one class), all or nothing. They are named by object or id
    and/or by registration number, and resolved through Student.objects.assignable_by(by): a teacher cannot take
    a student out of another teacher's class. Returns how many changed class."""
    require_class_manager(by, school_class)
    assignable = Student.objects.assignable_by(by)
    found = _resolve(
        assignable, "pk", {_pk(s) for s in students}, error_field="student_ids", label="student ids"
    ) + _resolve(
        assignable,
        "registration_number",
        {normalize_registration_number(n) for n in registration_numbers} - {""},
        error_field="registration_numbers",
        label="registration numbers",
    )
    ids = sorted({s.pk for s in found if s.school_class_id != school_class.pk}, key=str)
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
    require_class_manager(by, school_class)
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
_UNSET = object()


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


def _given(value, clean=None):
    """A text argument of a partial update: None means "not given" (_UNSET), anything else is set (cleaned)."""
    if value is None:
        return _UNSET
    return clean(value) if clean else value


def _assign(obj, **values) -> list[str]:
    """Set the attributes given (not _UNSET) on `obj`; returns their names for save(update_fields=...)."""
    fields = [field for field, value in values.items() if value is not _UNSET]
    for field in fields:
        setattr(obj, field, values[field])
    return fields


def _target_class(by: User, school_class: SchoolClass | uuid.UUID | str | None) -> SchoolClass | None:
    """The class (an object or an id) a student is put into, through SchoolClass.objects.manageable_by(by):
    teachers only into their own classes, admins into any class or none."""
    if school_class is None:
        if active_user(by).is_admin:
            return None
        raise ValidationError({"class_id": ["Choose one of your classes."]})
    found = SchoolClass.objects.manageable_by(by).filter(pk=_pk(school_class)).first()
    if found is None:
        raise ValidationError({"class_id": ["No such class."]})
    return found


@transaction.atomic
def student_create(
    *,
    by: User,
    name: str,
    email: str,
    registration_number: str,
    school_class: SchoolClass | uuid.UUID | str | None = None,
    date_of_birth=None,
    parent_email: str = "",
    parent_phone: str = "",
    request=None,
) -> Student:
    """Create an unclaimed student with an unusable password; they claim the account later (accounts) with their
    date of birth when one is given, else with a one-time claim code issued here. The plain code is on the
    returned student as `claim_code` (None when not issued) for the creator to see once; only its hash is stored."""
    require_role(by, "is_teacher_or_admin", "Only administrators and teachers can manage students.")
    school_class = _target_class(by, school_class)
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
    code, code_hash = new_claim_code() if claim_code_needed(date_of_birth=date_of_birth) else (None, "")
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
                claim_code_hash=code_hash,
            )
    except IntegrityError:
        raise ClassroomError(
            "A user with this email or registration number was just created; reload and try again.", status_code=409
        ) from None
    audit_record(
        action="student.create",
        by=by,
        entity=student,
        new={**_student_snapshot(student), "claim_code_issued": code is not None},
        request=request,
    )
    student.claim_code = code
    return student


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
    them only between their own classes; `school_class` is an object, an id or None."""
    require_role(by, "is_teacher_or_admin", "Only administrators and teachers can edit students.")
    if not Student.objects.visible_to(by).filter(pk=student.pk).exists():
        raise ClassroomError("You can only edit students of your own classes.", status_code=403)
    if school_class is not _UNSET:
        school_class = _target_class(by, school_class)

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

    user_fields = _assign(user, name=_given(name, str.strip), email=_UNSET if email in (None, user.email) else email)
    student_fields = _assign(
        student,
        registration_number=_given(registration_number),
        school_class=school_class,
        date_of_birth=date_of_birth,
        parent_email=_given(parent_email),
        parent_phone=_given(parent_phone, str.strip),
    )
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
    require_role(by, "is_admin", "Only administrators can delete students.")
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
