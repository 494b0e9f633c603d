"""WebSocket authentication: `?token=<access token>` (the SPA, guide 5.11) or the session cookie (HTML pages).

At connect, scope["user"] is whoever the token or the session names (AnonymousUser if neither holds). A socket
outlives the request that opened it, so consumers call `signed_in_user(scope)` again now and then: it checks the
same credential again as a new request would, with the same code a request runs —
- a token: accounts.authentication.PasswordAwareJWTAuthentication (signature, expiry, access type, the user still
  there and active, the password fingerprint still matching: a password change or reset ends it);
- a session: django.contrib.auth.get_user on the session as it is in the store now (signed out, expired, or its
  auth hash no longer matching the user's password: it ends, as the page's next request would).
"""

from __future__ import annotations

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

TOKEN_SCOPE_KEY = "access_token"  # the raw token the socket was opened with, kept for the re-checks


@database_sync_to_async
def _user_from_access_token(raw: str):
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

    from accounts.authentication import PasswordAwareJWTAuthentication

    auth_class = PasswordAwareJWTAuthentication()
    try:
        # get_validated_token only accepts access tokens: a refresh token is refused here too.
        validated = auth_class.get_validated_token(raw.encode())
        return auth_class.get_user(validated)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser()


@database_sync_to_async
def _user_from_session(session_key: str | None):
    if not session_key:
        return AnonymousUser()
    # Loaded afresh from the store (a signed-out session is gone); get_user reads nothing but request.session.
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return auth.get_user(request)


async def signed_in_user(scope):
    """The user this socket was opened for, if their sign-in still holds now; else None."""
    token = scope.get(TOKEN_SCOPE_KEY)
    if token:
        user = await _user_from_access_token(token)
    else:
        session = scope.get("session")
        user = await _user_from_session(session.session_key if session is not None else None)
    opened_for = scope.get("user")
    if not user.is_authenticated or opened_for is None or user.pk != opened_for.pk:
        return None
    return user


class TokenAuthMiddleware:
    """Puts the token's user in scope["user"] when a `token` query parameter is present."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        token = (query.get("token") or [None])[0]
        if token:
            scope = dict(scope, user=await _user_from_access_token(token), **{TOKEN_SCOPE_KEY: token})
        return await self.inner(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 - mirrors Channels' AuthMiddlewareStack name
    # Session auth runs first and sets scope["user"]; a token, when given, then takes precedence.
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
