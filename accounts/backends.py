"""Session login by e-mail (any case) or by a student's registration number (any case, any prefix)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.services import AccountError, login_authenticate


class EmailOrRegistrationNumberBackend(ModelBackend):
    """Every credential check (the Django admin's login included) goes through accounts.services, so throttling,
    the claim/active rules and the audit trail apply everywhere."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email")
        if username is None or password is None:
            return None
        try:
            return login_authenticate(identifier=username, password=password, request=request)
        except AccountError:
            return None
