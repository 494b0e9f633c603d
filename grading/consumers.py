"""Channels consumers of the grading app.

QuizMonitorConsumer, `ws/quiz-monitor/<quiz_id>` (guide 5.11): the teacher's live exam board. Authenticated by
quizsite.ws_auth (`?token=<access token>` or the session cookie); only the quiz's teacher or an admin, anyone else
is closed with 1008 (policy violation). On connect and every `status_interval` seconds it sends
{"type": "quiz_status", "data": ...}; events published with quizsite.live.publish_quiz_event are forwarded as
{"type": <event>, "data": ...} as they happen. The client may send {"type": "refresh"} for an immediate status.

AttemptConsumer, `ws/attempt/<attempt_id>`: the student's own exam page listens here for what a teacher does to
their attempt (`time_extended`, `attempt_force_submitted`, `attempt_reinstated`, see grading.services). Only the
attempt's student; anyone else is closed with 1008.

The board page opens its socket with `?rows=html`: its `quiz_status` messages then also carry "html", the table's
rows rendered by templates/grading/_board_rows.html, the same template that painted the page, so a row looks the
same before and after a live update (the row is written once, not once in a template and again in JavaScript).

Both stay thin: authentication and scoping in connect() through the models' scoped managers
(Quiz.objects.manageable_by, QuizAttempt.objects.for_student), data from grading.selectors.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.template.loader import render_to_string

from attempts.models import QuizAttempt
from grading.api.serializers import BoardStatusSerializer
from grading.selectors import quiz_monitor_status
from quizsite.live import SEND_TIMEOUT_SECONDS, attempt_group, quiz_group
from quizzes.models import Quiz

logger = logging.getLogger(__name__)

POLICY_VIOLATION = 1008


class _GroupConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    def _route_id(self, name: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.scope["url_route"]["kwargs"][name]))
        except ValueError:
            return None

    async def _refuse(self) -> None:
        # Accept first so the client sees the close code (a refused handshake is only an HTTP 403 to a browser).
        await self.accept()
        await self.close(code=POLICY_VIOLATION)

    async def _join(self, group: str) -> None:
        self.group_name = group
        try:
            await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), timeout=2)
        except Exception:
            # Redis down: the board still gets its periodic status from the database, only pushes are lost.
            logger.warning("could not join channel group %s; live pushes unavailable", group, exc_info=True)
            self.group_name = None

    async def disconnect(self, code):
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


@database_sync_to_async
def _status_message(quiz, *, with_rows: bool) -> dict:
    status = quiz_monitor_status(quiz)
    message = {"type": "quiz_status", "data": BoardStatusSerializer(status).data}
    if with_rows:
        message["html"] = board_rows_html(status)
    return message


class QuizMonitorConsumer(_GroupConsumer):
    status_interval: float | None = None  # seconds; None means settings.QUIZ_MONITOR_INTERVAL_SECONDS or 5

    def _interval(self) -> float:
        if self.status_interval is not None:
            return self.status_interval
        return float(getattr(settings, "QUIZ_MONITOR_INTERVAL_SECONDS", 5))

    async def connect(self):
        self.quiz = None
        self._ticker = None
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.with_rows = query.get("rows") == ["html"]
        quiz_id = self._route_id("quiz_id")
        quiz = await _monitorable_quiz(self.scope.get("user"), quiz_id) if quiz_id else None
        if quiz is None:
            return await self._refuse()
        self.quiz = quiz
        await self._join(quiz_group(quiz.pk))
        await self.accept()
        await self.send_status()
        self._ticker = asyncio.create_task(self._tick())

    async def _tick(self):
        try:
            while True:
                await asyncio.sleep(self._interval())
                if self.group_name is None and self.quiz is not None:
                    # Joined while Redis was down: try again, or this socket would get only the snapshots and
                    # never another pushed event after Redis is back (found by the fault drills).
                    await self._join(quiz_group(self.quiz.pk))
                await self.send_status()
        except asyncio.CancelledError:
            pass
        except Exception:
            logger.exception("quiz monitor status loop stopped for quiz %s", getattr(self.quiz, "pk", None))

    async def send_status(self):
        await self.send_json(await _status_message(self.quiz, with_rows=self.with_rows))

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "refresh" and self.quiz is not None:
            await self.send_status()

    async def disconnect(self, code):
        ticker = getattr(self, "_ticker", None)
        if ticker is not None:
            ticker.cancel()
        await super().disconnect(code)


@database_sync_to_async
def _own_attempt(user, attempt_id):
    return QuizAttempt.objects.for_student(user).filter(pk=attempt_id).only("pk").first()


class AttemptConsumer(_GroupConsumer):
    async def connect(self):
        attempt_id = self._route_id("attempt_id")
        attempt = await _own_attempt(self.scope.get("user"), attempt_id) if attempt_id else None
        if attempt is None:
            return await self._refuse()
        await self._join(attempt_group(attempt.pk))
        await self.accept()

    async def receive_json(self, content, **kwargs):
        return None  # the page only listens
