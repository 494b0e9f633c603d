"""Live events: the one way any service tells an exam board (or a student's exam page) that something happened.

    publish_quiz_event(quiz_id, "violation", {...})           # the teachers' board of the quiz
    publish_attempt_event(attempt_id, "deadline_extended", {...})  # the student's own exam page

The event is sent after the surrounding transaction commits (never for work that rolled back), to a channel layer
group: `quiz_group(quiz_id)` for the board (grading.consumers.QuizMonitorConsumer) and `attempt_group(attempt_id)`
for the student's page (grading.consumers.AttemptConsumer, `ws/attempt/<attempt_id>`). Both consumers forward a
group message {"type": "quiz.event", "event": <event_type>, "data": <data>} to their socket as
{"type": <event_type>, "data": <data>}.

A student's request must never fail or wait long because the channel layer (Redis) is slow or down:
- each send is bounded by SEND_TIMEOUT_SECONDS, and every error is logged and swallowed;
- after a failure the layer is considered down for BACKOFF_SECONDS and sends are skipped at once, so an outage
  that makes every connection attempt time out costs one request half a second, not every autosave of a class.

It works under WSGI (async_to_sync runs its own short-lived loop), under ASGI (sync views run in a worker thread
and async_to_sync hops onto the server's loop) and with the in-memory layer of `make run`. From async code
(a consumer) use `asend_quiz_event` instead.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 0.5
BACKOFF_SECONDS = 5.0

_state_lock = threading.Lock()
_down_until = 0.0  # time.monotonic() before which the layer is treated as unreachable


def quiz_group(quiz_id) -> str:
    return f"quiz_monitor_{quiz_id}"


def attempt_group(attempt_id) -> str:
    return f"attempt_{attempt_id}"


def _layer_marked_down() -> bool:
    return time.monotonic() < _down_until


def _mark_down() -> None:
    global _down_until
    with _state_lock:
        _down_until = time.monotonic() + BACKOFF_SECONDS


def reset_backoff() -> None:
    """Forget an earlier failure (tests, or an operator who knows Redis is back)."""
    global _down_until
    with _state_lock:
        _down_until = 0.0


def _message(event_type: str, data: dict[str, Any]) -> dict:
    return {"type": "quiz.event", "event": event_type, "data": data}


async def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)


def _send_now(group: str, event_type: str, data: dict[str, Any]) -> bool:
    if _layer_marked_down():
        logger.info("live event %s for %s skipped: channel layer recently unreachable", event_type, group)
        return False
    try:
        async_to_sync(_send)(group, _message(event_type, data))
        return True
    except Exception:
        _mark_down()
        logger.warning("live event %s for %s not delivered", event_type, group, exc_info=True)
        return False


def send_quiz_event_now(quiz_id, event_type: str, data: dict[str, Any]) -> bool:
    """Send immediately (no transaction wait). Returns False when the layer could not be reached."""
    return _send_now(quiz_group(quiz_id), event_type, data)


def send_attempt_event_now(attempt_id, event_type: str, data: dict[str, Any]) -> bool:
    return _send_now(attempt_group(attempt_id), event_type, data)


def publish_quiz_event(quiz_id, event_type: str, data: dict[str, Any]) -> None:
    """Queue the event for the quiz's board, sent after commit. Safe to call inside or outside a transaction."""
    transaction.on_commit(lambda: send_quiz_event_now(quiz_id, event_type, data))


def publish_attempt_event(attempt_id, event_type: str, data: dict[str, Any]) -> None:
    """Queue the event for the student's exam page of this attempt, sent after commit."""
    transaction.on_commit(lambda: send_attempt_event_now(attempt_id, event_type, data))


async def asend_quiz_event(quiz_id, event_type: str, data: dict[str, Any]) -> bool:
    """The async twin of send_quiz_event_now for code already on an event loop."""
    if _layer_marked_down():
        return False
    try:
        await _send(quiz_group(quiz_id), _message(event_type, data))
        return True
    except Exception:
        _mark_down()
        logger.warning("live event %s for quiz %s not delivered", event_type, quiz_id, exc_info=True)
        return False
