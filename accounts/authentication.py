"""JWT authentication that ends access tokens when the password changes, at logout, and when their session's refresh
token is stolen.

Refresh tokens are revoked in the database (simplejwt's blacklist), but an access token is not looked up anywhere
and would stay valid for up to an hour. Three checks close that, all in `PasswordAwareJWTAuthentication.get_user`
(so the API and the sockets, quizsite.ws_auth, refuse alike):

- Tokens issued by accounts.services.tokens_issue carry a short fingerprint of the password hash (`pwv`), compared
  with the user loaded anyway: a password change or reset ends every access token, at no extra query.
- Each login starts a *session* (a refresh-token family, claim `fam`): every rotation keeps it, and every access
  token carries it. Logout, or the replay of a rotated refresh token (theft), revokes the family in the cache.
- Logout also puts the access token's `jti` on a deny list in the cache until the token expires (tokens issued
  before sessions existed have no `fam`).

The cache is Redis in production. When it is unreachable the two cache checks let the token through (logged):
an outage must not sign a whole school out mid-exam; the database blacklist still ends the refresh tokens.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

logger = logging.getLogger(__name__)

PASSWORD_CLAIM = "pwv"
FAMILY_CLAIM = "fam"


def password_fingerprint(user) -> str:
    return salted_hmac("accounts.jwt-password-version", user.password or "", algorithm="sha256").hexdigest()[:16]


def _jti_key(jti: str) -> str:
    return f"jwt:revoked:jti:{jti}"


def _family_key(family: str) -> str:
    return f"jwt:revoked:fam:{family}"


def access_token_revoke(claims: dict) -> None:
    """Deny this access token until it expires (logout)."""
    jti, exp = claims.get("jti"), claims.get("exp")
    if not jti or not exp:
        return
    ttl = int(exp - time.time()) + 1
    if ttl <= 0:
        return
    try:
        cache.set(_jti_key(str(jti)), 1, ttl)
    except Exception:
        logger.warning("token deny list unavailable; access token %s not revoked", jti, exc_info=True)


def token_family_revoke(family: str) -> None:
    """Deny every token of this session: access tokens here, refresh tokens in accounts.services.auth."""
    if not family:
        return
    # As long as a refresh token of the family could still be presented: the longest lifetime there is.
    ttl = int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()) + 60
    try:
        cache.set(_family_key(str(family)), 1, ttl)
    except Exception:
        logger.warning("token deny list unavailable; session %s not revoked", family, exc_info=True)


def token_revoked(claims) -> bool:
    """Whether the token (its claims) was revoked by logout or as part of a stolen session."""
    keys = [_jti_key(str(claims.get("jti")))]
    if claims.get(FAMILY_CLAIM):
        keys.append(_family_key(str(claims.get(FAMILY_CLAIM))))
    try:
        return bool(cache.get_many(keys))
    except Exception:
        logger.warning("token deny list unavailable; not checking revocation", exc_info=True)
        return False


class PasswordAwareJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        claim = validated_token.get(PASSWORD_CLAIM)
        if claim is not None and claim != password_fingerprint(user):
            raise AuthenticationFailed("The password of this account has changed. Please log in again.")
        if token_revoked(validated_token):
            raise AuthenticationFailed("This session has ended. Please log in again.", code="token_not_valid")
        return user


# OpenAPI: the same bearer scheme as simplejwt's own class (drf-spectacular does not match subclasses by itself).
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme  # noqa: E402


class PasswordAwareJWTScheme(SimpleJWTScheme):
    target_class = PasswordAwareJWTAuthentication
    name = "bearerAuth"  # distinct from simplejwt's "jwtAuth" while both classes are in use
