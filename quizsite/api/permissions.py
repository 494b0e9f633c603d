"""Role checks shared by every app's API. Object-level scoping is done by the models' scoped querysets
(`Quiz.objects.visible_to(user)`, ...), not here. Roles are read through the user's `is_admin`, `is_teacher`,
`is_student`, `is_teacher_or_admin` properties, the one way roles are spelled."""

from rest_framework.permissions import BasePermission


class _RolePermission(BasePermission):
    role_property = ""  # the User property that must be true
    message = "You do not have permission to perform this action."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and getattr(user, self.role_property))


class IsAdmin(_RolePermission):
    role_property = "is_admin"
    message = "Only administrators can do this."


class IsTeacherOrAdmin(_RolePermission):
    role_property = "is_teacher_or_admin"
    message = "Only teachers and administrators can do this."


class IsTeacher(_RolePermission):
    role_property = "is_teacher"
    message = "Only teachers can do this."


class IsStudent(_RolePermission):
    role_property = "is_student"
    message = "Only students can do this."
