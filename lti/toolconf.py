"""pylti1p3's view of our registrations: the library asks "which registration is (iss, client_id)?" and "is this
deployment known?"; the answers come from the Platform and Deployment rows, signed with our current ToolKey.

pylti1p3 (maintained, pinned in requirements.lock, and its Django adapter works with our session-less launch
pages) does every JWT and OIDC check; this module only feeds it what we know.
"""

from __future__ import annotations

import requests
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.service_connector import REQUESTS_USER_AGENT
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.models import Deployment, Platform
from lti.services.keys import current_key

HTTP_TIMEOUT = (5, 15)  # connect, read: a slow LMS must not hold a request or a worker for ever


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    """What pylti1p3 talks to the LMS with (JWKS, token, AGS, NRPS): its own session has no timeout."""
    session = _TimeoutSession()
    session.headers["User-Agent"] = REQUESTS_USER_AGENT
    return session


def registration_for(platform: Platform) -> Registration:
    key = current_key()
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_auth_audience(platform.auth_audience or None)
        .set_key_set_url(platform.jwks_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(key.public_pem)
    )


class DbToolConf(ToolConfAbstract):
    """Registrations from the database. One issuer may have several client ids (two registrations in one LMS)."""

    def __init__(self) -> None:
        self.platform: Platform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _found(self, platform: Platform | None) -> Registration | None:
        self.platform = platform
        return registration_for(platform) if platform else None

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        found = list(Platform.objects.filter(issuer=iss, is_active=True)[:2])
        return self._found(found[0] if len(found) == 1 else None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> Registration | None:
        if not client_id:  # an OIDC login without client_id: only an issuer with one registration is unambiguous
            return self.find_registration_by_issuer(iss)
        return self._found(Platform.objects.filter(issuer=iss, client_id=client_id, is_active=True).first())

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return None  # every issuer is "many clients" (above): the library calls find_deployment_by_params

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args, **kwargs):
        known = Deployment.objects.filter(
            platform__issuer=iss, platform__client_id=client_id, platform__is_active=True, deployment_id=deployment_id
        ).exists()
        return LtiDeployment().set_deployment_id(deployment_id) if known else None
