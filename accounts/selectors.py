"""Reads of the accounts app: scoped querysets used by the API and the pages alike (STYLE.md)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import AuditLog, Role, Teacher, User


def users_visible_to(user: User) -> QuerySet[User]:
    """User management is for administrators only; everyone else sees no user rows."""
    if not (user and user.is_authenticated and user.is_active and user.is_admin):
        return User.objects.none()
    return User.objects.select_related("teacher", "student", "student__school_class")


def users_search(qs: QuerySet[User], *, search: str = "", role: str = "", is_active: bool | None = None):
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(student__registration_number__icontains=search)
        )
    if role in Role.values:
        qs = qs.filter(role=role)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def teachers_visible_to(user: User) -> QuerySet[Teacher]:
    """Admins see every teacher; teachers see the public profiles of active colleagues; students see none."""
    from classrooms.models import SchoolClass

    if not (user and user.is_authenticated and user.is_active):
        return Teacher.objects.none()
    qs = Teacher.objects.select_related("user").prefetch_related(
        Prefetch("classes", queryset=SchoolClass.objects.order_by("name", "section", "academic_year"))
    )
    if user.is_admin:
        return qs
    if user.is_teacher:
        return qs.filter(user__is_active=True)
    return Teacher.objects.none()


def teachers_search(qs: QuerySet[Teacher], *, search: str = "") -> QuerySet[Teacher]:
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(user__name__icontains=search)
            | Q(user__email__icontains=search)
            | Q(subject__icontains=search)
            | Q(department__icontains=search)
        )
    return qs


def audit_logs_visible_to(user: User) -> QuerySet[AuditLog]:
    if not (user and user.is_authenticated and user.is_active and user.is_admin):
        return AuditLog.objects.none()
    return AuditLog.objects.select_related("user")


def audit_actions() -> list[str]:
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())


def users_for_profile(user: User) -> User:
    """The signed-in user with what the profile page shows (class, or subject and classes)."""
    return (
        User.objects.select_related("teacher", "student", "student__school_class")
        .prefetch_related("teacher__classes")
        .get(pk=user.pk)
    )
