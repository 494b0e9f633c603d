"""Across processes: a violation posted to one real server process reaches a teacher's socket held by another,
through the real Redis channel layer (channels-redis). Two `daphne` processes on loopback ports serve the test
database; every wait is bounded and the processes are stopped by PID."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from grading.tests.servers import EVENT_TIMEOUT, post_json, running_servers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_servers():
    with running_servers(2) as ports:
        yield ports


def test_violation_posted_to_one_process_reaches_the_board_on_another(two_servers, quiz, teacher, student, in_progress):
    from websockets.asyncio.client import connect

    board_port, student_port = two_servers
    teacher_token = str(AccessToken.for_user(teacher.user))
    student_token = str(AccessToken.for_user(student.user))

    async def scenario():
        url = f"ws://127.0.0.1:{board_port}/ws/quiz-monitor/{quiz.pk}?token={teacher_token}"
        async with connect(url, origin=f"http://127.0.0.1:{board_port}", open_timeout=EVENT_TIMEOUT) as ws:
            first = json.loads(await asyncio.wait_for(ws.recv(), EVENT_TIMEOUT))
            assert first["type"] == "quiz_status" and first["data"]["active_attempts"] == 1
            posted_at = time.monotonic()
            status, body = await asyncio.to_thread(
                post_json,
                f"http://127.0.0.1:{student_port}/api/v1/attempts/{in_progress.pk}/violations",
                {"violation_type": "fullscreen_exit", "question_index": 1},
                student_token,
            )
            assert status == 201, body
            deadline = posted_at + EVENT_TIMEOUT
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
                if message["type"] == "violation":
                    return message, time.monotonic() - posted_at

    message, latency = asyncio.run(scenario())
    print(f"violation: POST sent to one process -> message on the other's socket in {latency * 1000:.0f} ms")
    assert message["data"]["student_name"] == "Alice Johnson"
    assert message["data"]["violation_type"] == "fullscreen_exit"
    assert message["data"]["total_violations"] == 1
    assert latency < 2
