"""Channels consumers of the grading app.

QuizMonitorConsumer, `ws/quiz-monitor/<quiz_id>` (guide 5.11): the teacher's live exam board. Authenticated by
quizsite.ws_auth (`?token=<access token>`, the session cookie from the site's own pages, or, on a socket opened
without either, a first message {"type": "auth", "token": ...} within SOCKET_AUTH_TIMEOUT_SECONDS, else 4401);
only the quiz's teacher or an admin. On connect and
every `status_interval` seconds it sends {"type": "quiz_status", "data": ...}; events published with
quizsite.live.publish_quiz_event are forwarded as {"type": <event>, "data": ...} as they happen. The client may send
{"type": "refresh"} for an immediate status.

At scale (issue 14): the status is built once per quiz per second and shared by every socket of every process
(`shared_status`: this process's sockets share one build; processes share it through the cache), with the
selector's fixed three queries, and ticks fall on the wall clock's multiples of the interval so they coincide.
Urgent events (violation, start, submit, teacher actions) are sent at once and in order; autosave progress
arrives batched from the publishing processes (quizsite.live: at most one message per quiz per second per process,
the newest per attempt) and goes out as {"type": "progress", "data": {"students": [...]}}. Each socket has a
BoardOutbox: urgent first, progress merged, and a fresh snapshot instead of progress that waited too long.
The student's attempt socket records its presence (quizsite.live.mark_seen) for the board's connection column.

AttemptConsumer, `ws/attempt/<attempt_id>`: the student's own exam page listens here for what a teacher does to
their attempt (`time_extended`, `attempt_force_submitted`, `attempt_reinstated`, see grading.services). Only the
attempt's student.

The board page opens its socket with `?rows=html`: its `quiz_status` messages then also carry "html", the table's
rows rendered by templates/grading/_board_rows.html, the same template that painted the page, so a row looks the
same before and after a live update (the row is written once, not once in a template and again in JavaScript).

A socket outlives the request that opened it, so each one checks again what connect() checked: the board on each
status tick, the attempt socket every SOCKET_RECHECK_SECONDS (30 by default). The sign-in is checked as a new
request would check it (quizsite.ws_auth.signed_in_user: token expiry and password fingerprint, or the session's
auth hash; the account still active) and the quiz or attempt is loaded again through the scoped managers
(Quiz.objects.manageable_by, QuizAttempt.objects.for_student). The first check that fails closes the socket.

Close codes (application codes: daphne refuses to send 1008, and the client would see 1011 and retry):
    4401  not signed in, or the sign-in no longer holds (token expired or invalid, password changed, account
          deactivated, signed out): sign in again; the SPA refreshes its access token and reconnects with it
    4403  signed in, but this kind of account never uses this socket (a student on a board, staff on an attempt)
    4404  no such quiz or attempt for this user (another teacher's quiz, another student's attempt, a bad id)
    4500  the server could not check (e.g. the database is unavailable): reconnect with back-off
A client stops retrying on 4401/4403/4404 and retries on anything else (1006 network drop, 1011/1012 restarts, 4500).

Both stay thin: who may do what comes from the models' scoped managers and quizsite.ws_auth, data from
grading.selectors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from accounts.models import active_user
from attempts.models import QuizAttempt
from grading.api.serializers import BoardStatusSerializer
from grading.selectors import quiz_monitor_status
from quizsite.live import SEND_TIMEOUT_SECONDS, attempt_group, mark_seen, quiz_group
from quizsite.ws_auth import TOKEN_SCOPE_KEY, presented_credentials, signed_in_user, user_from_access_token
from quizzes.models import Quiz

logger = logging.getLogger(__name__)

NOT_AUTHENTICATED = 4401
NOT_ALLOWED = 4403
NOT_FOUND = 4404
CHECK_FAILED = 4500


class _GroupConsumer(AsyncJsonWebsocketConsumer):
    """One object (a quiz, an attempt) loaded through a scoped manager, its group joined, and a loop that re-checks
    the sign-in and the object every `interval()` seconds. Subclasses say which object and what a tick sends, by
    defining `interval() -> float`, `role_allowed(user) -> bool`, `async load(user, pk)` (the object through the
    scoped manager, or None) and `group_for(obj) -> str`; `opened()` and `tick()` are optional."""

    route_kwarg: str
    group_name: str | None = None
    obj = None

    async def opened(self) -> None:
        """Sent once the socket is accepted."""

    async def tick(self) -> None:
        """Sent after each successful re-check."""

    def _route_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.scope["url_route"]["kwargs"][self.route_kwarg]))
        except ValueError:
            return None

    async def _admit(self, user) -> int | None:
        """Load the object for `user`: None if the socket may be (or stay) open, else the close code."""
        user = active_user(user)
        if user is None:
            return NOT_AUTHENTICATED
        if not self.role_allowed(user):
            return NOT_ALLOWED
        pk = self._route_id()
        obj = await self.load(user, pk) if pk is not None else None
        if obj is None:
            return NOT_FOUND
        self.obj = obj
        return None

    async def connect(self):
        self._loop = None
        self._auth_wait = None
        self._accepted = False
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False) and not presented_credentials(self.scope):
            # No credential at all: the client may send {"type": "auth", "token": ...} first (quizsite.ws_auth).
            await self._accept()
            self._auth_wait = asyncio.create_task(self._close_if_silent())
            return
        await self._open(user)

    async def _accept(self):
        if not self._accepted:
            self._accepted = True
            await self.accept()

    async def _open(self, user):
        code = await self._admit(user)
        if code is not None:
            # Accept first so the client sees the close code (a refused handshake is only an HTTP 403 to a browser).
            await self._accept()
            return await self.close(code=code)
        await self._join(self.group_for(self.obj))
        await self._accept()
        await self.opened()
        self._loop = asyncio.create_task(self._run())

    async def _close_if_silent(self):
        await asyncio.sleep(float(getattr(settings, "SOCKET_AUTH_TIMEOUT_SECONDS", 5)))
        self._auth_wait = None
        await self.close(code=NOT_AUTHENTICATED)

    async def _first_message(self, content) -> None:
        """The first message of a socket opened without credentials: {"type": "auth", "token": <access token>}."""
        wait, self._auth_wait = self._auth_wait, None
        wait.cancel()
        token = content.get("token") if isinstance(content, dict) and content.get("type") == "auth" else None
        user = await user_from_access_token(token)
        if not user.is_authenticated:
            return await self.close(code=NOT_AUTHENTICATED)
        # From now on the socket is a token socket: the re-checks check this token (quizsite.ws_auth).
        self.scope["user"] = user
        self.scope[TOKEN_SCOPE_KEY] = token
        await self._open(user)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = await self.decode_json(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if self._auth_wait is not None:
            return await self._first_message(content)
        if self.obj is not None and isinstance(content, dict):
            await self.receive_json(content)

    async def _run(self):
        while True:
            await asyncio.sleep(self.interval())
            try:
                code = await self._admit(await signed_in_user(self.scope))
                if code is None:
                    if self.group_name is None:
                        # Joined while Redis was down: try again, or this socket would never get another pushed
                        # event after Redis is back (found by the fault drills).
                        await self._join(self.group_for(self.obj))
                    await self.tick()
            except Exception:
                # Fail closed: a socket whose sign-in cannot be checked is not left open. The client reconnects.
                logger.exception("%s could not re-check %s", type(self).__name__, getattr(self.obj, "pk", None))
                code = CHECK_FAILED
            if code is not None:
                await self.close(code=code)
                return

    async def _join(self, group: str) -> None:
        self.group_name = group
        try:
            await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), timeout=2)
        except Exception:
            # Redis down: the board still gets its periodic status from the database, only pushes are lost.
            logger.warning("could not join channel group %s; live pushes unavailable", group, exc_info=True)
            self.group_name = None

    async def disconnect(self, code):
        for task in (getattr(self, "_loop", None), getattr(self, "_auth_wait", None)):
            if task is not None:
                task.cancel()
        if self.group_name:
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_discard(self.group_name, self.channel_name), timeout=SEND_TIMEOUT_SECONDS
                )
            except Exception:
                logger.info("group_discard failed for %s", self.group_name, exc_info=True)

    async def quiz_event(self, message):
        await self.send_json({"type": message["event"], "data": message.get("data", {})})


@database_sync_to_async
def _monitorable_quiz(user, quiz_id):
    return Quiz.objects.manageable_by(user).filter(pk=quiz_id).first()


def board_rows_html(status) -> str:
    """The board's table rows, as the page paints them first (templates/grading/board.html includes the same)."""
    return render_to_string("grading/_board_rows.html", {"status": status})


