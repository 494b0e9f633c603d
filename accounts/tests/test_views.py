"""The account pages × every persona: status, what the user sees, and nothing written when refused."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog, PasswordResetToken, Role, Student, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW_PW = "Blue-Kettle-42"


@pytest.fixture
def everyone(admin, teacher, other_teacher, student, outsider_student):
    return {
        "admin": admin,
        "teacher": teacher.user,
        "other_teacher": other_teacher.user,
        "student": student.user,
        "outsider_student": outsider_student.user,
    }


def client_as(user):
    c = Client()
    if user is not None:
        c.force_login(user, backend="accounts.backends.EmailOrRegistrationNumberBackend")
    return c


# --- login / logout -----------------------------------------------------------------------------------------------
def test_login_page_with_email_or_registration_number(client, student):
    assert client.get(reverse("accounts:login")).status_code == 200
    r = client.post(reverse("accounts:login"), {"username": "stu2026001", "password": DEFAULT_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert b"Alice" in home.content and b"My profile" in home.content
    assert AuditLog.objects.filter(action="login", user=student.user).exists()


def _page_text(response) -> str:
    """The page without what differs on every render (the masked CSRF token, a CSP nonce)."""
    return re.sub(r'(value|nonce)="[^"]*"', "", response.content.decode())


def test_login_page_shows_errors_next_to_the_form(client, admin, unclaimed_student):
    r = client.post(reverse("accounts:login"), {"username": "admin@school.test", "password": "nope-nope"})
    assert r.status_code == 401 and b"Incorrect email/registration number or password" in r.content
    unclaimed = client.post(reverse("accounts:login"), {"username": "STU2026500", "password": ""})
    unknown = client.post(reverse("accounts:login"), {"username": "STU2026501", "password": ""})
    assert "_auth_user_id" not in client.session
    # Issue 13: the same page for an unclaimed and an unknown number; the hint to claim is there for everyone.
    assert unclaimed.status_code == unknown.status_code == 401
    hint = b"If you have not claimed your account yet"
    for page in (r, unclaimed, unknown):
        assert hint in page.content and b"Incorrect email/registration number or password" in page.content
        assert reverse("accounts:claim").encode() in page.content
    assert _page_text(unclaimed).replace("STU2026500", "X") == _page_text(unknown).replace("STU2026501", "X")
    assert hint not in client.get(reverse("accounts:login")).content


def test_login_page_is_throttled_like_the_api(client, admin, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": "admin@school.test", "password": "bad-bad"})
    r = client.post(reverse("accounts:login"), {"username": "admin@school.test", "password": DEFAULT_PASSWORD})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert b"Too many failed login attempts" in r.content
    assert "_auth_user_id" not in client.session


def test_login_page_redirects_only_to_safe_next(client, admin):
    r = client.post(
        reverse("accounts:login"),
        {"username": "admin@school.test", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert r["Location"] == reverse("home")
    client.logout()
    r = client.post(
        reverse("accounts:login"),
        {"username": "admin@school.test", "password": DEFAULT_PASSWORD, "next": reverse("accounts:profile")},
    )
    assert r["Location"] == reverse("accounts:profile")


def test_django_admin_login_goes_through_the_same_rules(client, admin, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1
    client.post("/admin/login/", {"username": "admin@school.test", "password": "bad-bad"})
    r = client.post("/admin/login/?next=/admin/", {"username": "admin@school.test", "password": DEFAULT_PASSWORD})
    assert r.status_code == 200  # refused: the form is shown again
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="login.failed").count() == 1


def test_logout_is_post_only_and_audited(admin):
    c = client_as(admin)
    assert c.get(reverse("accounts:logout")).status_code == 405
    r = c.post(reverse("accounts:logout"))
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    assert AuditLog.objects.filter(action="logout", user=admin).exists()
    assert c.get(reverse("accounts:profile")).status_code == 302


def test_home_links_what_each_role_does(admin, teacher, student):
    admin_page = client_as(admin).get(reverse("home")).content.decode()
    assert reverse("accounts:users") in admin_page and reverse("accounts:audit") in admin_page
    teacher_page = client_as(teacher.user).get(reverse("home")).content.decode()
    assert reverse("accounts:users") not in teacher_page and reverse("accounts:profile") in teacher_page
    student_page = client_as(student.user).get(reverse("home")).content.decode()
    assert reverse("accounts:audit") not in student_page
    assert Client().get(reverse("home"))["Location"] == reverse("accounts:login")


# --- claim --------------------------------------------------------------------------------------------------------
def test_claim_page_with_and_without_the_claim_code(client, slip_student):
    url = reverse("accounts:claim")
    assert client.get(url).status_code == 200
    data = {"registration_number": "stu2026500", "password": NEW_PW, "confirm_password": NEW_PW}
    r = client.post(url, data)
    assert r.status_code == 400 and b"do not match an account waiting to be claimed" in r.content
    assert not Student.objects.get(pk=slip_student.pk).is_account_claimed
    r = client.post(url, {**data, "claim_code": "ABCD-1234", "confirm_password": "different-1"})
    assert r.status_code == 200 and b"do not match" in r.content
    r = client.post(url, {**data, "claim_code": "ABCD-1234"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    assert Student.objects.get(pk=slip_student.pk).is_account_claimed


def test_claim_page_refuses_an_account_with_no_second_factor(client, unclaimed_student):
    """Issue 13: the registration number alone must not be enough to take an account."""
    data = {"registration_number": "STU2026500", "password": NEW_PW, "confirm_password": NEW_PW}
    r = client.post(reverse("accounts:claim"), data)
    assert r.status_code == 400
    assert b"ask your teacher for a claim code" in r.content.lower()
    student = Student.objects.select_related("user").get(pk=unclaimed_student.pk)
    assert not student.is_account_claimed and not student.user.has_usable_password()
    assert AuditLog.objects.filter(action="account.claim_failed", entity_id=student.pk).count() == 1


# --- forgot / verify / reset --------------------------------------------------------------------------------------
def test_password_reset_pages_end_to_end(client, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("accounts:forgot_password"), {"email": "teacher@school.test"})
    assert r["Location"] == reverse("accounts:verify_code")
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    page = client.get(reverse("accounts:verify_code"))
    assert b'value="teacher@school.test"' in page.content
    r = client.post(
        reverse("accounts:verify_code"),
        {"email": "teacher@school.test", "code": "000000" if code != "000000" else "111111"},
    )
    assert r.status_code == 400 and b"invalid or has expired" in r.content
    r = client.post(reverse("accounts:verify_code"), {"email": "teacher@school.test", "code": code})
    assert r["Location"] == reverse("accounts:reset_password")
    r = client.post(reverse("accounts:reset_password"), {"new_password": "short", "confirm_password": "short"})
    assert r.status_code == 200 and b"too short" in r.content
    r = client.post(reverse("accounts:reset_password"), {"new_password": NEW_PW, "confirm_password": NEW_PW})
    assert r["Location"] == reverse("accounts:login")
    assert User.objects.get(pk=teacher.pk).check_password(NEW_PW)
    # The reset token is gone from the session: the page cannot be replayed.
    assert client.get(reverse("accounts:reset_password"))["Location"] == reverse("accounts:forgot_password")


def test_forgot_page_answers_the_same_for_unknown_addresses(client, db):
    r = client.post(reverse("accounts:forgot_password"), {"email": "nobody@school.test"})
    assert r["Location"] == reverse("accounts:verify_code")
    assert not PasswordResetToken.objects.exists() and not mail.outbox


# --- profile ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["admin", "teacher", "other_teacher", "student", "outsider_student"])
def test_everyone_sees_only_their_own_profile(everyone, who):
    page = client_as(everyone[who]).get(reverse("accounts:profile")).content.decode()
    assert f"<dd>{everyone[who].email}</dd>" in page
    others = [f">{u.email}<" for k, u in everyone.items() if k != who]
    assert not any(e in page for e in others)


def test_profile_shows_role_details(student, teacher):
    assert b"STU2026001" in client_as(student.user).get(reverse("accounts:profile")).content
    assert b"Class 10A" in client_as(teacher.user).get(reverse("accounts:profile")).content


def test_change_password_keeps_the_session_and_checks_the_old_one(student):
    c = client_as(student.user)
    url = reverse("accounts:profile")
    r = c.post(url, {"old_password": "wrong", "new_password": NEW_PW, "confirm_password": NEW_PW})
    assert r.status_code == 200 and b"current password is not correct" in r.content
    r = c.post(url, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PW, "confirm_password": NEW_PW})
    assert r.status_code == 302
    assert User.objects.get(pk=student.pk).check_password(NEW_PW)
    assert c.get(url).status_code == 200  # still signed in
    assert AuditLog.objects.filter(action="password.change", user=student.user).exists()


def test_profile_anonymous_is_sent_to_login(client):
    r = client.get(reverse("accounts:profile"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


# --- admin pages × personas ---------------------------------------------------------------------------------------
def admin_pages(target):
    return [
        ("get", reverse("accounts:users"), {}),
        ("get", reverse("accounts:user_create"), {}),
        ("post", reverse("accounts:user_create"), {"name": "X", "email": "x@school.test", "role": "admin"}),
        ("get", reverse("accounts:user_edit", args=[target.pk]), {}),
        ("post", reverse("accounts:user_edit", args=[target.pk]), {"name": "Hacked", "email": target.email}),
        ("post", reverse("accounts:user_toggle_active", args=[target.pk]), {}),
        ("get", reverse("accounts:user_delete", args=[target.pk]), {}),
        ("post", reverse("accounts:user_delete", args=[target.pk]), {}),
        ("get", reverse("accounts:audit"), {}),
    ]


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "student", "outsider_student", "anonymous"])
def test_admin_pages_refuse_everyone_else(everyone, who, snapshot):
    c = client_as(None if who == "anonymous" else everyone[who])
    before = snapshot()
    for method, url, data in admin_pages(everyone["other_teacher"]):
        r = getattr(c, method)(url, data)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login")), url
        else:
            assert r.status_code == 403, url
    assert snapshot() == before


def test_admin_users_list_filters_search_and_paginates(everyone):
    c = client_as(everyone["admin"])
    page = c.get(reverse("accounts:users"), {"role": "teacher"}).content.decode()
    assert "Tom Teacher" in page and "Olga Other" in page and "Alice Johnson" not in page
    page = c.get(reverse("accounts:users"), {"search": "stu2026999"}).content.decode()
    assert "Oscar Outsider" in page and "Alice Johnson" not in page
    for i in range(30):
        UserFactory(email=f"bulk{i:02d}@school.test", name=f"Bulk {i:02d}", role=Role.ADMIN)
    first = c.get(reverse("accounts:users"), {"role": "admin"}).content.decode()
    assert "Page 1 of 2" in first and "role=admin&amp;page=2" in first
    second = c.get(reverse("accounts:users"), {"role": "admin", "page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_admin_creates_edits_deactivates_and_deletes_a_user(admin):
    c = client_as(admin)
    r = c.post(
        reverse("accounts:user_create"),
        {"name": "Nina New", "email": "Nina@School.test", "role": "teacher", "subject": "Art", "password": NEW_PW},
    )
    assert r.status_code == 302
    nina = User.objects.get(email="nina@school.test")
    assert nina.teacher.subject == "Art" and nina.check_password(NEW_PW)

    r = c.post(reverse("accounts:user_create"), {"name": "Dup", "email": "NINA@school.test", "role": "admin"})
    assert r.status_code == 200 and b"already exists" in r.content

    r = c.post(
        reverse("accounts:user_edit", args=[nina.pk]),
        {"name": "Nina Renamed", "email": "nina@school.test", "subject": "Music", "department": "", "phone": ""},
    )
    assert r.status_code == 302
    nina.refresh_from_db()
    assert nina.name == "Nina Renamed" and nina.teacher.subject == "Music" and nina.check_password(NEW_PW)

    r = c.post(reverse("accounts:user_toggle_active", args=[nina.pk]), {"next": "/accounts/users/?role=teacher"})
    assert r["Location"] == "/accounts/users/?role=teacher"
    assert not User.objects.get(pk=nina.pk).is_active
    c.post(reverse("accounts:user_toggle_active", args=[nina.pk]))
    assert User.objects.get(pk=nina.pk).is_active

    confirm = c.get(reverse("accounts:user_delete", args=[nina.pk]))
    assert b"Delete for good" in confirm.content
    assert User.objects.filter(pk=nina.pk).exists()  # GET only asks
    r = c.post(reverse("accounts:user_delete", args=[nina.pk]))
    assert r.status_code == 302 and not User.objects.filter(pk=nina.pk).exists()
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"user.create", "user.update", "user.deactivate", "user.activate", "user.delete"} <= actions


def test_admin_cannot_deactivate_or_delete_themself_from_the_pages(admin):
    c = client_as(admin)
    c.post(reverse("accounts:user_toggle_active", args=[admin.pk]))
    c.post(reverse("accounts:user_delete", args=[admin.pk]))
    assert User.objects.get(pk=admin.pk).is_active


def test_delete_page_explains_why_a_teacher_with_quizzes_stays(admin, teacher):
    from tests.factories import QuizFactory

    QuizFactory(created_by=teacher)
    c = client_as(admin)
    page = c.get(reverse("accounts:user_delete", args=[teacher.pk]))
    assert b"Deactivate it instead" in page.content and b"Delete for good" not in page.content
    c.post(reverse("accounts:user_delete", args=[teacher.pk]))
    assert User.objects.filter(pk=teacher.pk).exists()


def test_audit_page_filters_by_action_and_user(admin, teacher, django_assert_max_num_queries):
    from accounts.services import audit_record

    audit_record(action="quiz.publish", by=teacher.user)
    audit_record(action="user.create", by=admin)
    for i in range(60):
        audit_record(action="login.failed", new={"identifier": f"x{i}"})
    c = client_as(admin)
    page = c.get(reverse("accounts:audit"), {"action": "quiz.publish"}).content.decode()
    assert "Tom Teacher" in page and "user.create</code>" not in page
    page = c.get(reverse("accounts:audit"), {"user": "ada"}).content.decode()
    assert "user.create" in page and "quiz.publish</code>" not in page
    with django_assert_max_num_queries(8):
        page = c.get(reverse("accounts:audit")).content.decode()
    assert "Page 1 of 2" in page


def test_sign_in_and_reset_pages_are_never_stored(client, teacher, django_capture_on_commit_callbacks):
    pages = ["login", "claim", "forgot_password", "verify_code"]
    for name in pages:
        assert "no-store" in client.get(reverse(f"accounts:{name}")).get("Cache-Control", ""), name
        assert "no-store" in client.post(reverse(f"accounts:{name}"), {}).get("Cache-Control", ""), name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:forgot_password"), {"email": "teacher@school.test"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    client.post(reverse("accounts:verify_code"), {"email": "teacher@school.test", "code": code})
    page = client.get(reverse("accounts:reset_password"))
    assert page.status_code == 200 and "no-store" in page.get("Cache-Control", "")
    failed = client.post(reverse("accounts:login"), {"username": "teacher@school.test", "password": "wrong-one"})
    assert failed.status_code == 401 and "no-store" in failed.get("Cache-Control", "")
