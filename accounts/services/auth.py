"""Authentication: login, tokens, logout, claiming an account, password reset and change, and their throttling.

Used by the API, the login pages and the Django admin's login (accounts.backends) alike.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import throttles
from accounts.authentication import (
    FAMILY_CLAIM,
    PASSWORD_CLAIM,
    access_token_revoke,
    password_fingerprint,
    token_family_revoke,
    token_revoked,
)
from accounts.claim_codes import claim_code_hash, claim_code_matches
from accounts.errors import AccountError, AccountThrottled
from accounts.models import PasswordResetToken, Student, User, normalize_email, normalize_registration_number
from accounts.selectors import user_for_login
from accounts.services.audit import audit_record, client_ip

logger = logging.getLogger(__name__)

RESET_CODE_LIFETIME = timedelta(minutes=15)
RESET_CODE_MAX_TRIES = 5
RESET_CODES_PER_DAY = 5
RESET_TOKEN_MAX_AGE = 600  # seconds a verified reset_token stays usable
RESET_TOKEN_SALT = "accounts.password-reset"
_DUMMY_PASSWORD_HASH: list[str] = []
_DUMMY_CLAIM_HASH = claim_code_hash("not-a-real-claim-code")
CLAIM_REFUSED = (
    "This registration number and claim code (or date of birth) do not match an account waiting to be claimed. "
    "Check both against the slip from your school. If you have already claimed your account, log in or use "
    "'Forgot password'; if you have no claim code, ask your teacher for one."
)


def _spend_one_password_hash(password: str) -> None:
    """Cost the same as a real check, so response time does not reveal which accounts exist."""
    if not _DUMMY_PASSWORD_HASH:
        _DUMMY_PASSWORD_HASH.append(make_password("not-a-real-password-" + secrets.token_hex(8)))
    check_password(password or "", _DUMMY_PASSWORD_HASH[0])


def _check_not_blocked(*limits: tuple[throttles.FailureLimit | throttles.LoginLimit, str], message: str) -> None:
    """Refuse a try that must wait (429 + Retry-After). A login try that goes ahead is counted from here on
    (accounts.throttles: per account and address, slowed down rather than locked)."""
    wait = throttles.attempt_start(limits)
    if wait:
        raise AccountThrottled(message, retry_after=wait)


def _record_failures(*limits: tuple[throttles.FailureLimit | throttles.LoginLimit, str]) -> None:
    throttles.attempt_failed(limits)


# --- Login / tokens --------------------------------------------------------------------------------------------


@dataclass
class TokenPair:
    access: str
    refresh: str
    expires_in: int


def _access_lifetime_seconds() -> int:
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())


class _SignedRefreshToken(RefreshToken):
    """A refresh token checked for signature, expiry and type but not against the blacklist: token_refresh looks
    the blacklist up itself, to tell the replay of a rotated token (theft) from an unknown one."""

    def check_blacklist(self) -> None:
        pass


def tokens_issue(*, user: User, family: str | None = None) -> TokenPair:
    """A new refresh token (recorded as outstanding, so it can be revoked) and its access token. A login starts a
    session (`family`); a rotation passes its session on, so a theft can end the whole of it."""
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    refresh[FAMILY_CLAIM] = family or uuid.uuid4().hex  # the access token copies it, like every other claim
    refresh[PASSWORD_CLAIM] = password_fingerprint(user)  # the access token copies it (see accounts.authentication)
    # for_user() recorded the token before these claims: record the finished one, so a session can be found again.
    OutstandingToken.objects.filter(jti=refresh["jti"]).update(token=str(refresh))
    access = refresh.access_token
    return TokenPair(access=str(access), refresh=str(refresh), expires_in=_access_lifetime_seconds())


def login_authenticate(*, identifier: str, password: str, request=None) -> User:
    """Check credentials given as e-mail or registration number (any case). Used by the API, the login page and
    the Django admin's login: one place for throttling, claim/active rules and the audit trail.

    An unknown identifier, an unclaimed student and a wrong password are one failure to the caller (the same 401,
    the same body, one password hash's worth of time, counted by the same limits), so login cannot be used to find
    which registration numbers exist or are still waiting to be claimed; the audit row keeps the real reason.

    Raises AccountThrottled (429), AccountError 401 (bad credentials), 403 (inactive, after the right password).
    """
    identifier = (identifier or "").strip()
    ip = client_ip(request) or "unknown"
    user = user_for_login(identifier)
    account_ident = str(user.pk) if user is not None else identifier.lower()
    limits = ((throttles.login_account_limit(), account_ident), (throttles.login_ip_limit(), ip))
    _check_not_blocked(*limits, message="Too many failed login attempts. Please wait before trying again.")

    reason = _login_refusal(user, password)
    if reason:
        _record_failures(*limits)
        audit = {"identifier": identifier[:100], "reason": reason} if user is None else {"reason": reason}
        audit_record(action="login.failed", entity=user, new=audit, request=request)
        raise AccountError("Incorrect email/registration number or password.", status_code=401, code="bad_credentials")

    if not user.is_active:
        audit_record(action="login.failed", entity=user, new={"reason": "inactive"}, request=request)
        raise AccountError(
            "Account is inactive. Please contact the administrator.", status_code=403, code="account_inactive"
        )

    throttles.login_account_limit().reset(account_ident)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    audit_record(action="login", by=user, entity=user, request=request)
    return user


def _login_refusal(user: User | None, password: str) -> str:
    """Why these credentials are refused ("" when the password is right), after spending exactly one password
    hash whatever the case: a missing, unclaimed or password-less account is checked against a dummy hash."""
    if user is None:
        _spend_one_password_hash(password)
        return "unknown"
    if user.is_student and not user.student.is_account_claimed:
        _spend_one_password_hash(password)  # whatever was typed: an unclaimed account has no password yet
        return "unclaimed"
    if not user.has_usable_password():
        _spend_one_password_hash(password)
        return "bad_password"
    return "" if user.check_password(password or "") else "bad_password"


def token_refresh(*, refresh_token: str, request=None) -> TokenPair:
    """Rotate a refresh token: the old one is revoked, a new pair of the same session is issued. A token can be used
    only once, even by two concurrent requests (the outstanding row is locked). Presenting a token that was already
    rotated or revoked means that two parties hold the session: the whole session is revoked and audited."""
    invalid = AccountError("Refresh token is invalid, expired or revoked.", status_code=401, code="token_not_valid")
    try:
        old = _SignedRefreshToken(refresh_token)  # signature, expiry and type
    except TokenError:
        raise invalid from None
    user = User.objects.filter(pk=old.payload.get(settings.SIMPLE_JWT["USER_ID_CLAIM"])).first()
    if user is None or not user.is_active:
        raise invalid
    family = old.payload.get(FAMILY_CLAIM)
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=old["jti"]).order_by().first()
        if outstanding is None:
            raise invalid
        revoked = token_revoked(old.payload)  # its session already ended (logout, or a theft found before)
        reused = BlacklistedToken.objects.filter(token=outstanding).exists()
        if not reused:
            BlacklistedToken.objects.create(token=outstanding)
            if not revoked:
                return tokens_issue(user=user, family=family)
    if reused and not revoked:
        revoked = token_session_revoke(user=user, family=family)
        audit_record(
            action="auth.refresh_reuse", entity=user, new={"session": family or "", "revoked": revoked}, request=request
        )
    raise invalid


def token_session_revoke(*, user: User, family: str | None) -> int:
    """End one session: blacklist its outstanding refresh tokens and deny its access tokens. Without a session
    (tokens issued before sessions existed) every refresh token of the user. Returns how many were revoked."""
    if not family:
        return refresh_tokens_revoke_all(user=user)
    token_family_revoke(family)
    pending = OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    ).values_list("id", "token")
    ids = [pk for pk, raw in pending if _claims(raw).get(FAMILY_CLAIM) == family]
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in ids], ignore_conflicts=True)
    return len(ids)


def _claims(raw: str) -> dict:
    # Our own tokens, read back from our own table: the signature was checked when they were issued.
    try:
        return token_backend.decode(raw, verify=False)
    except Exception:
        return {}


def _refresh_token_revoke(refresh_token: str, *, user: User) -> bool:
    try:
        token = RefreshToken(refresh_token)
    except TokenError:
        return False
    if str(token.payload.get(settings.SIMPLE_JWT["USER_ID_CLAIM"])) != str(user.pk):
        return False
    token.blacklist()
    return True


@transaction.atomic
def logout(*, user: User, refresh_token: str | None = None, access_claims=None, request=None) -> None:
    """End the session: the given refresh token (API) and the access token the request came with (its claims) are
    revoked, and with them every token of their session. Session logout is the view's business.

    A token that is already expired or revoked is fine (logging out twice is not an error); a token that is
    malformed or belongs to someone else is refused.
    """
    families = set()
    if refresh_token:
        try:
            token = RefreshToken(refresh_token, verify=False)
            token.verify_token_type()
            owner = str(token.payload.get(settings.SIMPLE_JWT["USER_ID_CLAIM"]))
        except TokenError:
            owner = None
        if owner is None or owner != str(user.pk):
            raise AccountError("refresh_token is not a valid refresh token of this account.", code="token_not_valid")
        try:
            families.add(_SignedRefreshToken(refresh_token).payload.get(FAMILY_CLAIM))  # only a genuine token's
        except TokenError:
            pass
        _refresh_token_revoke(refresh_token, user=user)
    if access_claims is not None:
        access_token_revoke(access_claims)
        families.add(access_claims.get(FAMILY_CLAIM))
    for family in families - {None, ""}:
        token_session_revoke(user=user, family=family)
    audit_record(action="logout", by=user, entity=user, request=request)


def refresh_tokens_revoke_all(*, user: User) -> int:
    """End every session of `user` (password reset or change, deactivation): blacklist every outstanding refresh
    token and deny their sessions' access tokens, so a later replay is known as revoked, not as a theft."""
    pending = list(OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).values_list("id", "token"))
    for family in {_claims(raw).get(FAMILY_CLAIM) for _, raw in pending} - {None, ""}:
        token_family_revoke(family)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk, _ in pending], ignore_conflicts=True)
    return len(pending)


