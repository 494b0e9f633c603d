"""OIDC login + launch against a real platform on loopback (lti.tests.platform): registration, instructor and
learner launches landing on the right page, and every refusal the issue names."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from accounts.models import AuditLog, Role, User
from lti.models import Identity, UsedNonce
from lti.tests.conftest import do_launch, link_identity, register
from lti.tests.platform import ADMINISTRATOR, INSTRUCTOR, LEARNER, new_key
from tests.builders import build_quiz

pytestmark = pytest.mark.django_db


def go_link(response) -> str:
    return re.search(r'href="(/lti/go/[^"]+)"', response.content.decode()).group(1)


def test_admin_page_shows_what_to_paste_and_registers_an_lms(client, admin, lms):
    client.force_login(admin)
    page = client.get("/lti/admin/")
    text = page.content.decode()
    for url in ("http://testserver/lti/login/", "http://testserver/lti/launch/", "http://testserver/lti/jwks/"):
        assert url in text
    assert "PRIVATE KEY" not in text
    data = lms.registration(deployment_ids="dep-1\ndep-2") | {"create_users": "on", "is_active": "on"}
    response = client.post("/lti/admin/new/", data)
    assert response.status_code == 302
    listed = client.get("/lti/admin/").content.decode()
    assert lms.name in listed and "dep-2" in listed
    assert AuditLog.objects.filter(action="lti.platform.create", user=admin).exists()
    # the same issuer + client id twice: a form error, nothing written
    again = client.post("/lti/admin/new/", data)
    assert again.status_code == 200 and "already exists" in again.content.decode()


def test_registration_page_is_for_admins_only(client, teacher, student):
    assert client.get("/lti/admin/").status_code == 302  # anonymous: to the login page
    client.force_login(teacher.user)
    assert client.get("/lti/admin/").status_code == 403
    assert client.post("/lti/admin/rotate-key/").status_code == 403


def test_instructor_launch_lands_teacher_on_their_quiz(client, registered, lms, teacher, school_class):
    from lti.models import QuizLink

    quiz = build_quiz(teacher, school_class=school_class)
    link = QuizLink.objects.create(platform=registered, deployment_id="dep-1", quiz=quiz, created_by=teacher.user)
    link_identity(registered, teacher, "lms-teacher-1")
    claims = lms.claims(
        sub="lms-teacher-1",
        roles=[INSTRUCTOR],
        **{"https://purl.imsglobal.org/spec/lti/claim/custom": {"quizsite_link": str(link.pk)}},
    )
    response, _ = do_launch(client, lms, claims)
    assert response.status_code == 200
    assert "frame-ancestors " + lms.base in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    hop = client.get(go_link(response))
    assert hop.status_code == 302 and hop["Location"] == f"/quizzes/{quiz.pk}/"
    assert client.get(hop["Location"]).status_code == 200  # signed in, first-party
    link.refresh_from_db()
    assert link.resource_link_id == "rl-1" and link.lineitem_url == lms.lineitem()
    assert AuditLog.objects.filter(action="lti.launch", user=teacher.user).exists()
    assert client.get(go_link(response)).status_code == 410  # the hop works once


def test_learner_launch_creates_a_student_and_opens_the_quiz(client, registered, lms, teacher, school_class):
    from lti.models import Context, QuizLink

    quiz = build_quiz(teacher, school_class=school_class)
    context = Context.objects.create(platform=registered, context_id="course-1", school_class=school_class)
    link = QuizLink.objects.create(
        platform=registered, deployment_id="dep-1", context=context, quiz=quiz, created_by=teacher.user
    )
    claims = lms.claims(
        sub="lms-learner-1",
        roles=[LEARNER],
        name="Lena Learner",
        **{"https://purl.imsglobal.org/spec/lti/claim/custom": {"quizsite_link": str(link.pk)}},
    )
    response, _ = do_launch(client, lms, claims)
    assert response.status_code == 200, response.content
    identity = Identity.objects.get(issuer=lms.issuer, sub="lms-learner-1")
    user = identity.user
    assert user.role == Role.STUDENT and user.name == "Lena Learner"
    assert user.student.school_class == school_class  # the course's class
    hop = client.get(go_link(response))
    assert hop["Location"] == f"/attempts/quiz/{quiz.pk}/"
    intro = client.get(hop["Location"])
    assert intro.status_code == 200 and quiz.title in intro.content.decode()


@pytest.mark.parametrize(
    ("roles", "trusted", "role"),
    [
        ([INSTRUCTOR], False, Role.TEACHER),
        ([LEARNER], False, Role.STUDENT),
        ([ADMINISTRATOR, INSTRUCTOR], True, Role.ADMIN),
        ([ADMINISTRATOR, INSTRUCTOR], False, Role.TEACHER),
        ([ADMINISTRATOR], False, Role.STUDENT),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], False, Role.STUDENT),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], False, Role.STUDENT),
    ],
)
def test_roles_map_to_the_least_privilege_that_fits(client, lms, admin, roles, trusted, role):
    register(lms, admin, trust_admin_role=trusted)
    response, _ = do_launch(client, lms, lms.claims(sub="someone", roles=roles))
    assert response.status_code == 200, response.content
    assert Identity.objects.get(sub="someone").user.role == role


def refused(response, text: str, status=403):
    body = response.content.decode()
    assert response.status_code == status, body[:800]
    assert "This launch was refused" in body and text in body, body[:1500]
    assert AuditLog.objects.filter(action="lti.launch_refused").exists()


def _nothing_created(before: int):
    assert User.objects.count() == before
    assert not Identity.objects.exists()


@pytest.fixture
def users_before(registered, admin):
    return User.objects.count()


def test_wrong_signature_is_refused(client, lms, users_before):
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER]), key=new_key())
    refused(response, "Signature verification failed")
    _nothing_created(users_before)
    assert "_auth_user_id" not in client.session
    assert "frame-ancestors " + lms.base in response["Content-Security-Policy"]  # readable inside the LMS frame


def test_unknown_key_id_is_refused(client, lms, users_before):
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER]), kid="not-a-platform-key")
    refused(response, "Unable to find public key")
    _nothing_created(users_before)


def test_replayed_token_is_refused(client, lms, users_before):
    first, fields = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER]))
    assert first.status_code == 200
    before = User.objects.count()
    again = client.post("/lti/launch/", fields)
    refused(again, "replayed nonce")
    assert User.objects.count() == before and UsedNonce.objects.count() == 1


def test_expired_token_is_refused(client, lms, users_before):
    past = int(time.time()) - 3600
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER], iat=past - 60, exp=past))
    refused(response, "expired")
    _nothing_created(users_before)


def test_token_issued_in_the_future_is_refused(client, lms, users_before):
    future = int(time.time()) + 3600
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER], iat=future, exp=future + 300))
    refused(response, "not yet valid")
    _nothing_created(users_before)


def test_old_nonces_are_forgotten_recent_ones_kept(db):
    from datetime import timedelta

    from django.utils import timezone

    from lti.tasks import purge_used_nonces

    UsedNonce.objects.create(issuer="i", nonce="old", used_at=timezone.now() - timedelta(days=3))
    UsedNonce.objects.create(issuer="i", nonce="new")
    assert purge_used_nonces() == 1
    assert list(UsedNonce.objects.values_list("nonce", flat=True)) == ["new"]


def test_token_for_another_tool_is_refused(client, lms, users_before):
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER], aud="someone-else"))
    refused(response, "Registration not found")
    _nothing_created(users_before)


def test_azp_of_another_client_is_refused(client, lms, users_before):
    claims = lms.claims(sub="x", roles=[LEARNER], aud=[lms.client_id, "other"], azp="other")
    response, _ = do_launch(client, lms, claims)
    refused(response, "azp")
    _nothing_created(users_before)


def test_unknown_deployment_is_refused(client, lms, users_before):
    claims = lms.claims(
        sub="x", roles=[LEARNER], **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-9"}
    )
    response, _ = do_launch(client, lms, claims)
    refused(response, "Unable to find deployment")
    _nothing_created(users_before)


def test_learner_cannot_deep_link(client, lms, users_before):
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER], message_type="LtiDeepLinkingRequest"))
    refused(response, "Only teachers can add quizzes")
    _nothing_created(users_before)


def test_another_platforms_user_id_is_not_this_platforms_user(client, lms, registered, admin, student):
    from lti.tests.platform import Platform as TestPlatform

    link_identity(registered, student, "shared-sub")
    other = TestPlatform(name="Canvas test", client_id="canvas-client")
    try:
        register(other, admin, create_users=False)
        other.tool_jwks = lms.tool_jwks
        before = User.objects.count()
        response, _ = do_launch(client, other, other.claims(sub="shared-sub", roles=[LEARNER]))
        refused(response, "not linked to an account here")
        assert User.objects.count() == before and Identity.objects.count() == 1
        assert "_auth_user_id" not in client.session
        # and a token for the first platform's user, signed by the second platform: refused on the signature
        forged = lms.claims(sub="shared-sub", roles=[LEARNER])
        response, _ = do_launch(client, lms, forged, key=other.key, kid=lms.kid)
        refused(response, "Signature verification failed")
        assert "_auth_user_id" not in client.session
    finally:
        other.close()


def test_unregistered_issuer_cannot_even_log_in(client, lms, admin):
    response = client.get("/lti/login/", {"iss": lms.issuer, "login_hint": "h", "client_id": lms.client_id})
    refused(response, "not registered", status=400)


def test_launch_without_cookie_offers_a_new_window(client, lms, registered):
    hint = lms.expect_login(lms.claims(sub="x", roles=[LEARNER]))
    import requests

    from lti.tests.platform import form_fields

    login = client.get(
        "/lti/login/",
        {"iss": lms.issuer, "login_hint": hint, "client_id": lms.client_id, "lti_deployment_id": lms.deployment_id},
    )
    client.cookies.clear()  # the browser dropped the third-party cookie inside the LMS's iframe
    _, fields = form_fields(requests.get(login["Location"], timeout=5).text)
    response = client.post("/lti/launch/", fields)
    refused(response, "blocked the cookie")
    assert "lti1p3_new_window=1" in response.content.decode() and 'target="_blank"' in response.content.decode()


def test_an_unlinked_lms_user_links_their_existing_account_by_signing_in(client, lms, admin, student, password):
    register(lms, admin, create_users=False)
    response, _ = do_launch(client, lms, lms.claims(sub="lms-alice", roles=[LEARNER], name="Alice J"))
    refused(response, "not linked to an account here")
    link = re.search(r'href="(/lti/link/[^"]+)"', response.content.decode()).group(1)
    assert client.get(link).status_code == 302  # sign in first
    client.force_login(student.user)
    assert "Alice J" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert Identity.objects.get(sub="lms-alice").user == student.user
    assert AuditLog.objects.filter(action="lti.identity.link", user=student.user).exists()
    client.logout()
    response, _ = do_launch(client, lms, lms.claims(sub="lms-alice", roles=[LEARNER]))
    assert response.status_code == 200
    assert client.get(go_link(response))["Location"] == "/"


def test_a_learner_link_cannot_be_used_to_link_a_teacher_account(client, lms, admin, teacher):
    register(lms, admin, create_users=False)
    response, _ = do_launch(client, lms, lms.claims(sub="lms-mallory", roles=[LEARNER]))
    link = re.search(r'href="(/lti/link/[^"]+)"', response.content.decode()).group(1)
    client.force_login(teacher.user)
    page = client.post(link, follow=True).content.decode()
    assert "sign in with an account of that role" in page
    assert not Identity.objects.exists()


def test_the_platforms_keys_are_fetched_once_and_again_when_it_rotates(client, lms, registered):
    for sub in ("a", "b", "c"):
        assert do_launch(Client(), lms, lms.claims(sub=sub, roles=[LEARNER]))[0].status_code == 200
    assert lms.jwks_requests == 1  # a class launching at the bell costs the LMS one JWKS request
    lms.key, lms.kid = new_key(), "platform-key-2"  # the LMS rotates its key
    assert do_launch(Client(), lms, lms.claims(sub="d", roles=[LEARNER]))[0].status_code == 200
    assert lms.jwks_requests == 2
    response, _ = do_launch(Client(), lms, lms.claims(sub="e", roles=[LEARNER]), kid="still-unknown")
    assert response.status_code == 403 and lms.jwks_requests == 3  # one refetch, then refused
