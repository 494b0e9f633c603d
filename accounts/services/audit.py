"""The audit trail and notifications: the two writes every app's services make (quizzes, classrooms, grading...)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import AuditLog, Notification, User
from quizsite.clientip import client_ip  # the one rule for the client's address (TRUSTED_PROXIES)

__all__ = ["audit_record", "client_ip", "notify"]


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_record(
    *,
    action: str,
    by: User | None = None,
    entity: Any = None,
    entity_type: str = "",
    entity_id: uuid.UUID | str | None = None,
    old: dict | None = None,
    new: dict | None = None,
    request=None,
) -> AuditLog:
    """The one audit service: every write service a school would want traced calls this.

    `entity` may be any model instance with a UUID pk; its type and id are then filled in.
    """
    if entity is not None:
        entity_type = entity_type or entity._meta.model_name
        entity_id = entity_id or entity.pk
    if isinstance(entity_id, str):
        try:
            entity_id = uuid.UUID(entity_id)
        except ValueError:
            entity_id = None
    user = by if (by is not None and getattr(by, "is_authenticated", False)) else None
    return AuditLog.objects.create(
        user=user,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        old_value=_jsonable(old),
        new_value=_jsonable(new),
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:1000] if request is not None else ""),
    )


def notify(*, users, type: str, title: str, message: str, link: str = "") -> int:
    """Create one notification per user (bulk, one query). Returns how many were created."""
    rows = [Notification(user=u, type=type, title=title, message=message, link=link) for u in users]
    Notification.objects.bulk_create(rows, batch_size=500)
    return len(rows)
