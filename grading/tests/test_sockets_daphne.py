"""The close codes as a real client sees them through daphne (`make run`): daphne sends only 1000 and 3000-4999
from an application, so a refusal with 1008 reached the browser as 1011 with a traceback in the log, and the board
reconnected forever. One daphne process on a loopback port against the test database; every wait is bounded."""

from __future__ import annotations

import asyncio

import pytest

from accounts import services as accounts
from grading.tests.servers import EVENT_TIMEOUT, running_servers
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("QUIZ_MONITOR_INTERVAL_SECONDS", "1")
    with running_servers(1) as ports:
        yield ports[0]


def close_code_of(port: int, path: str, *, then=None) -> int | None:
    """The close code a client gets on `path` (after calling `then()` once the first message came, if given), or
    None if the socket is still open after EVENT_TIMEOUT seconds."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async def scenario():
        url = f"ws://127.0.0.1:{port}{path}"
        async with connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=EVENT_TIMEOUT) as ws:
            try:
                if then is not None:
                    await asyncio.wait_for(ws.recv(), EVENT_TIMEOUT)
                    await asyncio.to_thread(then)
                async with asyncio.timeout(EVENT_TIMEOUT):
                    while True:
                        await ws.recv()
            except TimeoutError:
                return None
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else closed.sent.code

    return asyncio.run(scenario())


def test_refusals_reach_the_client_with_their_code(server, quiz, teacher, student, other_teacher):
    token = accounts.tokens_issue
    assert close_code_of(server, f"/ws/quiz-monitor/{quiz.pk}?token=garbage") == 4401
    assert close_code_of(server, f"/ws/quiz-monitor/{quiz.pk}?token={token(user=student.user).access}") == 4403
    assert close_code_of(server, f"/ws/quiz-monitor/{quiz.pk}?token={token(user=other_teacher.user).access}") == 4404


def test_a_board_open_through_daphne_ends_with_4401_when_the_password_changes(server, quiz, teacher):
    def change_password():
        accounts.password_change(
            user=teacher.user,
            old_password=DEFAULT_PASSWORD,
            new_password="n3w-Passw0rd!",
            confirm_password="n3w-Passw0rd!",
        )

    access = accounts.tokens_issue(user=teacher.user).access
    assert close_code_of(server, f"/ws/quiz-monitor/{quiz.pk}?token={access}", then=change_password) == 4401