# --- Claiming an account ---------------------------------------------------------------------------------------


def set_new_password(user: User, password: str, *, confirm: str | None = None, field: str = "password") -> None:
    """Check a new password (against its confirmation when the form has one, and the validators) and set it on
    `user`; the caller saves. Errors are keyed by the form's field."""
    if confirm is not None and password != confirm:
        raise ValidationError({"confirm_password": ["The two passwords do not match."]})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    user.set_password(password)


def account_claim(
    *,
    registration_number: str,
    password: str,
    confirm_password: str,
    claim_code: str = "",
    date_of_birth=None,
    request=None,
) -> User:
    """A student sets their first password. Registration numbers are guessable, so the request must carry the
    second factor on record: the claim code (printed on the slip) or, failing that, the date of birth. An account
    with neither cannot be claimed at all (the student asks their teacher for a claim code), since anyone could
    otherwise take it with the number alone. Failures are throttled per account and per IP, and audited."""
    reg_no = normalize_registration_number(registration_number)
    ip = client_ip(request) or "unknown"
    limits = ((throttles.claim_account_limit(), reg_no), (throttles.claim_ip_limit(), ip))
    _check_not_blocked(*limits, message="Too many failed attempts to claim an account. Please wait and try again.")

    with transaction.atomic():
        student = (
            Student.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(registration_number=reg_no)
            .first()
            if reg_no
            else None
        )
        # Why a claim is refused is kept for the audit log only: the answer is the same for an unknown number, a
        # claimed or inactive account and a wrong factor, so the endpoint cannot tell anyone which registration
        # numbers exist or are still unclaimed. The one exception says what the student can act on (no factor
        # was ever issued: only their teacher can help), as issue 13 asks.
        reason = ""
        if student is None:
            reason = "unknown_registration_number"
            claim_code_matches(claim_code or "x", _DUMMY_CLAIM_HASH)  # the same work as a real check
        elif student.is_account_claimed:
            reason = "already_claimed"
        elif not student.user.is_active:
            reason = "inactive"
        elif not student.claim_code_hash and student.date_of_birth is None:
            reason = "claim_code_not_issued"
        elif student.claim_code_hash:
            if not claim_code_matches(claim_code, student.claim_code_hash):
                reason = "claim_code_required"
        elif date_of_birth is None or date_of_birth != student.date_of_birth:
            reason = "date_of_birth_required"
        failure: AccountError | None = None
        if reason == "claim_code_not_issued":
            failure = AccountError(
                "This account cannot be claimed yet: no claim code was issued for it. "
                "Ask your teacher for a claim code.",
                code="claim_code_not_issued",
            )
        elif reason:
            failure = AccountError(CLAIM_REFUSED, code="claim_refused")
        if failure is None:
            user = student.user
            set_new_password(user, password, confirm=confirm_password)
            user.save(update_fields=["password", "updated_at"])
            student.is_account_claimed = True
            student.claimed_at = timezone.now()
            student.claim_code_hash = ""  # a claim code works once
            student.save(update_fields=["is_account_claimed", "claimed_at", "claim_code_hash"])
            audit_record(action="account.claim", by=user, entity=user, request=request)
            throttles.claim_account_limit().reset(reg_no)
            return user
    # Outside the transaction: the failure is counted and audited even though nothing else is written.
    _record_failures(*limits)
    audit_record(
        action="account.claim_failed",
        entity=student.user if student is not None else None,
        new={"registration_number": reg_no[:50], "reason": reason},
        request=request,
    )
    raise failure


