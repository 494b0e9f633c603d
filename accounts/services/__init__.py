"""Writes of the accounts app. Every write service is keyword-only, atomic and takes the acting user.

    audit   audit_record and notify: the trail and the inbox every app's services write to
    auth    login, tokens, logout, claiming an account, password reset and change (throttled)
    users   user administration by admins
    accommodations  a student's exam accommodations (issue 17)

Callers import from here (`from accounts.services import audit_record`, `services.login_authenticate(...)`).
"""

from accounts.errors import AccountError, AccountThrottled
from accounts.services.accommodations import accommodation_clean, accommodation_remove, accommodation_set
from accounts.services.audit import audit_record, client_ip, notify
from accounts.services.auth import (
    TokenPair,
    account_claim,
    login_authenticate,
    logout,
    password_change,
    password_reset_complete,
    password_reset_request,
    password_reset_verify,
    refresh_tokens_revoke_all,
    token_refresh,
    token_session_revoke,
    tokens_issue,
)
from accounts.services.users import user_create, user_delete, user_delete_blockers, user_set_active, user_update

__all__ = [
    "AccountError",
    "AccountThrottled",
    "accommodation_clean",
    "accommodation_remove",
    "accommodation_set",
    "TokenPair",
    "account_claim",
    "audit_record",
    "client_ip",
    "login_authenticate",
    "logout",
    "notify",
    "password_change",
    "password_reset_complete",
    "password_reset_request",
    "password_reset_verify",
    "refresh_tokens_revoke_all",
    "token_refresh",
    "token_session_revoke",
    "tokens_issue",
    "user_create",
    "user_delete",
    "user_delete_blockers",
    "user_set_active",
    "user_update",
]
