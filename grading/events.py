"""Live-monitor events: the one way any service tells a quiz's exam board that something happened.

    publish_quiz_event(quiz_id, "violation", {...})

The event is sent after the surrounding transaction commits (never for work that rolled back), to the channel
layer group of the quiz (`quiz_group(quiz_id)`), where the board's consumer forwards it as
{"type": <event_type>, "data": <data>}. A student's request must never fail or wait long because the channel
layer (Redis) is slow or down: sending is bounded by a short timeout and every error is logged and swallowed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 0.5


def quiz_group(quiz_id) -> str:
    return f"quiz_monitor_{quiz_id}"


async def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)


def send_quiz_event_now(quiz_id, event_type: str, data: dict[str, Any]) -> bool:
    """Send immediately (no transaction wait). Returns False when the layer could not be reached."""
    message = {"type": "quiz.event", "event": event_type, "data": data}
    try:
        async_to_sync(_send)(quiz_group(quiz_id), message)
        return True
    except Exception:
        logger.warning("live monitor event %s for quiz %s not delivered", event_type, quiz_id, exc_info=True)
        return False


def publish_quiz_event(quiz_id, event_type: str, data: dict[str, Any]) -> None:
    """Queue the event for after commit. Safe to call inside or outside a transaction."""
    transaction.on_commit(lambda: send_quiz_event_now(quiz_id, event_type, data))
