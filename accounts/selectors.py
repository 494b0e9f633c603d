"""Reads of the accounts app. Who may see which rows is decided by the models' scoped querysets
(`User.objects.visible_to`, ...); these compose them with what each page or endpoint shows (STYLE.md)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import AuditLog, Role, Teacher, User, normalize_email, normalize_registration_number


def users_visible_to(user: User) -> QuerySet[User]:
    return User.objects.visible_to(user).select_related("teacher", "student", "student__school_class")


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
    # The classes come in SchoolClass's Meta ordering (name, section, academic year).
    return Teacher.objects.visible_to(user).select_related("user").prefetch_related("classes")


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
    return AuditLog.objects.visible_to(user).select_related("user")


def audit_logs_search(qs: QuerySet[AuditLog], *, user: str = "") -> QuerySet[AuditLog]:
    """Entries by a user whose name or e-mail contains `user`."""
    user = (user or "").strip()
    if user:
        qs = qs.filter(Q(user__name__icontains=user) | Q(user__email__icontains=user))
    return qs


def audit_actions() -> list[str]:
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())


def users_for_profile(user: User) -> User:
    """The signed-in user with what the profile page shows (class, or subject and classes)."""
    return (
        User.objects.select_related("teacher", "student", "student__school_class")
        .prefetch_related("teacher__classes")
        .get(pk=user.pk)
    )


def user_for_login(identifier: str) -> User | None:
    """The account an identifier names: an e-mail address (any case), or a student's registration number (any
    case). Whether it may sign in is the login service's business."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email=normalize_email(identifier)).select_related("student").first()
    return (
        User.objects.students()
        .filter(student__registration_number=normalize_registration_number(identifier))
        .select_related("student")
        .first()
    )