# --- The board's shared snapshot and per-socket outbox (issue 14) ------------------------------------------------
SNAPSHOT_TTL_SECONDS = 10
BUILD_WAIT_SECONDS = 1.5  # how long a process waits for another process's build of the same snapshot
BEHIND_SECONDS = 2.0  # progress older than this when its turn comes: the socket gets a fresh snapshot instead
URGENT_LIMIT = 5000  # undelivered urgent events before a socket is treated as dead (closed: it reconnects)

_local_snapshots: dict[str, asyncio.Future] = {}  # this process: one build (or fetch) per key, shared


def _snapshot_key(quiz_id, with_rows: bool, second: int) -> str:
    return f"board:snap:{quiz_id}:{'html' if with_rows else 'data'}:{second}"


def build_status_text(quiz, *, with_rows: bool) -> str:
    """The `quiz_status` message, JSON-encoded once for every socket that sends it: three queries (the
    selector's) and one cache read for presence, whatever the class size or the number of sockets."""
    status = quiz_monitor_status(quiz)
    message = {"type": "quiz_status", "data": BoardStatusSerializer(status).data}
    if with_rows:
        message["html"] = board_rows_html(status)
    return json.dumps(message, cls=DjangoJSONEncoder)


@database_sync_to_async
def _cached_or_lock(key: str) -> tuple[str | None, bool]:
    try:
        hit = cache.get(key)
        return hit, hit is None and cache.add(f"{key}:lock", 1, SNAPSHOT_TTL_SECONDS)
    except Exception:  # cache (Redis) down: every process builds its own, as before
        return None, True


