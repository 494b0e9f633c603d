"""Brute-force protection for the anonymous account endpoints (login, claim, password reset).

Everything lives on the shared cache (Redis in production) and fails open when the cache is down: an unreachable
Redis must not lock a whole school out at exam start. The client's address is quizsite.clientip's (X-Forwarded-For
only from TRUSTED_PROXIES). The services check these, so the API, the HTML pages and the Django admin's login are
protected alike.

Login: slow down, never lock out
--------------------------------
A lock per account was a weapon (eleven wrong passwords locked a classmate out before an exam), and a lock per
address locked a whole school behind one NAT. So:

- Tries are counted per *(account, address)* pair, when they start (so a burst of parallel guesses is counted
  too) and until a success from that account. The first LOGIN_FAILURES_PER_ACCOUNT tries of a pair go ahead at
  once; after that the pair waits between tries, 1 s, 2 s, 4 s ... up to LOGIN_MAX_DELAY, whatever the password. A
  pair forgets its tries LOGIN_FAILURE_WINDOW seconds after its last one. A try made too early is refused with
  429 + Retry-After and is not counted; the check comes before the password is looked at, so a refusal says
  nothing about the password.
- Failures on one address never slow the same account from another address: the right password from an address
  that has not failed on this account always goes through on its first try.
- When an account collects LOGIN_FAILURES_ACROSS_ADDRESSES failures from all addresses within the window
  (guessing from many machines), each address gets a single free try on it, then waits LOGIN_MAX_DELAY.
- An address that has failed on LOGIN_FAILURES_PER_IP *different* identifiers within the window (spraying; unknown
  identifiers count the same way) is refused (429) for every account that has not signed in from it within
  LOGIN_KNOWN_ADDRESS_DAYS, until the window ends. A student who mistypes their own password many times counts
  once, so a school behind one NAT stays well under a generous ceiling, and the students who used the school's
  address before keep signing in even while somebody behind it sprays.
- A success clears its account's counts on every address (a later failure starts from the free tries again).

Unknown identifiers are handled exactly like accounts (keyed by the identifier), so the answers and timings do not
tell which exist. What remains: two people behind one address share a pair, so a classmate behind the school's NAT
who keeps guessing one account's password slows that account's sign-in *from that NAT* (up to LOGIN_MAX_DELAY per
try); from any other address (a phone's mobile data) it signs in at once. Telling them apart needs a device cookie.

Claim and password reset keep a plain limit (`FailureLimit`: N failures per window, then refused until the window
ends), per account and per address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditLog

logger = logging.getLogger(__name__)


def _now() -> float:
    return time.time()  # one clock for the login policy, so tests can move it


def _digest(value: str) -> str:
    # Cache keys must not carry e-mail addresses or registration numbers in clear (Redis is shared).
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


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


# --- Login ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """The login policy's numbers (module docstring), read from settings at call time."""

    free_tries: int
    max_delay: int
    window: int
    account_alarm: int
    address_ceiling: int
    known_address_days: int

    @classmethod
    def from_settings(cls) -> LoginPolicy:
        return cls(
            free_tries=max(1, _setting("LOGIN_FAILURES_PER_ACCOUNT", 5)),
            max_delay=max(1, _setting("LOGIN_MAX_DELAY", 300)),
            window=max(1, _setting("LOGIN_FAILURE_WINDOW", 900)),
            account_alarm=max(1, _setting("LOGIN_FAILURES_ACROSS_ADDRESSES", 20)),
            address_ceiling=max(1, _setting("LOGIN_FAILURES_PER_IP", 500)),
            known_address_days=max(0, _setting("LOGIN_KNOWN_ADDRESS_DAYS", 30)),
        )

    def account_failures(self) -> FailureLimit:
        return FailureLimit("login-account", self.account_alarm, self.window)

    def address_identifiers(self) -> FailureLimit:
        return FailureLimit("login-address", self.address_ceiling, self.window)

    def delay_after(self, tries: int, *, alarm: bool) -> int:
        """Seconds the pair waits after its `tries`-th try (0: the next one may follow at once)."""
        free = 1 if alarm else self.free_tries
        if tries < free:
            return 0
        if alarm:
            return self.max_delay
        return min(2 ** min(tries - free, 30), self.max_delay)


