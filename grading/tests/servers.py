"""Real server processes for the grading tests: `daphne` serving quizsite.asgi on loopback ports against the test
database and the real Redis (started and stopped by tests.processes). Every wait is bounded."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request

from tests.processes import Child, child_env, child_processes, needs_shared_services

START_TIMEOUT = 30
EVENT_TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, server: Child) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"daphne on {port} exited: {server.output(2000)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"daphne on {port} did not start within {START_TIMEOUT} s")


@contextlib.contextmanager
def running_servers(count: int):
    needs_shared_services()
    ports: list[int] = []
    while len(ports) < count:
        port = _free_port()
        if port not in ports:
            ports.append(port)
    commands = [["daphne", "-b", "127.0.0.1", "-p", str(port), "quizsite.asgi:application"] for port in ports]
    with child_processes(commands, env=child_env()) as servers:
        for port, server in zip(ports, servers, strict=True):
            _wait_until_up(port, server)
        yield ports


def post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
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