@database_sync_to_async
def _cached(key: str) -> str | None:
    try:
        return cache.get(key)
    except Exception:
        return None


@database_sync_to_async
def _build_and_share(quiz, with_rows: bool, key: str) -> str:
    text = build_status_text(quiz, with_rows=with_rows)
    try:
        cache.set(key, text, SNAPSHOT_TTL_SECONDS)
    except Exception:
        logger.info("board snapshot %s not shared", key, exc_info=True)
    return text


async def _fetch_or_build(quiz, with_rows: bool, key: str) -> str:
    text, mine = await _cached_or_lock(key)
    if text is not None:
        return text
    if not mine:  # another process is building this second's snapshot: take theirs
        loop = asyncio.get_running_loop()
        end = loop.time() + BUILD_WAIT_SECONDS
        while loop.time() < end:
            await asyncio.sleep(0.05)
            text = await _cached(key)
            if text is not None:
                return text
    return await _build_and_share(quiz, with_rows, key)


async def shared_status(quiz, *, with_rows: bool) -> str:
    """This second's `quiz_status` of the quiz, JSON text: built once per quiz per second across every socket of
    every process (this process shares one build between its sockets; processes share it through the cache)."""
    second = int(time.time())
    key = _snapshot_key(quiz.pk, with_rows, second)
    future = _local_snapshots.get(key)
    stale = future is not None and (
        future.get_loop() is not asyncio.get_running_loop() or (future.done() and future.exception() is not None)
    )
    if future is None or stale:
        for old in [k for k in _local_snapshots if int(k.rsplit(":", 1)[1]) < second - 1]:
            del _local_snapshots[old]
        future = _local_snapshots[key] = asyncio.ensure_future(_fetch_or_build(quiz, with_rows, key))
    return await asyncio.shield(future)


class BoardOutbox:
    """What one board socket has yet to receive. Urgent events go first, in order, never dropped or merged; a
    snapshot replaces any older snapshot and the progress it covers; progress merges per attempt (the newest
    wins). A socket whose progress has waited BEHIND_SECONDS (a slow client, a busy process) gets a fresh
    snapshot instead of a replay of stale progress. The channel layer's handlers only put here and return, so a
    slow socket never holds up the others or the urgent lane."""

    def __init__(self, send_text, fresh_status, on_overflow):
        self.send_text = send_text
        self.fresh_status = fresh_status
        self.on_overflow = on_overflow
        self.urgent: deque[str] = deque()
        self.snapshot: str | None = None
        self.progress: dict[str, dict] = {}
        self.progress_since = 0.0
        self.wake = asyncio.Event()
        self.task = asyncio.ensure_future(self._run())

    def put_urgent(self, message: dict) -> None:
        if len(self.urgent) >= URGENT_LIMIT:
            self.on_overflow()
            return
        self.urgent.append(json.dumps(message, cls=DjangoJSONEncoder))
        self.wake.set()

    def put_snapshot(self, text: str) -> None:
        self.snapshot = text
        self.progress.clear()
        self.wake.set()

    def put_progress(self, students: list[dict]) -> None:
        if not self.progress:
            self.progress_since = time.monotonic()
        for row in students:
            self.progress[str(row.get("attempt_id"))] = row
        self.wake.set()

    async def _next(self) -> str | None:
        if self.urgent:
            return self.urgent.popleft()
        if self.snapshot is not None:
            text, self.snapshot = self.snapshot, None
            return text
        if self.progress:
            behind = time.monotonic() - self.progress_since > BEHIND_SECONDS
            students, self.progress = list(self.progress.values()), {}
            if behind:
                return await self.fresh_status()
            return json.dumps({"type": "progress", "data": {"students": students}}, cls=DjangoJSONEncoder)
        return None

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while (text := await self._next()) is not None:
                await self.send_text(text)

    def close(self) -> None:
        self.task.cancel()


