"""Services of the accounts app called directly: the audit trail, failure limits, token revocation."""

import re

import pytest
from django.core import mail
from django.test import RequestFactory
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services, throttles
from accounts.claim_codes import claim_code_hash
from accounts.models import AuditLog, PasswordResetToken
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_from():
    def make(ip="203.0.113.7", agent="Firefox/130"):
        return RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)

    return make


def test_audit_rows_carry_who_what_ip_and_user_agent(admin, teacher, request_from):
    services.login_authenticate(identifier="admin@school.test", password=DEFAULT_PASSWORD, request=request_from())
    row = AuditLog.objects.get(action="login")
    assert (row.user, row.entity_type, row.entity_id) == (admin, "user", admin.pk)
    assert row.ip_address == "203.0.113.7" and row.user_agent == "Firefox/130"
    services.user_update(user=teacher.user, by=admin, name="Tom Renamed", request=request_from())
    row = AuditLog.objects.get(action="user.update")
    assert row.old_value == {"name": "Tom Teacher"} and row.new_value == {"name": "Tom Renamed"}


def test_a_refused_claim_is_audited_without_changing_the_student(unclaimed_student, request_from):
    unclaimed_student.claim_code_hash = claim_code_hash("XY12")
    unclaimed_student.save()
    with pytest.raises(services.AccountError) as exc:
        services.account_claim(
            registration_number="STU2026500", password="Blue-Kettle-42", confirm_password="Blue-Kettle-42"
        )
    assert exc.value.status_code == 400 and exc.value.code == "claim_refused"
    row = AuditLog.objects.get(action="account.claim_failed")
    assert row.entity_id == unclaimed_student.pk and row.new_value["reason"] == "claim_code_required"
    unclaimed_student.refresh_from_db()
    assert not unclaimed_student.is_account_claimed


def test_failure_limit_blocks_after_the_limit_and_reports_the_remaining_window(db):
    limit = throttles.FailureLimit("test-scope", limit=2, window=120)
    assert limit.retry_after("k") == 0
    limit.record_failure("k")
    assert limit.retry_after("k") == 0
    limit.record_failure("k")
    assert 110 <= limit.retry_after("k") <= 120
    assert limit.retry_after("other") == 0
    limit.reset("k")
    assert limit.retry_after("k") == 0


def test_a_successful_login_clears_the_accounts_failures(admin, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(2):
        with pytest.raises(services.AccountError):
            services.login_authenticate(identifier="admin@school.test", password="bad-one")
    services.login_authenticate(identifier="admin@school.test", password=DEFAULT_PASSWORD)
    for _ in range(2):
        with pytest.raises(services.AccountError) as exc:
            services.login_authenticate(identifier="admin@school.test", password="bad-one")
        assert exc.value.status_code == 401  # counting started again: not yet throttled


def test_parallel_login_tries_are_counted_when_they_start(admin, settings):
    # A burst of guesses sent at once must not all pass before the first failure is recorded.
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    limits = ((throttles.login_account_limit(), str(admin.pk)), (throttles.login_ip_limit(), "203.0.113.7"))
    assert [throttles.attempt_start(limits) for _ in range(4)] == [0, 0, 1, 1]
    other = ((throttles.login_account_limit(), str(admin.pk)), (throttles.login_ip_limit(), "203.0.113.8"))
    assert throttles.attempt_start(other) == 0


def test_revoke_all_blacklists_every_outstanding_refresh_token(teacher, student):
    for _ in range(3):
        services.tokens_issue(user=teacher.user)
    services.tokens_issue(user=student.user)
    assert services.refresh_tokens_revoke_all(user=teacher.user) == 3
    assert services.refresh_tokens_revoke_all(user=teacher.user) == 0
    assert BlacklistedToken.objects.count() == 3
    assert OutstandingToken.objects.filter(user=student.user, blacklistedtoken__isnull=True).count() == 1


def test_wrong_reset_codes_are_throttled_per_ip(teacher, settings, request_from, django_capture_on_commit_callbacks):
    settings.RESET_VERIFY_FAILURES_PER_IP = 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.password_reset_request(email="teacher@school.test", request=request_from()) is None
    code = re.search(r"reset code is: (\d{6})", mail.outbox[0].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        with pytest.raises(services.AccountError):
            services.password_reset_verify(email="teacher@school.test", code=wrong, request=request_from())
    with pytest.raises(services.AccountThrottled):
        services.password_reset_verify(email="teacher@school.test", code=code, request=request_from())
    # From another address the (still valid) code works.
    assert services.password_reset_verify(email="teacher@school.test", code=code, request=request_from("10.0.0.1"))


def test_inactive_users_get_no_reset_code(teacher, django_capture_on_commit_callbacks):
    teacher.user.is_active = False
    teacher.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.password_reset_request(email="teacher@school.test") is None
    assert not PasswordResetToken.objects.exists() and not mail.outbox


def test_access_tokens_end_when_the_password_changes(teacher):
    from rest_framework.test import APIClient

    access = services.tokens_issue(user=teacher.user).access
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert c.get("/api/v1/auth/me").status_code == 200
    services.password_change(
        user=teacher.user,
        old_password=DEFAULT_PASSWORD,
        new_password="Blue-Kettle-42",
        confirm_password="Blue-Kettle-42",
    )
    r = c.get("/api/v1/auth/me")
    assert r.status_code == 401 and "password" in r.json()["detail"]
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {services.tokens_issue(user=teacher.user).access}")
    assert c.get("/api/v1/auth/me").status_code == 200


def test_a_spraying_ceiling_without_an_address_still_answers_401(admin, settings):
    # Service calls without a request (no address) share one bucket; they must not break on the address lookup.
    settings.LOGIN_FAILURES_PER_IP = 1
    with pytest.raises(services.AccountError) as exc:
        services.login_authenticate(identifier="ghost@school.test", password="x")
    assert exc.value.status_code == 401
    with pytest.raises(services.AccountThrottled):
        services.login_authenticate(identifier="admin@school.test", password=DEFAULT_PASSWORD)
