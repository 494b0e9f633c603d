"""Session login by e-mail (any case) or by a student's registration number (any case, any prefix)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import Role, User, normalize_email, normalize_registration_number


def find_user_for_login(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email=normalize_email(identifier)).select_related("student").first()
    return (
        User.objects.filter(role=Role.STUDENT, student__registration_number=normalize_registration_number(identifier))
        .select_related("student")
        .first()
    )


class EmailOrRegistrationNumberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email")
        if username is None or password is None:
            return None
        user = find_user_for_login(username)
        if user is None:
            # Same cost as a real check, so response time does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.is_student and not user.student.is_account_claimed:
                return None
            return user
        return None
