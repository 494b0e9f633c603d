"""Tasks of the accounts app: thin (STYLE.md), queued on commit by the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import PasswordResetToken

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(token_id: str, code: str) -> bool:
    """Mail a reset code. The code itself is only in this message: the database keeps its hash."""
    token = PasswordResetToken.objects.select_related("user").filter(pk=token_id, is_used=False).first()
    if token is None:
        logger.info("reset code %s no longer valid; e-mail not sent", token_id)
        return False
    context = {"user": token.user, "code": code, "minutes": 15}
    send_mail(
        subject="Your Quizsite password reset code",
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[token.user.email],
    )
    return True
