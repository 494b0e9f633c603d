"""Registering an LMS: what the admin page (and Dynamic Registration) write."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services.audit import audit_record
from lti.errors import LtiError
from lti.models import Deployment, Platform

PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "auth_login_url",
    "auth_token_url",
    "auth_audience",
    "jwks_url",
    "create_users",
    "trust_admin_role",
    "is_active",
)


def parse_deployment_ids(text: str) -> list[str]:
    """One deployment id per line or comma; blanks dropped, order kept, duplicates once."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\n,]", text or ""):
        if part.strip():
            seen[part.strip()[:255]] = None
    return list(seen)


def _require_admin(by: User) -> None:
    if not (by and by.is_active and by.is_admin):
        raise LtiError("Only administrators can register an LMS.", status_code=403)


def _snapshot(p: Platform) -> dict:
    return {f: getattr(p, f) for f in PLATFORM_FIELDS} | {
        "deployments": list(p.deployments.values_list("deployment_id", flat=True))
    }


@transaction.atomic
def platform_save(
    *,
    by: User,
    platform: Platform | None = None,
    deployment_ids: list[str],
    require_deployment: bool = True,
    request=None,
    **values,
):
    """Create (platform=None) or update a registration and set its deployment ids to exactly `deployment_ids`.
    Dynamic Registration may not learn a deployment id (require_deployment=False): launches are refused until the
    admin adds one."""
    _require_admin(by)
    creating = platform is None
    platform = platform or Platform(created_by=by)
    old = None if creating else _snapshot(platform)
    for field in PLATFORM_FIELDS:
        if field in values:
            setattr(platform, field, values[field].strip() if isinstance(values[field], str) else values[field])
    if require_deployment and not deployment_ids:
        raise ValidationError({"deployment_ids": ["Give at least one deployment id (the LMS shows it)."]})
    platform.full_clean()
    try:
        with transaction.atomic():
            platform.save()
    except IntegrityError:
        raise ValidationError({"client_id": ["This issuer and client id are already registered."]}) from None
    platform.deployments.exclude(deployment_id__in=deployment_ids).delete()
    for dep in deployment_ids:
        Deployment.objects.get_or_create(platform=platform, deployment_id=dep)
    audit_record(
        action="lti.platform.create" if creating else "lti.platform.update",
        by=by,
        entity=platform,
        old=old,
        new=_snapshot(platform),
        request=request,
    )
    return platform
