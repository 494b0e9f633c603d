"""Role checks shared by every app's API. Object-level scoping is done by querysets (STYLE.md), not here."""

from rest_framework.permissions import BasePermission

from accounts.models import Role


class _RolePermission(BasePermission):
    roles: tuple[str, ...] = ()
    message = "You do not have permission to perform this action."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role in self.roles)


class IsAdmin(_RolePermission):
    roles = (Role.ADMIN,)
    message = "Only administrators can do this."


class IsTeacherOrAdmin(_RolePermission):
    roles = (Role.TEACHER, Role.ADMIN)
    message = "Only teachers and administrators can do this."


class IsTeacher(_RolePermission):
    roles = (Role.TEACHER,)
    message = "Only teachers can do this."


class IsStudent(_RolePermission):
    roles = (Role.STUDENT,)
    message = "Only students can do this."
