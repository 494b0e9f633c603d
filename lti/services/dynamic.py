"""LTI Dynamic Registration (Moodle 4.x, Canvas): the admin creates a one-use registration URL here and pastes
it into the LMS; the LMS opens it with its openid_configuration, we register ourselves at its registration
endpoint and keep what it answers. Our one-use URL is what makes the request trustworthy: nobody else can make
the tool register with an LMS of their choosing."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import requests
from django.core.cache import cache
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services.audit import audit_record
from lti.errors import LtiError
from lti.models import Platform
from lti.services.registration import platform_save

TOKEN_SECONDS = 3600
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = " ".join(
    [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
)


def registration_url_issue(*, by: User, request=None) -> str:
    if not (by and by.is_active and by.is_admin):
        raise LtiError("Only administrators can register an LMS.", status_code=403)
    token = secrets.token_urlsafe(32)
    cache.set(f"lti:dynreg:{token}", str(by.pk), TOKEN_SECONDS)
    audit_record(action="lti.dynamic_registration.issue", by=by, request=request)
    return token


def registration_token_valid(token: str) -> bool:
    return bool(cache.get(f"lti:dynreg:{token}"))


def _url(value, what: str) -> str:
    parts = urlsplit(str(value or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LtiError(f"The LMS's configuration has no valid {what}.", code="config")
    return str(value)


def tool_configuration(urls: dict) -> dict:
    """What we ask the LMS to register (LTI Dynamic Registration 1.0, section 3.3)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": urls["redirect_uris"],
        "client_name": "Quizsite",
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES,
        TOOL_CONFIGURATION: {
            "domain": urlsplit(urls["launch"]).netloc,
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiDeepLinkingRequest", "target_link_uri": urls["deep_linking"], "label": "Quizsite quiz"}
            ],
        },
    }


def dynamic_register(
    *, token: str, openid_configuration: str, registration_token: str, urls: dict, request=None
) -> Platform:
    """Fetch the LMS's configuration, register at its registration endpoint, save the Platform. The one-use
    token is spent only when the registration is saved, so a network failure can be retried."""
    by = User.objects.filter(pk=cache.get(f"lti:dynreg:{token}") or None, is_active=True).first()
    if by is None or not by.is_admin:
        raise LtiError("This registration link has expired or was already used. Create a new one.", status_code=403)
    try:
        config = requests.get(_url(openid_configuration, "openid_configuration URL"), timeout=10).json()
        headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
        answer = requests.post(
            _url(config.get("registration_endpoint"), "registration endpoint"),
            json=tool_configuration(urls),
            headers=headers,
            timeout=10,
        )
        answer.raise_for_status()
        client = answer.json()
    except (requests.RequestException, ValueError, AttributeError) as exc:
        raise LtiError(f"The LMS did not complete the registration ({type(exc).__name__}).", status_code=502) from exc
    if not client.get("client_id"):
        raise LtiError("The LMS answered without a client id.", status_code=502)
    product = (config.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or "LMS"
    deployment = (client.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    issuer = _url(config.get("issuer"), "issuer")
    try:
        platform = platform_save(
            by=by,
            name=f"{product} ({urlsplit(issuer).netloc})"[:200],
            issuer=issuer,
            client_id=str(client["client_id"]),
            auth_login_url=_url(config.get("authorization_endpoint"), "authorization endpoint"),
            auth_token_url=_url(config.get("token_endpoint"), "token endpoint"),
            auth_audience=str(config.get("authorization_server") or "")[:500],
            jwks_url=_url(config.get("jwks_uri"), "JWKS URL"),
            create_users=False,
            trust_admin_role=False,
            is_active=True,
            deployment_ids=[str(deployment)] if deployment else [],
            require_deployment=False,
            request=request,
        )
    except ValidationError as exc:
        raise LtiError("; ".join(exc.messages)) from exc
    cache.delete(f"lti:dynreg:{token}")
    return platform
