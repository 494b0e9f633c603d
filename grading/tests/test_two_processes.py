"""Across processes: a violation posted to one real server process reaches a teacher's socket held by another,
through the real Redis channel layer (channels-redis). Two `daphne` processes on loopback ports serve the test
database; every wait is bounded and the processes are stopped by PID."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db(transaction=True)

START_TIMEOUT = 30
EVENT_TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict  # NAME is the test database while tests run
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(port: int, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise AssertionError(f"daphne on {port} exited: {log.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"daphne on {port} did not start within {START_TIMEOUT} s")


@pytest.fixture
def two_servers():
    if not getattr(settings, "REDIS_URL", None) or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL (channels-redis) and PostgreSQL shared by separate processes")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "0",  # no idle connection left behind for the test database teardown
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
    }
    procs, logs, ports = [], [], []
    try:
        for _ in range(2):
            port = _free_port()
            log = tempfile.TemporaryFile(mode="w+")
            proc = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "quizsite.asgi:application"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            logs.append(log)
            ports.append(port)
        for port, proc, log in zip(ports, procs, logs, strict=True):
            _wait_until_up(port, proc, log)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for log in logs:
            log.close()


def _post(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=EVENT_TIMEOUT) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


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
            status, body = await asyncio.to_thread(
                _post,
                f"http://127.0.0.1:{student_port}/api/v1/attempts/{in_progress.pk}/violations",
                {"violation_type": "fullscreen_exit", "question_index": 1},
                student_token,
            )
            assert status == 201, body
            posted_at = time.monotonic()
            deadline = posted_at + EVENT_TIMEOUT
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
                if message["type"] == "violation":
                    return message, time.monotonic() - posted_at

    message, latency = asyncio.run(scenario())
    print(f"violation reached the other process's socket in {latency * 1000:.0f} ms")
    assert message["data"]["student_name"] == "Alice Johnson"
    assert message["data"]["violation_type"] == "fullscreen_exit"
    assert message["data"]["total_violations"] == 1
    assert latency < 2
