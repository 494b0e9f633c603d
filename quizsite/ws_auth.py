"""WebSocket authentication: `?token=<access token>` (the SPA, guide 5.11) or the session cookie (HTML pages)."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_from_access_token(raw: str):
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

    from accounts.authentication import PasswordAwareJWTAuthentication

    auth = PasswordAwareJWTAuthentication()
    try:
        # get_validated_token only accepts access tokens: a refresh token is refused here too.
        validated = auth.get_validated_token(raw.encode())
        return auth.get_user(validated)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser()


class TokenAuthMiddleware:
    """Puts the token's user in scope["user"] when a `token` query parameter is present."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        token = (query.get("token") or [None])[0]
        if token:
            scope = dict(scope, user=await _user_from_access_token(token))
        return await self.inner(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 - mirrors Channels' AuthMiddlewareStack name
    # Session auth runs first and sets scope["user"]; a token, when given, then takes precedence.
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
