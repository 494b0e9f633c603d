from __future__ import annotations

import pytest
import requests
from django.test import Client

from lti.models import Identity, Platform
from lti.services.registration import parse_deployment_ids, platform_save
from lti.tests.platform import Platform as TestPlatform
from lti.tests.platform import form_fields


@pytest.fixture
def lms():
    platform = TestPlatform()
    yield platform
    platform.close()


def register(lms: TestPlatform, admin, **changes) -> Platform:
    values = lms.registration() | {"create_users": True} | changes
    deployments = parse_deployment_ids(values.pop("deployment_ids"))
    return platform_save(by=admin, deployment_ids=deployments, **values)


@pytest.fixture
def registered(lms, admin, client):
    platform = register(lms, admin)
    lms.tool_jwks = client.get("/lti/jwks/").json()  # what the LMS admin points the LMS at
    return platform


def do_launch(client: Client, lms: TestPlatform, claims: dict, *, key=None, kid=None, login_extra=None):
    """The browser's part: OIDC login at the tool, authorization at the platform, the form post back.
    Returns (the launch response, the posted fields) so a test can post them again."""
    hint = lms.expect_login(claims, key=key, kid=kid)
    params = {
        "iss": lms.issuer,
        "login_hint": hint,
        "target_link_uri": "http://testserver/lti/launch/",
        "client_id": lms.client_id,
        "lti_deployment_id": lms.deployment_id,
    } | (login_extra or {})
    login = client.get("/lti/login/", params)
    assert login.status_code == 302, login.content[:500]
    auth = requests.get(login["Location"], timeout=5)
    assert auth.status_code == 200, auth.text
    action, fields = form_fields(auth.text)
    assert action == "http://testserver/lti/launch/"
    return client.post("/lti/launch/", fields), fields


def link_identity(platform: Platform, user, sub: str) -> Identity:
    """An account linked to an LMS user, as an administrator links an existing teacher's account."""
    return Identity.objects.create(platform=platform, issuer=platform.issuer, sub=sub, user=getattr(user, "user", user))
