"""What the accounts app announces to the apps above it (STYLE.md: a lower app never imports upward).

    announce_accommodation_changed(student_id)  # issue 17: a student's accommodations were set or removed

The attempts app connects to `accommodation_changed` in its AppConfig.ready() and moves the deadline of the
student's running attempts. Sent after the transaction that made the change commits; a receiver's failure is logged
and never fails the request that caused it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

accommodation_changed = Signal()  # student_id=...


def announce_accommodation_changed(student_id) -> None:
    def send():
        for receiver, outcome in accommodation_changed.send_robust(sender=None, student_id=student_id):
            if isinstance(outcome, Exception):
                logger.error("%s failed for student %s", receiver, student_id, exc_info=outcome)

    transaction.on_commit(send, robust=True)
