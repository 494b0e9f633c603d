"""Live events: the one way any service tells an exam board (or a student's exam page) that something happened.

    publish_quiz_event(quiz_id, "violation", {...})           # the teachers' board of the quiz
    publish_attempt_event(attempt_id, "deadline_extended", {...})  # the student's own exam page

The event is sent after the surrounding transaction commits (never for work that rolled back), to a channel layer
group: `quiz_group(quiz_id)` for the board (grading.consumers.QuizMonitorConsumer) and `attempt_group(attempt_id)`
for the student's page (grading.consumers.AttemptConsumer, `ws/attempt/<attempt_id>`). Both consumers forward a
group message {"type": "quiz.event", "event": <event_type>, "data": <data>} to their socket as
{"type": <event_type>, "data": <data>}.

A student's request must never fail or wait long because the channel layer (Redis) is slow or down:
- with a network channel layer (Redis), `publish_*` hands the event to one long-lived background thread per
  process that owns an event loop and the layer's connections. The request thread only appends to a bounded
  queue and returns: no event loop is created per send (that cost ~4 ms of every autosave under WSGI), no
  connection is opened per send, and when the queue is full (Redis stalled) the event is dropped and logged, never
  waited for. Up to CONCURRENT_SENDS go out at once; events about one attempt keep their order;
- each send is bounded by SEND_TIMEOUT_SECONDS, and every error is logged and swallowed;
- after a failure that layer is considered down for BACKOFF_SECONDS and its sends are skipped at once, so an
  outage that makes every connection attempt time out costs half a second of the background thread, not every
  autosave of a class.

Two lanes (issue 14). Urgent events (a violation, a start, a submit, a teacher's action) go to the quiz's group
one by one, as they happen. Progress (`answer_saved`, one per autosave: ~200/s at 1,000 students) does not: each
process keeps the latest progress per attempt and sends it once per PROGRESS_FLUSH_SECONDS as ONE group message
per quiz ({"type": "quiz.progress", "students": [...]}), which the board forwards as one `progress` message. So an
urgent event never waits behind a queue of progress, the socket process handles a few messages a second instead
of one per save, and a student who saved three times in a second is reported once, with the newest position.

Presence: the student's exam-page socket (grading.consumers.AttemptConsumer) records when it was last heard from
(`mark_seen`); the board reads it for every attempt in one cache round trip (`seen_many`) and shows each
student's connection state and heartbeat age.

The in-memory layer of `make run` and of tests is bound to one process and loop, so there (and in
`send_*_now`, which report whether the send worked) the event is sent synchronously: async_to_sync runs a short
loop under WSGI, or hops onto the server's loop under ASGI. From async code (a consumer) use `asend_quiz_event`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 0.5
BACKOFF_SECONDS = 5.0
# Events waiting for the background sender of one process. At ~1 ms a send this is seconds of backlog; beyond it
# Redis is not keeping up and an old "answer_saved" is worth less than the request that would wait for it.
QUEUE_LIMIT = 5000
CONCURRENT_SENDS = 32
PROGRESS_FLUSH_SECONDS = 1.0
PROGRESS_EVENTS = frozenset({"answer_saved"})

_state_lock = threading.Lock()
_down_until: dict[str, float] = {}  # layer key -> time.monotonic() before which it is treated as unreachable


def quiz_group(quiz_id) -> str:
    return f"quiz_monitor_{quiz_id}"


def attempt_group(attempt_id) -> str:
    return f"attempt_{attempt_id}"


def _layer_key(layer) -> str:
    # The back-off belongs to one Redis, not to the process: a test that points a layer at a dead port must not
    # silence the real layer used a moment later.
    return f"{type(layer).__name__}:{getattr(layer, 'hosts', '')}"


def _layer_marked_down(layer=None) -> bool:
    if layer is None:
        layer = get_channel_layer()
    return time.monotonic() < _down_until.get(_layer_key(layer), 0.0)


def _mark_down(layer) -> None:
    with _state_lock:
        _down_until[_layer_key(layer)] = time.monotonic() + BACKOFF_SECONDS


def reset_backoff() -> None:
    """Forget earlier failures (tests, or an operator who knows Redis is back)."""
    with _state_lock:
        _down_until.clear()


def _message(event_type: str, data: dict[str, Any]) -> dict:
    return {"type": "quiz.event", "event": event_type, "data": data}


def _progress_message(students: list[dict]) -> dict:
    return {"type": "quiz.progress", "students": students}


async def _send_on(layer, group: str, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)


def _send_now(group: str, event_type: str, data: dict[str, Any]) -> bool:
    return _send_message_now(group, _message(event_type, data))


def _send_message_now(group: str, message: dict) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    kind = message.get("event") or message["type"]
    if _layer_marked_down(layer):
        logger.info("live event %s for %s skipped: channel layer recently unreachable", kind, group)
        return False
    try:
        async_to_sync(_send_on)(layer, group, message)
        return True
    except Exception:
        _mark_down(layer)
        logger.warning("live event %s for %s not delivered", kind, group, exc_info=True)
        return False


class _BackgroundSender:
    """One daemon thread with its own event loop; sends queued events one after another."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.pending = 0
        self.dropped = 0
        self.lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue | None = None
        # group -> {attempt_id: latest progress}; swapped out and sent once per PROGRESS_FLUSH_SECONDS.
        self.progress: dict[str, dict[str, dict]] = {}
        self.progress_layer = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), name="live-events", daemon=True)
        self.thread.start()
        ready.wait(5)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue = asyncio.Queue()
        ready.set()
        self.loop.create_task(self._flush_progress_forever())
        self.loop.run_until_complete(self._drain_forever())

    async def _flush_progress_forever(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_FLUSH_SECONDS)
            with self.lock:
                batches, self.progress = self.progress, {}
                layer = self.progress_layer
            for group, students in batches.items():
                # Through the ordinary queue: the same in-flight limit and failure handling as any event.
                self._enqueue(layer, group, _progress_message(list(students.values())))

    def add_progress(self, layer, group: str, data: dict) -> None:
        """Keep the newest progress of this attempt; sent with the others of its quiz at the next flush."""
        with self.lock:
            self.progress_layer = layer
            self.progress.setdefault(group, {})[str(data.get("attempt_id"))] = data

    async def _drain_forever(self) -> None:
        # Up to CONCURRENT_SENDS sends in flight: a busy server process hands this thread the GIL only now and
        # then, and one send at a time (three Redis round trips, each waiting for the GIL) fell behind the saves
        # of a class. Events about one attempt (or of a group without attempt_id) still go out in order.
        slots = asyncio.Semaphore(CONCURRENT_SENDS)
        tails: dict[tuple, asyncio.Task] = {}
        while True:
            layer, group, message = await self.queue.get()
            await slots.acquire()
            key = (group, (message.get("data") or {}).get("attempt_id"))
            task = asyncio.ensure_future(self._deliver(layer, group, message, tails.get(key), slots))
            tails[key] = task
            task.add_done_callback(lambda t, k=key: tails.pop(k, None) if tails.get(k) is t else None)

    async def _deliver(self, layer, group: str, message: dict, previous, slots: asyncio.Semaphore) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            if not _layer_marked_down(layer):
                await _send_on(layer, group, message)
        except Exception:
            _mark_down(layer)
            logger.warning("live event %s for %s not delivered", message.get("event"), group, exc_info=True)
        finally:
            slots.release()
            with self.lock:
                self.pending -= 1
                if self.pending == 0:
                    self.idle.set()

    def _enqueue(self, layer, group: str, message: dict) -> bool:
        return self.submit(layer, group, message)

    def submit(self, layer, group: str, message: dict) -> bool:
        with self.lock:
            if self.pending >= QUEUE_LIMIT:
                self.dropped += 1
                dropped = self.dropped
                accepted = False
            else:
                self.pending += 1
                self.idle.clear()
                accepted = True
        if not accepted:
            if dropped == 1 or dropped % 1000 == 0:
                logger.warning("live event queue full (%s waiting): %s events dropped so far", QUEUE_LIMIT, dropped)
            return False
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (layer, group, message))
        return True