# --- Password reset --------------------------------------------------------------------------------------------


def _reset_code_hash(*, user_id, code: str) -> str:
    # A 6-digit code has only 10^6 values: a keyed HMAC (not a plain hash) so a leaked table cannot be reversed
    # offline, salted per user so two equal codes never share a hash.
    return salted_hmac("accounts.reset-code", f"{user_id}:{code}", algorithm="sha256").hexdigest()


def password_reset_request(*, email: str, request=None) -> None:
    """Ask for a reset code for `email`. The request does the same steps whatever the address (no account, an
    inactive or unclaimed one, a real one): count it against the address's limit and queue one task of the same
    shape. The worker finds out whether a code is due (password_reset_issue), so neither the answer nor its timing
    tells who has an account. The code itself only ever travels in the e-mail."""
    ip = client_ip(request) or "unknown"
    ip_limit = throttles.reset_request_ip_limit()
    _check_not_blocked((ip_limit, ip), message="Too many password reset requests. Please wait and try again.")
    ip_limit.record_failure(ip)  # every request counts: each may send an e-mail
    address = normalize_email(email)
    transaction.on_commit(lambda: password_reset_issue_job.delay(address, ip))


def password_reset_issue(*, email: str, ip: str | None = None) -> bool:
    """Issue a reset code and queue its e-mail, when `email` belongs to an active, claimed account that has had
    fewer than RESET_CODES_PER_DAY codes today. Runs in the worker (password_reset_issue_job). Returns whether a
    code was issued."""
    user = (
        User.objects.filter(email=normalize_email(email), is_active=True).select_related("student").first()
        if email
        else None
    )
    if user is None or (user.is_student and not user.student.is_account_claimed):
        # Unclaimed students must claim (with their claim code); a reset would bypass that check.
        return False
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one code at a time per account
        if PasswordResetToken.objects.filter(user=user, created_at__gte=now - timedelta(days=1)).count() >= (
            RESET_CODES_PER_DAY
        ):
            audit_record(action="password.reset_limited", entity=user, new={"requested_from": ip})
            return False
        # Only the newest code is valid.
        PasswordResetToken.objects.filter(user=user, is_used=False).update(is_used=True)
        code = f"{secrets.randbelow(1_000_000):06d}"
        token = PasswordResetToken.objects.create(
            user=user,
            code_hash=_reset_code_hash(user_id=user.pk, code=code),
            created_at=now,
            expires_at=now + RESET_CODE_LIFETIME,
        )
        audit_record(action="password.reset_requested", entity=user, new={"requested_from": ip})
        transaction.on_commit(lambda: _reset_code_mail(str(token.pk), code))
    return True


