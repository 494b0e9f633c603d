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
    """Every credential check (the Django admin's login included) goes through accounts.services, so throttling,
    the claim/active rules and the audit trail apply everywhere."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from accounts.services import AccountError, login_authenticate

        username = username or kwargs.get("email")
        if username is None or password is None:
            return None
        try:
            return login_authenticate(identifier=username, password=password, request=request)
        except AccountError:
            return None
