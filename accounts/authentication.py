"""JWT authentication that also ends access tokens when the password changes.

Refresh tokens are revoked by blacklisting (reset-password, password change, deactivation), but an access token
is not looked up anywhere and would stay valid for up to an hour after a reset — exactly when a stolen session
must end. Tokens issued by accounts.services.tokens_issue carry a short fingerprint of the password hash (`pwv`);
this class compares it with the user it loads anyway, so the check costs no extra query.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

PASSWORD_CLAIM = "pwv"


def password_fingerprint(user) -> str:
    return salted_hmac("accounts.jwt-password-version", user.password or "", algorithm="sha256").hexdigest()[:16]


class PasswordAwareJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        claim = validated_token.get(PASSWORD_CLAIM)
        if claim is not None and claim != password_fingerprint(user):
            raise AuthenticationFailed("The password of this account has changed. Please log in again.")
        return user


# OpenAPI: the same bearer scheme as simplejwt's own class (drf-spectacular does not match subclasses by itself).
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme  # noqa: E402


class PasswordAwareJWTScheme(SimpleJWTScheme):
    target_class = PasswordAwareJWTAuthentication
    name = "bearerAuth"  # distinct from simplejwt's "jwtAuth" while both classes are in use
