"""A user's notifications: marking them read. Resolved through Notification.objects.visible_to, so nobody touches
another user's notification, whichever interface asks."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Notification, User
from grading.services.common import GradingError


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    notification = Notification.objects.visible_to(by).filter(pk=notification.pk).first()
    if notification is None:
        raise GradingError("No such notification.", status_code=404)
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = timezone.now()
        notification.save(update_fields=["is_read", "read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.visible_to(by).filter(is_read=False).update(is_read=True, read_at=timezone.now())