_sender: _BackgroundSender | None = None
_sender_lock = threading.Lock()


def _background_sender() -> _BackgroundSender:
    global _sender
    sender = _sender
    # A forked child (Celery prefork, a pre-loading server) inherits the object but not the thread: start anew.
    if sender is None or sender.pid != os.getpid() or not sender.thread.is_alive():
        with _sender_lock:
            if _sender is None or _sender.pid != os.getpid() or not _sender.thread.is_alive():
                _sender = _BackgroundSender()
            sender = _sender
    return sender


def wait_until_sent(timeout: float = 5.0) -> bool:
    """Block until this process has no live event waiting (tests, benchmarks, shutdown). True if drained."""
    sender = _sender
    if sender is None or sender.pid != os.getpid():
        return True
    end = time.monotonic() + timeout
    while sender.progress and time.monotonic() < end:  # progress waits for its next flush
        time.sleep(0.05)
    return sender.idle.wait(max(0.0, end - time.monotonic()))


def _publish(group: str, event_type: str, data: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    progress = event_type in PROGRESS_EVENTS
    if isinstance(layer, InMemoryChannelLayer):
        # One process, one loop (make run, tests): no batching to wait for.
        _send_message_now(group, _progress_message([data]) if progress else _message(event_type, data))
        return
    if _layer_marked_down(layer):
        logger.info("live event %s for %s skipped: channel layer recently unreachable", event_type, group)
        return
    if progress:
        _background_sender().add_progress(layer, group, data)
    else:
        _background_sender().submit(layer, group, _message(event_type, data))


def send_quiz_event_now(quiz_id, event_type: str, data: dict[str, Any]) -> bool:
    """Send immediately (no transaction wait). Returns False when the layer could not be reached."""
    return _send_now(quiz_group(quiz_id), event_type, data)


def send_attempt_event_now(attempt_id, event_type: str, data: dict[str, Any]) -> bool:
    return _send_now(attempt_group(attempt_id), event_type, data)


def publish_quiz_event(quiz_id, event_type: str, data: dict[str, Any]) -> None:
    """Queue the event for the quiz's board, sent after commit. Safe to call inside or outside a transaction."""
    transaction.on_commit(lambda: _publish(quiz_group(quiz_id), event_type, data))


def publish_attempt_event(attempt_id, event_type: str, data: dict[str, Any]) -> None:
    """Queue the event for the student's exam page of this attempt, sent after commit."""
    transaction.on_commit(lambda: _publish(attempt_group(attempt_id), event_type, data))


async def asend_quiz_event(quiz_id, event_type: str, data: dict[str, Any]) -> bool:
    """The async twin of send_quiz_event_now for code already on an event loop."""
    layer = get_channel_layer()
    if layer is None or _layer_marked_down(layer):
        return False
    try:
        await _send_on(layer, quiz_group(quiz_id), _message(event_type, data))
        return True
    except Exception:
        _mark_down(layer)
        logger.warning("live event %s for quiz %s not delivered", event_type, quiz_id, exc_info=True)
        return False


# --- Presence: when each student's exam page was last heard from (issue 14) -------------------------------------
PRESENCE_TTL_SECONDS = 6 * 3600


def _presence_key(quiz_id, attempt_id) -> str:
    return f"live:seen:{quiz_id}:{attempt_id}"


def mark_seen(quiz_id, attempt_id, *, online: bool, at: float | None = None) -> None:
    """The exam page's socket of this attempt is open (heard from now) or has closed (offline since now)."""
    from django.core.cache import cache

    try:
        cache.set(_presence_key(quiz_id, attempt_id), (bool(online), at or time.time()), PRESENCE_TTL_SECONDS)
    except Exception:  # Redis down: the board shows no connection state, nothing else is affected
        logger.info("presence of %s not recorded", attempt_id, exc_info=True)


def seen_many(quiz_id, attempt_ids) -> dict[str, tuple[bool, float]]:
    """{attempt_id: (online, when)} for the attempts whose page was ever heard from: one cache round trip."""
    from django.core.cache import cache

    keys = {_presence_key(quiz_id, a): str(a) for a in attempt_ids}
    if not keys:
        return {}
    try:
        found = cache.get_many(list(keys))
    except Exception:
        logger.info("presence of quiz %s unavailable", quiz_id, exc_info=True)
        return {}
    return {keys[k]: tuple(v) for k, v in found.items()}
