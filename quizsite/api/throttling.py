"""General API throttling: per user when signed in, per IP only when anonymous.

A whole school often reaches the server from one NAT address, and a class autosaving must never be throttled as
one client, so signed-in requests are never counted per IP. The counters live in the shared cache (Redis in
production); if the cache is down the throttle lets the request through rather than failing a student's save.
The address is quizsite.clientip's (X-Forwarded-For only from TRUSTED_PROXIES): DRF's own reading believes the
header from anyone, so every forged value would be a fresh bucket.
"""

from __future__ import annotations

import logging

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from quizsite.clientip import client_ip

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # cache backend unreachable: availability of the exam beats rate limiting
            logger.warning("throttle cache unavailable; letting the request through", exc_info=True)
            return True

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class SignedInUserThrottle(FailOpenMixin, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # anonymous requests are the AnonymousIPThrottle's business
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousIPThrottle(FailOpenMixin, AnonRateThrottle):
    scope = "anon"


class ScopedFailOpenThrottle(FailOpenMixin, SimpleRateThrottle):
    """Base for named limits (login, forgot-password, ...): subclasses set `scope` and `get_cache_key`."""
