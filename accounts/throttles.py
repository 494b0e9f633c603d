"""Brute-force protection for the anonymous account endpoints (login, claim, password reset).

Two kinds of limits, both on the shared cache (Redis in production), both failing open when the cache is down
(an unreachable Redis must not lock a whole school out at exam start):

- `FailureLimit` counts *failures* only, per account and per IP. A school reaches the server from one NAT address
  and hundreds of students log in within a minute; counting successes per IP would throttle the exam itself,
  counting failures does not.
- For requests that cost something on every call (sending a reset e-mail) every request is recorded per IP.

The services check these, so the API and the HTML pages are protected alike.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _digest(value: str) -> str:
    # Cache keys must not carry e-mail addresses or registration numbers in clear (Redis is shared).
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FailureLimit:
    """At most `limit` failures per `window` seconds for one key; then blocked until the window ends."""

    scope: str
    limit: int
    window: int

    def _keys(self, ident: str) -> tuple[str, str]:
        base = f"fail:{self.scope}:{_digest(ident)}"
        return base, base + ":until"

    def retry_after(self, ident: str) -> int:
        """Seconds until `ident` may try again; 0 when it is not blocked (or the cache is unreachable)."""
        count_key, until_key = self._keys(ident)
        try:
            values = cache.get_many([count_key, until_key])
        except Exception:
            logger.warning("failure-limit cache unavailable; not blocking %s", self.scope, exc_info=True)
            return 0
        if (values.get(count_key) or 0) < self.limit:
            return 0
        until = values.get(until_key) or (time.time() + self.window)
        return max(1, math.ceil(until - time.time()))

    def record_failure(self, ident: str) -> None:
        count_key, until_key = self._keys(ident)
        try:
            # add() only sets when absent: the window is fixed from the first failure, so Retry-After is honest.
            if cache.add(count_key, 0, self.window):
                cache.set(until_key, time.time() + self.window, self.window)
            cache.incr(count_key)
        except ValueError:
            # The key expired between add() and incr(): start a new window.
            cache.set(count_key, 1, self.window)
            cache.set(until_key, time.time() + self.window, self.window)
        except Exception:
            logger.warning("failure-limit cache unavailable; failure not counted for %s", self.scope, exc_info=True)

    def reset(self, ident: str) -> None:
        try:
            cache.delete_many(list(self._keys(ident)))
        except Exception:
            logger.warning("failure-limit cache unavailable; could not reset %s", self.scope, exc_info=True)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# Limits are read at call time so tests and deployments can tune them with settings.
def login_account_limit() -> FailureLimit:
    return FailureLimit(
        "login-account", _setting("LOGIN_FAILURES_PER_ACCOUNT", 10), _setting("LOGIN_FAILURE_WINDOW", 900)
    )


def login_ip_limit() -> FailureLimit:
    # Generous: a whole school shares one address and students mistype their passwords.
    return FailureLimit("login-ip", _setting("LOGIN_FAILURES_PER_IP", 100), _setting("LOGIN_FAILURE_WINDOW", 900))


def claim_account_limit() -> FailureLimit:
    return FailureLimit(
        "claim-account", _setting("CLAIM_FAILURES_PER_ACCOUNT", 5), _setting("CLAIM_FAILURE_WINDOW", 900)
    )


def claim_ip_limit() -> FailureLimit:
    return FailureLimit("claim-ip", _setting("CLAIM_FAILURES_PER_IP", 30), _setting("CLAIM_FAILURE_WINDOW", 900))


def reset_code_ip_limit() -> FailureLimit:
    return FailureLimit("reset-verify-ip", _setting("RESET_VERIFY_FAILURES_PER_IP", 30), 900)


def reset_request_ip_limit() -> FailureLimit:
    # Every forgot-password request may send an e-mail, so here every request counts, not only failures.
    return FailureLimit(
        "reset-request-ip", _setting("RESET_REQUESTS_PER_IP", 20), _setting("RESET_REQUEST_WINDOW", 3600)
    )
