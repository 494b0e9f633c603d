"""User administration (admins): create, edit, (de)activate and delete admin and teacher accounts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.errors import AccountError
from accounts.models import Role, Teacher, User, normalize_email
from accounts.services.audit import audit_record
from accounts.services.auth import refresh_tokens_revoke_all, set_new_password

USER_AUDIT_FIELDS = ("email", "name", "role", "is_active")


def _user_snapshot(user: User) -> dict:
    data = {f: getattr(user, f) for f in USER_AUDIT_FIELDS}
    teacher = getattr(user, "teacher", None) if user.is_teacher else None
    if teacher is not None:
        data["subject"] = teacher.subject
    return data


def _require_admin(by: User) -> None:
    if not (by and by.is_authenticated and by.is_active and by.is_admin):
        raise AccountError("Only administrators can manage users.", status_code=403)


def _check_email_free(email: str, *, exclude=None) -> str:
    email = normalize_email(email)
    if not email:
        raise ValidationError({"email": ["An e-mail address is required."]})
    qs = User.objects.filter(email=email)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise ValidationError({"email": ["A user with this e-mail address already exists."]})
    return email


def _required_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A name is required."]})
    return name


@transaction.atomic
def user_create(
    *,
    by: User,
    email: str,
    name: str,
    role: str,
    password: str = "",
    subject: str = "",
    department: str = "",
    phone: str = "",
    request=None,
) -> User:
    """Create an admin or a teacher (with its Teacher row). Students come with a registration number and a class,
    so they are created through the students API / roster instead."""
    _require_admin(by)
    if role == Role.STUDENT:
        raise AccountError(
            "Students are created with a registration number and a class: use /api/v1/students.", code="use_students"
        )
    if role not in (Role.ADMIN, Role.TEACHER):
        raise ValidationError({"role": [f"Role must be one of: {Role.ADMIN}, {Role.TEACHER}."]})
    email = _check_email_free(email)
    name = _required_name(name)
    user = User(email=email, name=name, role=role, is_superuser=False)
    if password:
        set_new_password(user, password)
    else:
        # No password: the user sets one through "Forgot password".
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.full_clean(exclude=["password"])
            user.save()
    except IntegrityError:
        raise ValidationError({"email": ["A user with this e-mail address already exists."]}) from None
    if role == Role.TEACHER:
        Teacher.objects.create(user=user, subject=subject or "", department=department or "", phone=phone or "")
    audit_record(action="user.create", by=by, entity=user, new=_user_snapshot(user), request=request)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    by: User,
    email: str | None = None,
    name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    subject: str | None = None,
    department: str | None = None,
    phone: str | None = None,
    request=None,
) -> User:
    """Partial update: only the arguments that are not None change (the SPA sends only changed fields)."""
    _require_admin(by)
    user = User.objects.select_for_update().get(pk=user.pk)
    old = _user_snapshot(user)
    fields: list[str] = []
    if role is not None and role != user.role:
        raise ValidationError(
            {"role": ["The role of an account cannot be changed. Create a new account with the other role."]}
        )
    if email is not None:
        new_email = _check_email_free(email, exclude=user)
        if new_email != user.email:
            user.email = new_email
            fields.append("email")
    if name is not None:
        user.name = _required_name(name)
        fields.append("name")
    if is_active is not None and is_active != user.is_active:
        if not is_active and user.pk == by.pk:
            raise AccountError("You cannot deactivate your own account.", code="self")
        user.is_active = is_active
        fields.append("is_active")
    if password:
        set_new_password(user, password)
        fields.append("password")
    if fields:
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save(update_fields=[*fields, "updated_at"])
        if "is_active" in fields and not user.is_active or "password" in fields:
            refresh_tokens_revoke_all(user=user)
    if user.is_teacher:
        teacher = Teacher.objects.filter(user=user).first() or Teacher.objects.create(user=user)
        user.teacher = teacher  # the snapshot below must see the new values
        teacher_fields = [
            f for f, v in (("subject", subject), ("department", department), ("phone", phone)) if v is not None
        ]
        for f in teacher_fields:
            setattr(teacher, f, {"subject": subject, "department": department, "phone": phone}[f] or "")
        if teacher_fields:
            teacher.full_clean()
            teacher.save(update_fields=teacher_fields)
    new = _user_snapshot(user)
    if new != old or "password" in fields:
        changed_old = {k: v for k, v in old.items() if new.get(k) != v}
        changed_new = {k: v for k, v in new.items() if old.get(k) != v}
        if "password" in fields:
            changed_new["password"] = "changed"
        action = "user.update"
        if "is_active" in fields and set(changed_new) == {"is_active"}:
            action = "user.activate" if user.is_active else "user.deactivate"
        audit_record(action=action, by=by, entity=user, old=changed_old, new=changed_new, request=request)
    return user


def user_set_active(*, user: User, by: User, is_active: bool, request=None) -> User:
    return user_update(user=user, by=by, is_active=is_active, request=request)


def user_delete_blockers(user: User) -> list[str]:
    """What deleting `user` would destroy with it (cascades); an account with work attached is deactivated."""
    blockers = []
    if user.is_teacher and hasattr(user, "teacher"):
        quizzes = user.teacher.quizzes.count()
        questions = user.teacher.questions.count()
        if quizzes:
            blockers.append(f"{quizzes} quiz(zes)")
        if questions:
            blockers.append(f"{questions} question(s)")
    if user.is_student and hasattr(user, "student"):
        attempts = user.student.attempts.count()
        if attempts:
            blockers.append(f"{attempts} quiz attempt(s)")
    return blockers


@transaction.atomic
def user_delete(*, user: User, by: User, request=None) -> None:
    _require_admin(by)
    if user.pk == by.pk:
        raise AccountError("You cannot delete your own account.", code="self")
    blockers = user_delete_blockers(user)
    if blockers:
        raise AccountError(
            f"{user.name} owns {', '.join(blockers)}; deleting would destroy them. Deactivate the account instead.",
            status_code=409,
            code="has_dependents",
        )
    snapshot = _user_snapshot(user)
    user_id = user.pk
    audit_record(action="user.delete", by=by, entity_type="user", entity_id=user_id, old=snapshot, request=request)
    user.delete()