class QuizMonitorConsumer(_GroupConsumer):
    route_kwarg = "quiz_id"
    status_interval: float | None = None  # seconds; None means settings.QUIZ_MONITOR_INTERVAL_SECONDS or 5
    outbox: BoardOutbox | None = None

    def interval(self) -> float:
        if self.status_interval is not None:
            period = self.status_interval
        else:
            period = float(getattr(settings, "QUIZ_MONITOR_INTERVAL_SECONDS", 5))
        # Ticks on the wall clock's multiples of the period: every socket of every process asks for the same
        # second's snapshot, so it is built once.
        return period - (time.time() % period) + 0.01

    def role_allowed(self, user) -> bool:
        return user.is_teacher_or_admin

    async def load(self, user, pk):
        return await _monitorable_quiz(user, pk)

    def group_for(self, obj) -> str:
        return quiz_group(obj.pk)

    async def connect(self):
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.with_rows = query.get("rows") == ["html"]
        await super().connect()

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def _fresh_status(self) -> str:
        return await shared_status(self.obj, with_rows=self.with_rows)

    def _overflow(self) -> None:
        logger.warning("board socket for quiz %s fell too far behind; closing it", self.obj.pk)
        asyncio.ensure_future(self.close(code=CHECK_FAILED))

    async def opened(self):
        self.outbox = BoardOutbox(self._send_text, self._fresh_status, self._overflow)
        await self.send_status()

    async def tick(self):
        await self.send_status()

    async def send_status(self):
        self.outbox.put_snapshot(await self._fresh_status())

    async def quiz_event(self, message):
        if self.outbox is not None:
            self.outbox.put_urgent({"type": message["event"], "data": message.get("data", {})})

    async def quiz_progress(self, message):
        if self.outbox is not None:
            self.outbox.put_progress(message.get("students") or [])

    async def disconnect(self, code):
        if self.outbox is not None:
            self.outbox.close()
        await super().disconnect(code)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "refresh":
            await self.send_status()


@database_sync_to_async
def _own_attempt(user, attempt_id):
    return QuizAttempt.objects.for_student(user).filter(pk=attempt_id).only("pk", "quiz_id").first()


_mark_seen = database_sync_to_async(mark_seen)


class AttemptConsumer(_GroupConsumer):
    route_kwarg = "attempt_id"

    def interval(self) -> float:
        # A little earlier than the setting, at random: a class whose sockets all reconnected together after a
        # restart does not re-check in lockstep.
        return float(settings.SOCKET_RECHECK_SECONDS) * random.uniform(0.8, 1.0)

    def role_allowed(self, user) -> bool:
        return user.is_student

    async def load(self, user, pk):
        return await _own_attempt(user, pk)

    def group_for(self, obj) -> str:
        return attempt_group(obj.pk)

    # Presence for the board (heartbeat age): heard from when opened and at every re-check; offline when closed.
    async def opened(self):
        await _mark_seen(self.obj.quiz_id, self.obj.pk, online=True)

    async def tick(self):
        await _mark_seen(self.obj.quiz_id, self.obj.pk, online=True)

    async def disconnect(self, code):
        await super().disconnect(code)
        if self.obj is not None and getattr(self, "_loop", None) is not None:
            await _mark_seen(self.obj.quiz_id, self.obj.pk, online=False)

    async def receive_json(self, content, **kwargs):
        return None  # the page only listens
