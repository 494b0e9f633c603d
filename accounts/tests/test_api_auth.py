"""The guide's auth endpoints (5.1): login, refresh, logout, claim, password reset, me."""

import re
import statistics
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuditLog, PasswordResetToken, Student, User
from accounts.services import auth as auth_services
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


def login(api, ident, password=DEFAULT_PASSWORD, **extra):
    return api.post(LOGIN, {"email_or_reg_no": ident, "password": password}, format="json", **extra)


def bearer(token):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return c


# --- login ------------------------------------------------------------------------------------------------------
def test_login_with_email_any_case_returns_the_guides_body(api, admin):
    r = login(api, "ADMIN@School.Test")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and isinstance(body["expires_in"], int)
    assert body["user"] == {"id": str(admin.pk), "email": "admin@school.test", "name": "Ada Admin", "role": "admin"}
    assert bearer(body["access_token"]).get("/api/v1/auth/me").json()["email"] == "admin@school.test"
    assert AuditLog.objects.filter(action="login", user=admin).count() == 1
    admin.refresh_from_db()
    assert admin.last_login is not None


def test_login_with_registration_number_any_case_and_prefix(api, student):
    student.registration_number = "2026-ABC-7"
    student.save()
    r = login(api, " 2026-abc-7 ")
    assert r.status_code == 200
    assert r.json()["user"]["registration_number"] == "2026-ABC-7"
    assert r.json()["user"]["role"] == "student"


def test_login_with_wrong_password_is_401_and_audited(api, admin):
    r = login(api, "admin@school.test", "wrongpassword")
    assert r.status_code == 401
    assert r.json()["detail"] == "Incorrect email/registration number or password."
    assert "access_token" not in r.json()
    row = AuditLog.objects.get(action="login.failed")
    assert row.entity_id == admin.pk and row.new_value["reason"] == "bad_password"
    assert row.ip_address == "127.0.0.1"


def test_unknown_user_gets_the_same_answer_and_costs_one_password_hash(api, admin, count_hashes):
    unknown = login(api, "nobody@school.test", "whatever1")
    wrong = login(api, "admin@school.test", "whatever2")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert count_hashes == ["whatever1", "whatever2"]


