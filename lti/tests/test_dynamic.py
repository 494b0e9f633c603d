"""LTI Dynamic Registration against the loopback platform: one pasted URL registers the tool, and the LMS can
launch through the registration it made."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditLog
from lti.models import Platform
from lti.tests.conftest import do_launch
from lti.tests.platform import LEARNER

pytestmark = pytest.mark.django_db


def registration_url(client, admin) -> str:
    client.force_login(admin)
    page = client.post("/lti/admin/dynamic/", follow=True).content.decode()
    return re.search(r'id="registration-url" readonly size="80" value="([^"]+)"', page).group(1)


def test_one_pasted_url_registers_the_tool_and_the_lms_can_launch(client, admin, lms):
    url = registration_url(client, admin)
    assert url.startswith("http://testserver/lti/register/")
    client.logout()  # the LMS opens it in its own frame: no session of ours there
    response = client.get(url, {"openid_configuration": lms.base + "/.well-known/openid-configuration",
                                "registration_token": lms.registration_token})  # fmt: skip
    assert response.status_code == 200, response.content[:800]
    assert "is registered" in response.content.decode()
    [asked] = lms.registrations
    assert asked["initiate_login_uri"] == "http://testserver/lti/login/"
    assert asked["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert asked["jwks_uri"] == "http://testserver/lti/jwks/"
    assert asked["token_endpoint_auth_method"] == "private_key_jwt"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in asked["scope"].split()
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id, platform.jwks_url) == (lms.issuer, lms.client_id, lms.base + "/jwks")
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == [lms.deployment_id]
    assert platform.create_users is False and platform.created_by == admin
    assert AuditLog.objects.filter(action="lti.platform.create", user=admin).exists()
    # the URL worked once
    again = client.get(url, {"openid_configuration": lms.base + "/.well-known/openid-configuration"})
    assert again.status_code == 403 and len(lms.registrations) == 1
    # and the LMS launches through it (new users are linked only until the admin allows creation)
    response, _ = do_launch(client, lms, lms.claims(sub="x", roles=[LEARNER]))
    assert response.status_code == 403 and "not linked to an account here" in response.content.decode()


def test_a_made_up_registration_link_registers_nothing(client, lms):
    response = client.get(
        "/lti/register/made-up/", {"openid_configuration": lms.base + "/.well-known/openid-configuration"}
    )
    assert response.status_code == 403 and not lms.registrations and not Platform.objects.exists()


def test_a_refused_registration_keeps_the_link_usable(client, admin, lms):
    url = registration_url(client, admin)
    response = client.get(url, {"openid_configuration": lms.base + "/.well-known/openid-configuration",
                                "registration_token": "wrong"})  # fmt: skip
    assert response.status_code == 502 and not Platform.objects.exists()
    ok = client.get(url, {"openid_configuration": lms.base + "/.well-known/openid-configuration",
                          "registration_token": lms.registration_token})  # fmt: skip
    assert ok.status_code == 200 and Platform.objects.count() == 1


def test_only_admins_create_registration_links(client, teacher):
    client.force_login(teacher.user)
    assert client.post("/lti/admin/dynamic/").status_code == 403