def _reset_code_mail(token_id: str, code: str) -> None:
    try:
        send_password_reset_email(token_id, code)  # already in the worker: send it now
    except OSError:
        logger.warning("reset e-mail not sent; queued to retry", exc_info=True)
        send_password_reset_email.delay(token_id, code)  # the mail server is down: retry with back-off


# Named as in accounts.tasks (which re-exports them), beside the services that queue them: no import cycle.
@shared_task(name="accounts.tasks.password_reset_issue_job", ignore_result=True)
def password_reset_issue_job(email: str, ip: str | None = None) -> None:
    password_reset_issue(email=email, ip=ip)


@shared_task(
    name="accounts.tasks.send_password_reset_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_password_reset_email(token_id: str, code: str) -> bool:
    """Mail a reset code. The code itself is only in this message: the database keeps its hash."""
    token = PasswordResetToken.objects.select_related("user").filter(pk=token_id, is_used=False).first()
    if token is None:
        logger.info("reset code %s no longer valid; e-mail not sent", token_id)
        return False
    context = {"user": token.user, "code": code, "minutes": int(RESET_CODE_LIFETIME.total_seconds() // 60)}
    send_mail(
        subject="Your Quizsite password reset code",
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[token.user.email],
    )
    return True


def password_reset_verify(*, email: str, code: str, request=None) -> str:
    """Check a reset code. Returns a short-lived `reset_token` for reset-password. Five wrong codes kill it."""
    ip = client_ip(request) or "unknown"
    ip_limit = throttles.reset_code_ip_limit()
    _check_not_blocked((ip_limit, ip), message="Too many wrong codes. Please wait and try again.")
    invalid = AccountError("The code is invalid or has expired. Request a new one.", code="invalid_code")
    # An inactive account answers exactly like an unknown address.
    user = User.objects.filter(email=normalize_email(email), is_active=True).first() if email else None
    code = (code or "").strip()
    ok = None
    if user is not None:
        with transaction.atomic():
            token = (
                PasswordResetToken.objects.select_for_update()
                .filter(user=user, is_used=False, expires_at__gt=timezone.now())
                .order_by("-created_at")
                .first()
            )
            if token is not None and token.failed_attempts < RESET_CODE_MAX_TRIES:
                ok = constant_time_compare(token.code_hash, _reset_code_hash(user_id=user.pk, code=code))
                if not ok:
                    token.failed_attempts = F("failed_attempts") + 1
                    token.save(update_fields=["failed_attempts"])
    if not ok:
        ip_limit.record_failure(ip)
        raise invalid
    return signing.dumps({"t": str(token.pk), "u": str(user.pk)}, salt=RESET_TOKEN_SALT, compress=True)


def password_reset_complete(*, reset_token: str, new_password: str, confirm_password: str, request=None) -> User:
    """Set the new password from a verified reset_token (single use) and revoke every refresh token."""
    invalid = AccountError("The reset link has expired or was already used. Start again.", code="invalid_reset_token")
    try:
        data = signing.loads(reset_token or "", salt=RESET_TOKEN_SALT, max_age=RESET_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise invalid from None
    with transaction.atomic():
        token = (
            PasswordResetToken.objects.select_for_update()
            .select_related("user")
            .filter(pk=data.get("t"), user_id=data.get("u"), is_used=False)
            .first()
        )
        if token is None or token.failed_attempts >= RESET_CODE_MAX_TRIES or not token.user.is_active:
            raise invalid
        user = token.user
        set_new_password(user, new_password, confirm=confirm_password, field="new_password")
        user.save(update_fields=["password", "updated_at"])
        PasswordResetToken.objects.filter(user=user, is_used=False).update(is_used=True)
        refresh_tokens_revoke_all(user=user)
        audit_record(action="password.reset", by=user, entity=user, request=request)
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, confirm_password: str, request=None) -> None:
    """Change one's own password (profile page). Other devices' refresh tokens are revoked."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": ["Your current password is not correct."]})
    set_new_password(user, new_password, confirm=confirm_password, field="new_password")
    user.save(update_fields=["password", "updated_at"])
    refresh_tokens_revoke_all(user=user)
    audit_record(action="password.change", by=user, entity=user, request=request)