@pytest.fixture
def count_hashes(monkeypatch):
    """The passwords given to the real hasher's verify(), in order: one per login means one hash's worth of time."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    calls = []
    real_verify = Argon2PasswordHasher.verify

    def counting_verify(self, password, encoded):
        calls.append(password)
        return real_verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting_verify)
    return calls


@pytest.mark.parametrize("password", ["", "anything", DEFAULT_PASSWORD])
def test_unclaimed_unknown_and_wrong_password_answer_alike(api, admin, unclaimed_student, password, count_hashes):
    """Issue 13: login answered 403 account_not_claimed for unclaimed registration numbers and 401 for unknown
    ones, so anyone could list the accounts still waiting to be claimed. Now the three failures are one answer
    and cost one password hash each (an unclaimed account's unusable password costs nothing to check)."""
    unclaimed = login(api, "stu2026500", password)
    unknown = login(api, "STU2026501", password)
    wrong = login(api, "admin@school.test", password + "-wrong")
    assert unclaimed.status_code == unknown.status_code == wrong.status_code == 401
    assert unclaimed.json() == unknown.json() == wrong.json()
    assert unclaimed.json()["code"] == "bad_credentials"
    assert dict(unclaimed.headers).keys() == dict(unknown.headers).keys() == dict(wrong.headers).keys()
    assert count_hashes == [password, password, password + "-wrong"]
    assert AuditLog.objects.get(action="login.failed", entity_id=unclaimed_student.pk).new_value == {
        "reason": "unclaimed"
    }


def test_an_empty_password_or_an_unusable_one_still_costs_one_hash(api, admin, count_hashes):
    no_password = UserFactory(email="nopass@school.test")
    no_password.set_unusable_password()
    no_password.save()
    assert login(api, "admin@school.test", "").status_code == 401
    assert login(api, "nopass@school.test", "guess-guess").status_code == 401
    assert count_hashes == ["", "guess-guess"]


def test_refused_logins_take_about_as_long_whatever_the_reason(api, admin, unclaimed_student, settings):
    """The timing an attacker measures: medians of interleaved tries are within a factor of 3 of each other (an
    empty password on a real account used to skip the hash: about ten times faster)."""
    import statistics
    import time

    settings.LOGIN_FAILURES_PER_ACCOUNT = settings.LOGIN_FAILURES_PER_IP = 1000
    cases = {"unclaimed": ("STU2026500", ""), "unknown": ("STU2026501", ""), "empty": ("admin@school.test", "")}
    cases["wrong"] = ("admin@school.test", "wrong-password")
    times = {name: [] for name in cases}
    for _ in range(5):
        for name, (ident, pw) in cases.items():
            start = time.perf_counter()
            assert login(api, ident, pw).status_code == 401
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    assert max(medians.values()) < 3 * min(medians.values()), medians


def test_unclaimed_failures_count_towards_the_lock_like_any_other(api, unclaimed_student, settings):
    """A limit that only unknown and claimed accounts reach would tell them apart after a few tries."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for reg in ("STU2026500", "STU2026501"):
        assert [login(api, reg, "x").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_inactive_user_gets_403_only_with_the_right_password(api, teacher):
    teacher.user.is_active = False
    teacher.user.save()
    assert login(api, "teacher@school.test").status_code == 403
    assert "inactive" in login(api, "teacher@school.test").json()["detail"].lower()
    assert login(api, "teacher@school.test", "bad-password").status_code == 401


def test_login_ignores_a_stale_authorization_header(admin):
    r = login(bearer("not.a.jwt"), "admin@school.test")
    assert r.status_code == 200


def test_malformed_json_is_400_with_detail(api):
    r = api.post(LOGIN, data='{"email_or_reg_no": ', content_type="application/json")
    assert r.status_code == 400
    assert "Malformed" in r.json()["detail"]


def test_missing_fields_use_the_error_envelope(api):
    r = api.post(LOGIN, {"password": "x"}, format="json")
    assert r.status_code == 400
    assert r.json()["detail"].startswith("email_or_reg_no")
    assert "email_or_reg_no" in r.json()["errors"]


# --- throttling: slow down per account and address, never lock the owner out (accounts.throttles) ---------------
ATTACKER = "198.51.100.66"


@pytest.fixture
def clock(monkeypatch):
    """The login policy's clock, moved by hand: `clock.advance(seconds)`."""
    from accounts import throttles

    class Clock:
        now = 1_900_000_000.0

        def advance(self, seconds):
            self.now += seconds

    c = Clock()
    monkeypatch.setattr(throttles, "_now", lambda: c.now)
    return c


def test_login_is_slowed_per_account_and_address_with_retry_after(api, admin, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        assert login(api, "admin@school.test", "nope-nope").status_code == 401
    r = login(api, "admin@school.test")  # from the address that failed, even the right password waits now
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 900
    assert "Too many" in r.json()["detail"]
    assert not AuditLog.objects.filter(action="login").exists()
    # Another account from the same address is not affected by this account's failures...
    UserFactory(email="second@school.test")
    assert login(api, "second@school.test").status_code == 200
    # ...nor this account from another address.
    assert login(api, "admin@school.test", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_wrong_passwords_from_elsewhere_never_lock_the_owner_out(api, student):
    # The attack: eleven wrong passwords used to lock a classmate's account for 15 minutes before an exam.
    for address in (ATTACKER, "198.51.100.67", "198.51.100.68"):
        for _ in range(12):
            assert login(api, "stu2026001", "guess-guess", REMOTE_ADDR=address).status_code in (401, 429)
    assert login(api, "stu2026001").status_code == 200


def test_a_school_behind_one_address_is_not_locked_by_its_mistyping_students(api, settings, db):
    # The attack's other half: N failures from one address refused every login from it (a school's NAT).
    settings.LOGIN_FAILURES_PER_IP = 5
    pupils = [UserFactory(email=f"pupil{i}@school.test") for i in range(4)]
    for u in pupils:
        for _ in range(3):
            assert login(api, u.email, "mistyped-it").status_code == 401
    for u in pupils:
        assert login(api, u.email).status_code == 200


def test_tries_from_one_address_wait_longer_each_time(api, admin, settings, clock):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_MAX_DELAY = 4
    assert [login(api, "admin@school.test", "bad-guess").status_code for _ in range(2)] == [401, 401]
    waits = []
    for _ in range(4):
        early = login(api, "admin@school.test")  # the right password, too early: refused without being checked
        assert early.status_code == 429
        waits.append(int(early["Retry-After"]))
        clock.advance(waits[-1])
        assert login(api, "admin@school.test", "bad-guess").status_code == 401
    assert waits == [1, 2, 4, 4]  # doubling, up to LOGIN_MAX_DELAY
    assert login(api, "admin@school.test").status_code == 429
    clock.advance(4)
    assert login(api, "admin@school.test").status_code == 200
    # A success starts the count afresh.
    assert [login(api, "admin@school.test", "bad-guess").status_code for _ in range(2)] == [401, 401]


def test_an_address_spraying_many_identifiers_is_refused_except_for_its_known_accounts(api, admin, student, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    assert login(api, "stu2026001").status_code == 200  # Alice signed in from this address before
    for i in range(3):
        assert login(api, f"ghost{i}@school.test", "x").status_code == 401
    refused = login(api, "admin@school.test")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    unknown = login(api, "ghost9@school.test", "x")
    assert (unknown.status_code, unknown.json()) == (429, refused.json())  # unknown accounts answer alike
    assert login(api, "stu2026001").status_code == 200
    # A different address (another school) is not refused.
    assert login(api, "admin@school.test", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_an_account_guessed_from_many_addresses_gives_each_address_one_free_try(api, admin, settings):
    settings.LOGIN_FAILURES_ACROSS_ADDRESSES = 3
    for i in range(3):
        assert login(api, "admin@school.test", "guess", REMOTE_ADDR=f"198.51.100.{i}").status_code == 401
    assert login(api, "admin@school.test", "guess", REMOTE_ADDR="198.51.100.10").status_code == 401
    r = login(api, "admin@school.test", "guess", REMOTE_ADDR="198.51.100.10")
    assert r.status_code == 429 and int(r["Retry-After"]) == settings.LOGIN_MAX_DELAY
    # The owner, from an address that has not failed, signs in at the first try.
    assert login(api, "admin@school.test", REMOTE_ADDR="203.0.113.20").status_code == 200


def test_successful_logins_from_one_ip_are_never_throttled(api, settings, db):
    # A whole school logs in from one NAT address at exam start.
    settings.LOGIN_FAILURES_PER_IP = 3
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1
    users = [UserFactory(email=f"pupil{i}@school.test") for i in range(8)]
    for u in users:
        assert login(api, u.email).status_code == 200


def test_login_fails_open_when_the_cache_is_down(api, admin, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1
    assert login(api, "admin@school.test", "bad-one").status_code == 401
    assert login(api, "admin@school.test").status_code == 200


# --- tokens -------------------------------------------------------------------------------------------------------
def test_refresh_rotates_and_the_old_refresh_token_is_dead(api, teacher):
    first = login(api, "teacher@school.test").json()
    r = api.post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] != first["refresh_token"]
    assert bearer(body["access_token"]).get("/api/v1/auth/me").status_code == 200
    following = api.post("/api/v1/auth/refresh", {"refresh_token": body["refresh_token"]}, format="json")
    assert following.status_code == 200
    assert bearer(following.json()["access_token"]).get("/api/v1/auth/me").status_code == 200


def test_replaying_a_rotated_refresh_token_ends_the_whole_session_and_is_audited(api, teacher):
    # Theft detection: A was rotated to B; someone replays A. Either party may be the thief, so both lose.
    first = login(api, "teacher@school.test").json()
    other_device = login(api, "teacher@school.test").json()
    rotated = api.post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json").json()
    replay = api.post("/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}, format="json")
    assert replay.status_code == 401 and "detail" in replay.json()
    successor = api.post("/api/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]}, format="json")
    assert successor.status_code == 401
    assert bearer(rotated["access_token"]).get("/api/v1/auth/me").status_code == 401
    assert bearer(first["access_token"]).get("/api/v1/auth/me").status_code == 401
    row = AuditLog.objects.get(action="auth.refresh_reuse")
    assert row.entity_id == teacher.user.pk and row.new_value["revoked"] == 1
    # The same account's other session (another device, its own family) carries on.
    assert bearer(other_device["access_token"]).get("/api/v1/auth/me").status_code == 200
    r = api.post("/api/v1/auth/refresh", {"refresh_token": other_device["refresh_token"]}, format="json")
    assert r.status_code == 200


def test_refresh_token_is_not_an_access_token_and_vice_versa(api, teacher):
    tokens = login(api, "teacher@school.test").json()
    assert bearer(tokens["refresh_token"]).get("/api/v1/auth/me").status_code == 401
    r = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["access_token"]}, format="json")
    assert r.status_code == 401


def test_refresh_for_a_deactivated_or_deleted_user_is_401(api, teacher, admin):
    tokens = login(api, "teacher@school.test").json()
    admin_tokens = login(api, "admin@school.test").json()
    services.user_set_active(user=teacher.user, by=admin, is_active=False)
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json").status_code == 401
    )
    User.objects.filter(pk=admin.pk).delete()
    r = api.post("/api/v1/auth/refresh", {"refresh_token": admin_tokens["refresh_token"]}, format="json")
    assert r.status_code == 401


def test_refresh_with_garbage_is_401_and_without_body_400(api):
    assert api.post("/api/v1/auth/refresh", {"refresh_token": "garbage"}, format="json").status_code == 401
    assert api.post("/api/v1/auth/refresh", {}, format="json").status_code == 400


def test_logout_revokes_the_refresh_token(api, student):
    tokens = login(api, "alice@school.test").json()
    r = bearer(tokens["access_token"]).post(
        "/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    assert r.status_code == 200 and r.json() == {"message": "Logged out successfully"}
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json").status_code == 401
    )
    assert AuditLog.objects.filter(action="logout", user=student.user).exists()


def test_logout_ends_the_access_token_at_once(api, student):
    tokens = login(api, "alice@school.test").json()
    other_session = login(api, "alice@school.test").json()
    client = bearer(tokens["access_token"])
    assert client.get("/api/v1/auth/me").status_code == 200
    r = client.post("/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert r.status_code == 200
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401 and "detail" in r.json()
    assert bearer(other_session["access_token"]).get("/api/v1/auth/me").status_code == 200


def test_logout_without_a_refresh_token_ends_the_access_token_and_its_session(api, student):
    tokens = login(api, "alice@school.test").json()
    client = bearer(tokens["access_token"])
    assert client.post("/api/v1/auth/logout", {}, format="json").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401
    r = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert r.status_code == 401


def test_logout_anonymous_is_401_and_writes_nothing(api, student):
    tokens = login(api, "alice@school.test").json()
    before = AuditLog.objects.count()
    assert api.post("/api/v1/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json").status_code == 401
    assert AuditLog.objects.count() == before
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json").status_code == 200
    )


def test_logout_with_someone_elses_refresh_token_is_refused(api, student, outsider_student):
    victim = login(api, "oscar@school.test").json()
    mine = login(api, "alice@school.test").json()
    r = bearer(mine["access_token"]).post(
        "/api/v1/auth/logout", {"refresh_token": victim["refresh_token"]}, format="json"
    )
    assert r.status_code == 400
    assert (
        api.post("/api/v1/auth/refresh", {"refresh_token": victim["refresh_token"]}, format="json").status_code == 200
    )


# --- me -----------------------------------------------------------------------------------------------------------
def test_me_for_a_student_has_registration_number_and_class(api_for, student, school_class):
    body = api_for(student).get("/api/v1/auth/me").json()
    assert body["role"] == "student"
    assert body["registration_number"] == "STU2026001"
    assert body["class"] == {
        "id": str(school_class.pk),
        "name": "Class 10A",
        "section": "A",
        "academic_year": school_class.academic_year,
    }
    assert "subject" not in body


def test_me_for_a_teacher_has_subject_and_classes(api_for, teacher, school_class):
    body = api_for(teacher).get("/api/v1/auth/me").json()
    assert body["subject"] == "Mathematics"
    assert [c["id"] for c in body["classes"]] == [str(school_class.pk)]
    assert "registration_number" not in body


def test_me_for_admin_and_anonymous(api_for, api, admin):
    assert api_for(admin).get("/api/v1/auth/me").json()["role"] == "admin"
    r = api.get("/api/v1/auth/me")
    assert r.status_code == 401 and "detail" in r.json()


# --- claim account ------------------------------------------------------------------------------------------------
CLAIM = "/api/v1/auth/claim-account"
NEW_PW = "Blue-Kettle-42"


def claim(api, reg="STU2026500", pw=NEW_PW, confirm=None, **extra):
    body = {"registration_number": reg, "password": pw, "confirm_password": confirm or pw, **extra}
    return api.post(CLAIM, body, format="json")


def test_claim_with_the_code_sets_the_password_once(api, slip_student):
    r = claim(api, reg="stu2026500", claim_code="ABCD-1234")
    assert r.status_code == 200, r.json()
    assert r.json()["message"] == "Account claimed successfully"
    assert r.json()["user"]["registration_number"] == "STU2026500"
    s = Student.objects.get(pk=slip_student.pk)
    assert s.is_account_claimed and s.claimed_at
    assert login(api, "STU2026500", NEW_PW).status_code == 200
    assert AuditLog.objects.filter(action="account.claim", user=s.user).exists()
    again = claim(api, pw="Other-Kettle-43", claim_code="ABCD-1234")
    assert again.status_code == 400 and "already claimed your account" in again.json()["detail"]
    assert login(api, "STU2026500", NEW_PW).status_code == 200


def test_an_account_with_no_second_factor_cannot_be_claimed_with_the_number_alone(api, unclaimed_student):
    """Issue 13: a student created without a date of birth or a claim code had no secret on record, so anyone who
    knew (or guessed) the registration number could set the password and take the account."""
    for extra in ({}, {"claim_code": "ABCDE-FGHJK"}, {"date_of_birth": "2010-05-15"}):
        r = claim(api, **extra)
        assert r.status_code == 400, r.json()
        assert r.json()["code"] == "claim_code_not_issued"
        assert "ask your teacher for a claim code" in r.json()["detail"].lower()
    assert _unchanged(unclaimed_student)
    assert login(api, "STU2026500", NEW_PW).status_code == 401
    refused = AuditLog.objects.filter(action="account.claim_failed", entity_id=unclaimed_student.pk)
    assert refused.count() == 3 and refused.first().new_value["reason"] == "claim_code_not_issued"
    assert not AuditLog.objects.filter(action="account.claim").exists()


def _unchanged(student):
    s = Student.objects.select_related("user").get(pk=student.pk)
    return not s.is_account_claimed and not s.user.has_usable_password()


def test_claim_with_a_claim_code_requires_the_code(api, slip_student):
    missing = claim(api)
    assert missing.status_code == 400 and "claim code" in missing.json()["detail"]
    wrong = claim(api, claim_code="ABCD-9999")
    assert wrong.status_code == 400
    assert _unchanged(slip_student)
    ok = claim(api, claim_code=" abcd-1234 ")
    assert ok.status_code == 200
    assert Student.objects.get(pk=slip_student.pk).claim_code_hash == ""


def test_claim_with_a_date_of_birth_on_record_requires_it(api, unclaimed_student):
    unclaimed_student.date_of_birth = date(2010, 5, 15)
    unclaimed_student.save()
    assert claim(api).status_code == 400
    assert claim(api, date_of_birth="2010-05-16").status_code == 400
    assert _unchanged(unclaimed_student)
    assert claim(api, date_of_birth="2010-05-15").status_code == 200


def test_claim_validates_passwords(api, slip_student):
    mismatch = claim(api, confirm="Blue-Kettle-43", claim_code="ABCD-1234")
    assert mismatch.status_code == 400 and "confirm_password" in mismatch.json()["errors"]
    weak = claim(api, pw="12345678", claim_code="ABCD-1234")
    assert weak.status_code == 400 and "password" in weak.json()["errors"]
    assert _unchanged(slip_student)


def test_claim_refusals_do_not_tell_which_registration_numbers_exist(api, slip_student, student):
    """Issue 13: claim-account answered 404 for unknown numbers, 400 already_claimed for claimed ones and 403 for a
    wrong code, so it listed which numbers exist and which are still unclaimed. One answer for all three."""
    unknown = claim(api, reg="STU0000000", claim_code="ABCD-9999")
    claimed = claim(api, reg=student.registration_number, claim_code="ABCD-9999")
    wrong = claim(api, claim_code="ABCD-9999")
    assert unknown.status_code == claimed.status_code == wrong.status_code == 400
    assert unknown.json() == claimed.json() == wrong.json()
    assert unknown.json()["code"] == "claim_refused"
    reasons = set(AuditLog.objects.filter(action="account.claim_failed").values_list("new_value__reason", flat=True))
    assert reasons == {"unknown_registration_number", "already_claimed", "claim_code_required"}


def test_claim_failures_are_throttled(api, slip_student, settings, forgot):
    settings.CLAIM_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        assert claim(api, claim_code="WRONG").status_code == 400
    r = claim(api, claim_code="ABCD-1234")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert _unchanged(slip_student)


# --- password reset -----------------------------------------------------------------------------------------------
FORGOT = "/api/v1/auth/forgot-password"
FORGOT_MESSAGE = "If an account uses this e-mail address, a reset code has been sent to it."
VERIFY = "/api/v1/auth/verify-reset-code"
RESET = "/api/v1/auth/reset-password"


@pytest.fixture
def forgot(django_capture_on_commit_callbacks):
    """POST forgot-password and run what it queued on commit (the e-mail task, eager in tests)."""

    def post(api, email="teacher@school.test"):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(FORGOT, {"email": email}, format="json")

    return post


def mailed_code(index=-1):
    """The reset code from an e-mail in the outbox: the only place it ever appears."""
    return re.search(r"reset code is: (\d{6})", mail.outbox[index].body).group(1)


@pytest.mark.parametrize("debug", [True, False])
def test_forgot_password_mails_a_hashed_code_and_never_answers_with_it(api, teacher, settings, forgot, debug):
    settings.DEBUG = debug
    r = forgot(api, "Teacher@School.test")
    assert r.status_code == 200
    assert set(r.json()) == {"message"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["teacher@school.test"]
    code = mailed_code()
    assert len(code) == 6 and code.isdigit() and code not in r.content.decode()
    row = PasswordResetToken.objects.get(user=teacher.user)
    assert code not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=15)


def _forgot_timed(api, email):
    started = time.perf_counter()
    r = api.post(FORGOT, {"email": email}, format="json")
    return time.perf_counter() - started, r


def test_forgot_password_does_the_same_work_for_known_unknown_and_inactive_addresses(
    api, teacher, student, settings, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # The attack: the answer took twice as long for an address with an account (17.5 ms vs 8.6 ms), which told
    # the attacker who has one. Now the request does the same steps for every address and queues the same task;
    # the worker finds out whether an account exists.
    settings.RESET_REQUESTS_PER_IP = 1000
    inactive = UserFactory(email="gone@school.test", is_active=False)
    queued = []
    monkeypatch.setattr(auth_services.password_reset_issue_job, "delay", lambda *args: queued.append(args))
    for email in ("teacher@school.test", "nobody@school.test", inactive.email, "alice@school.test"):
        with django_assert_num_queries(0), django_capture_on_commit_callbacks(execute=True):
            r = api.post(FORGOT, {"email": email}, format="json")
        assert r.status_code == 200 and r.json() == {"message": FORGOT_MESSAGE}
    assert [args[0] for args in queued] == [
        "teacher@school.test",
        "nobody@school.test",
        "gone@school.test",
        "alice@school.test",
    ]
    assert {tuple(type(a) for a in args) for args in queued} == {(str, str)}
    # And the clock agrees: medians of 30 requests each, interleaved.
    known, unknown = [], []
    for _ in range(30):
        known.append(_forgot_timed(api, "teacher@school.test")[0])
        unknown.append(_forgot_timed(api, "nobody@school.test")[0])
    k, u = statistics.median(known), statistics.median(unknown)
    assert abs(k - u) < max(0.003, 0.4 * min(k, u)), (k, u)  # it was 2x; noise on shared cores stays well under


def test_inactive_accounts_answer_exactly_like_unknown_addresses(api, teacher, settings, forgot):
    issued = forgot(api)  # a code issued while the account was active
    code = mailed_code()
    teacher.user.is_active = False
    teacher.user.save()
    inactive, unknown = forgot(api), forgot(api, "nobody@school.test")
    assert issued.json() == inactive.json() == unknown.json()
    assert len(mail.outbox) == 1
    v_inactive = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json")
    v_unknown = api.post(VERIFY, {"email": "nobody@school.test", "code": code}, format="json")
    assert v_inactive.status_code == v_unknown.status_code == 400
    assert v_inactive.json() == v_unknown.json()


def test_forgot_password_answers_the_same_for_unknown_addresses(api, teacher, settings, forgot):
    settings.DEBUG = False
    known = forgot(api)
    unknown = forgot(api, "nobody@school.test")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert len(mail.outbox) == 1


def test_forgot_password_does_not_bypass_claiming(api, unclaimed_student, settings, forgot):
    r = forgot(api, "una@school.test")
    assert r.status_code == 200 and "token" not in r.json()
    assert not PasswordResetToken.objects.exists() and not mail.outbox


def test_at_most_five_codes_per_account_per_day(api, teacher, forgot):
    for _ in range(7):
        assert forgot(api).status_code == 200
    assert PasswordResetToken.objects.filter(user=teacher.user).count() == 5
    assert len(mail.outbox) == 5


def test_forgot_password_is_throttled_per_ip(api, teacher, settings, forgot):
    settings.RESET_REQUESTS_PER_IP = 2
    assert forgot(api).status_code == 200
    assert forgot(api, "x@school.test").status_code == 200
    r = forgot(api)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert len(mail.outbox) == 1


def _code_for(forgot, api, settings, email="teacher@school.test"):
    forgot(api, email)
    return mailed_code()


def test_full_reset_sets_the_password_and_revokes_every_refresh_token(api, teacher, settings, forgot):
    old_tokens = [login(api, "teacher@school.test").json()["refresh_token"] for _ in range(2)]
    code = _code_for(forgot, api, settings)
    v = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json")
    assert v.status_code == 200 and v.json()["message"] == "Code verified successfully"
    reset_token = v.json()["reset_token"]
    body = {"reset_token": reset_token, "new_password": NEW_PW, "confirm_password": NEW_PW}
    r = api.post(RESET, body, format="json")
    assert r.status_code == 200 and r.json() == {"message": "Password reset successfully"}
    assert login(api, "teacher@school.test", NEW_PW).status_code == 200
    assert login(api, "teacher@school.test").status_code == 401
    for t in old_tokens:
        assert api.post("/api/v1/auth/refresh", {"refresh_token": t}, format="json").status_code == 401
    assert not AuditLog.objects.filter(action="auth.refresh_reuse").exists()  # revoked, not stolen
    assert AuditLog.objects.filter(action="password.reset", user=teacher.user).exists()
    # Single use: the same reset_token cannot set a password again.
    body["new_password"] = body["confirm_password"] = "Another-Kettle-77"
    assert api.post(RESET, body, format="json").status_code == 400
    assert login(api, "teacher@school.test", NEW_PW).status_code == 200


def test_five_wrong_codes_kill_the_code(api, teacher, settings, forgot):
    code = _code_for(forgot, api, settings)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        r = api.post(VERIFY, {"email": "teacher@school.test", "code": wrong}, format="json")
        assert r.status_code == 400
    r = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json")
    assert r.status_code == 400 and "reset_token" not in r.json()
    assert PasswordResetToken.objects.get().failed_attempts == 5


def test_expired_code_is_refused(api, teacher, settings, forgot):
    code = _code_for(forgot, api, settings)
    PasswordResetToken.objects.update(
        created_at=timezone.now() - timedelta(minutes=20), expires_at=timezone.now() - timedelta(minutes=5)
    )
    r = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json")
    assert r.status_code == 400 and "expired" in r.json()["detail"]


def test_a_new_code_replaces_the_previous_one(api, teacher, settings, forgot):
    first = _code_for(forgot, api, settings)
    second = _code_for(forgot, api, settings)
    if first != second:
        assert api.post(VERIFY, {"email": "teacher@school.test", "code": first}, format="json").status_code == 400
    assert api.post(VERIFY, {"email": "teacher@school.test", "code": second}, format="json").status_code == 200


def test_reset_password_refuses_bad_tokens_and_weak_passwords(api, teacher, settings, forgot):
    code = _code_for(forgot, api, settings)
    token = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json").json()["reset_token"]
    bad = api.post(RESET, {"reset_token": token + "x", "new_password": NEW_PW, "confirm_password": NEW_PW})
    assert bad.status_code == 400
    weak = api.post(RESET, {"reset_token": token, "new_password": "password", "confirm_password": "password"})
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    mismatch = api.post(RESET, {"reset_token": token, "new_password": NEW_PW, "confirm_password": NEW_PW + "!"})
    assert mismatch.status_code == 400
    assert login(api, "teacher@school.test").status_code == 200  # unchanged
    # Still usable after those refusals.
    assert (
        api.post(RESET, {"reset_token": token, "new_password": NEW_PW, "confirm_password": NEW_PW}).status_code == 200
    )


def test_reset_token_expires(api, teacher, settings, monkeypatch, forgot):
    code = _code_for(forgot, api, settings)
    token = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json").json()["reset_token"]
    monkeypatch.setattr(auth_services, "RESET_TOKEN_MAX_AGE", -1)
    r = api.post(RESET, {"reset_token": token, "new_password": NEW_PW, "confirm_password": NEW_PW}, format="json")
    assert r.status_code == 400


# --- caching ------------------------------------------------------------------------------------------------------
def test_no_auth_response_may_be_stored_by_a_browser_or_proxy(api, teacher, slip_student, forgot):
    # Tokens, reset tokens and profiles must not sit in a shared cache or the browser's back/forward cache.
    tokens = login(api, "teacher@school.test").json()
    refreshed = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    forgot(api)
    code = mailed_code()
    verified = api.post(VERIFY, {"email": "teacher@school.test", "code": code}, format="json")
    reset_body = {"reset_token": verified.json()["reset_token"], "new_password": NEW_PW, "confirm_password": NEW_PW}
    me_client = bearer(refreshed.json()["access_token"])
    responses = {
        "login": login(api, "teacher@school.test"),
        "login refused": login(api, "teacher@school.test", "wrong-password"),
        "refresh": refreshed,
        "refresh refused": api.post("/api/v1/auth/refresh", {"refresh_token": "x"}, format="json"),
        "claim": claim(api, claim_code="ABCD-1234"),
        "claim refused": claim(api, reg="STU0000000"),
        "forgot": api.post(FORGOT, {"email": "teacher@school.test"}, format="json"),
        "verify": verified,
        "verify refused": api.post(VERIFY, {"email": "teacher@school.test", "code": "12345x"}, format="json"),
        "me": me_client.get("/api/v1/auth/me"),
        "me refused": api.get("/api/v1/auth/me"),
        "logout": me_client.post("/api/v1/auth/logout", {}, format="json"),
        "reset": api.post(RESET, reset_body, format="json"),
    }
    for name, r in responses.items():
        assert r.status_code < 500, name
        assert "no-store" in r.get("Cache-Control", ""), name