@dataclass(frozen=True)
class LoginAttempt:
    """One sign-in try by `account` (a user's pk, or the identifier as typed when no account has it) from
    `address`."""

    account: str
    address: str
    policy: LoginPolicy

    def _pair_key(self) -> str:
        generation = cache.get(self._generation_key()) or 0
        return f"login:pair:{_digest(self.account)}:{generation}:{_digest(self.address)}"

    def _generation_key(self) -> str:
        return f"login:gen:{_digest(self.account)}"

    def _signed_in_from_here_before(self) -> bool:
        try:
            user_id = uuid.UUID(self.account)
            ipaddress.ip_address(self.address)
        except ValueError:
            return False  # no account has this identifier, or the try came with no address
        since = timezone.now() - timedelta(days=self.policy.known_address_days)
        return AuditLog.objects.filter(
            action="login", user_id=user_id, ip_address=self.address, created_at__gte=since
        ).exists()

    def start(self) -> int:
        """Count this try and let it go ahead (0), or the seconds to wait first (the try is then not counted)."""
        policy = self.policy
        try:
            pair = self._pair_key()
            gate = pair + ":gate"
            now = _now()
            not_before = cache.get(gate)
            if not_before is not None and not_before > now:
                return max(1, math.ceil(not_before - now))
            spraying = policy.address_identifiers().retry_after(self.address)
            if spraying and not self._signed_in_from_here_before():
                return spraying
            tries = _incr(pair, policy.window)
            cache.touch(pair, policy.window)  # the pair forgets a window after its *last* try
            wait = policy.delay_after(tries, alarm=policy.account_failures().retry_after(self.account) > 0)
            if wait:
                if not_before is not None:
                    cache.delete(gate)  # stale: its time has passed
                if not cache.add(gate, now + wait, wait + 1):
                    # A parallel try took the slot first: this one waits like any other early try.
                    _decr(pair)
                    taken = cache.get(gate)
                    return max(1, math.ceil(taken - now)) if taken else 1
            return 0
        except Exception:
            logger.warning("login throttle cache unavailable; letting the try through", exc_info=True)
            return 0

    def failed(self) -> None:
        """The try was refused (wrong password, unknown account): feed the account's and the address's counts."""
        policy = self.policy
        try:
            policy.account_failures().record_failure(self.account)
            # Each identifier counts once per window towards the address's ceiling: spraying, not mistyping.
            if cache.add(self._pair_key() + ":seen", 1, policy.window):
                policy.address_identifiers().record_failure(self.address)
        except Exception:
            logger.warning("login throttle cache unavailable; failure not counted", exc_info=True)

    def succeeded(self) -> None:
        _clear_account(self.account)


def _clear_account(account: str) -> None:
    """Start every (account, address) pair of `account` afresh (a new generation of their keys)."""
    key = f"login:gen:{_digest(account)}"
    try:
        if cache.add(key, 1, None):
            return
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
    except Exception:
        logger.warning("login throttle cache unavailable; could not clear %s", key, exc_info=True)


def _incr(key: str, window: int) -> int:
    try:
        cache.add(key, 0, window)
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return 1


def _decr(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:
        pass


# The login service names two limits, one for the account and one for the address (`_check_not_blocked(
# (login_account_limit(), account), (login_ip_limit(), address))`); together they name one LoginAttempt.
@dataclass(frozen=True)
class LoginLimit:
    role: str  # "account" or "address"
    policy: LoginPolicy

    def reset(self, ident: str) -> None:
        """After a success: the account's counts start afresh on every address."""
        if self.role == "account":
            _clear_account(ident)


def login_account_limit() -> LoginLimit:
    return LoginLimit("account", LoginPolicy.from_settings())


def login_ip_limit() -> LoginLimit:
    return LoginLimit("address", LoginPolicy.from_settings())


def _login_attempt(limits) -> LoginAttempt | None:
    named = {limit.role: ident for limit, ident in limits if isinstance(limit, LoginLimit)}
    if not named:
        return None
    policy = next(limit.policy for limit, _ in limits if isinstance(limit, LoginLimit))
    return LoginAttempt(account=named.get("account", ""), address=named.get("address", "unknown"), policy=policy)


def attempt_start(limits) -> int:
    """Seconds to wait before this try may go ahead (0: go ahead; a login try is then counted). `limits` is a
    sequence of (limit, ident) pairs: FailureLimits, or the login service's account and address limits."""
    login = _login_attempt(limits)
    if login is not None:
        return login.start()
    return max((limit.retry_after(ident) for limit, ident in limits), default=0)


def attempt_failed(limits) -> None:
    login = _login_attempt(limits)
    if login is not None:
        login.failed()
    for limit, ident in limits:
        if isinstance(limit, FailureLimit):
            limit.record_failure(ident)


# --- Claim and reset ------------------------------------------------------------------------------------------


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
