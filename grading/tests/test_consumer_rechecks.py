"""An open socket ends when the sign-in behind it does (issue 13): the board re-checks on each status tick, the
student's attempt socket every SOCKET_RECHECK_SECONDS, that the user is still active and allowed, that the access
token has not expired and still carries the current password's fingerprint (or, for a page's session cookie,
that the session still verifies). Against the real ASGI app, with the intervals shortened."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services as accounts
from accounts.authentication import PASSWORD_CLAIM, password_fingerprint
from quizsite.asgi import application
from tests.builders import make_attempt
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://testserver")]
TICK = 0.2  # seconds between re-checks in these tests
CLOSE_WITHIN = 3  # seconds: a few ticks, with room for a slow shared machine


@pytest.fixture(autouse=True)
def _short_intervals():
    with override_settings(QUIZ_MONITOR_INTERVAL_SECONDS=TICK, SOCKET_RECHECK_SECONDS=TICK):
        yield


def issued_access(user) -> str:
    """An access token as login issues it (with the password fingerprint)."""
    return accounts.tokens_issue(user=getattr(user, "user", user)).access


def short_lived_access(user, seconds: float) -> str:
    user = getattr(user, "user", user)
    token = AccessToken.for_user(user)
    token[PASSWORD_CLAIM] = password_fingerprint(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def open_socket(path, headers=()):
    comm = WebsocketCommunicator(application, path, headers=[*ORIGIN, *headers])
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def closed_with(comm, timeout=CLOSE_WITHIN) -> int | None:
    """The close code the server sends within `timeout` seconds (messages before it are skipped), or None."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (left := end - loop.time()) > 0:
        try:
            output = await comm.receive_output(timeout=left)
        except TimeoutError:
            return None  # (the communicator has stopped the application)
        if output["type"] == "websocket.close":
            return output.get("code")
    await comm.disconnect()
    return None


async def still_streams(comm, ticks=3) -> bool:
    """The board keeps sending statuses for a few ticks (a valid sign-in is not closed by the re-checks)."""
    for _ in range(ticks):
        output = await comm.receive_output(timeout=CLOSE_WITHIN)
        if output["type"] != "websocket.send":
            return False
    return True


def http_status_with(token: str) -> int:
    return Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


async def session_cookie(user) -> tuple[bytes, Client]:
    client = Client()
    await database_sync_to_async(client.force_login)(getattr(user, "user", user))
    return f"sessionid={client.cookies['sessionid'].value}".encode(), client


def change_password(user):
    user = getattr(user, "user", user)
    user.refresh_from_db()
    accounts.password_change(
        user=user,
        old_password=DEFAULT_PASSWORD,
        new_password="a-new-Passw0rd-2026",
        confirm_password="a-new-Passw0rd-2026",
    )


def deactivate(user, by):
    accounts.user_set_active(user=getattr(user, "user", user), by=by, is_active=False)


# --- the board (token) ---------------------------------------------------------------------------------------


async def test_a_board_with_a_valid_token_keeps_streaming(quiz, teacher):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={await database_sync_to_async(issued_access)(teacher)}")
    assert await still_streams(comm, ticks=4)
    await comm.disconnect()


async def test_the_board_closes_after_a_password_change(quiz, teacher):
    token = await database_sync_to_async(issued_access)(teacher)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={token}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"

    await database_sync_to_async(change_password)(teacher)
    assert await database_sync_to_async(http_status_with)(token) == 401  # what HTTP already did
    assert await closed_with(comm) == 4401
    # And the same token cannot open a new one.
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={token}")
    assert await closed_with(comm) == 4401


async def test_the_board_closes_when_the_teacher_is_deactivated(quiz, teacher, admin):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={await database_sync_to_async(issued_access)(teacher)}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    await database_sync_to_async(deactivate)(teacher, admin)
    assert await closed_with(comm) == 4401


async def test_the_board_closes_when_its_token_expires(quiz, teacher):
    token = await database_sync_to_async(short_lived_access)(teacher, 1.5)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={token}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    loop = asyncio.get_running_loop()
    opened = loop.time()
    assert await closed_with(comm, timeout=1.5 + CLOSE_WITHIN) == 4401
    assert loop.time() - opened > 0.5  # closed because it expired, not at once


async def test_an_expired_token_cannot_open_a_socket(quiz, teacher, in_progress, student):
    expired = await database_sync_to_async(short_lived_access)(teacher, -1)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={expired}")
    assert await closed_with(comm) == 4401
    expired = await database_sync_to_async(short_lived_access)(student, -1)
    comm = await open_socket(f"/ws/attempt/{in_progress.pk}?token={expired}")
    assert await closed_with(comm) == 4401


# --- the board page (session cookie) ---------------------------------------------------------------------------


async def test_the_board_page_closes_when_the_session_no_longer_verifies(quiz, teacher):
    """A password change elsewhere (another device, a reset) ends the page's session on its next request; the
    socket it opened ends with it."""
    cookie, _ = await session_cookie(teacher)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?rows=html", [(b"cookie", cookie)])
    assert await still_streams(comm, ticks=2)
    await database_sync_to_async(change_password)(teacher)
    assert await closed_with(comm) == 4401


async def test_the_board_page_closes_after_signing_out(quiz, teacher):
    cookie, client = await session_cookie(teacher)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?rows=html", [(b"cookie", cookie)])
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    await database_sync_to_async(client.logout)()
    assert await closed_with(comm) == 4401


async def test_the_board_page_closes_when_the_teacher_is_deactivated(quiz, teacher, admin):
    cookie, _ = await session_cookie(teacher)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?rows=html", [(b"cookie", cookie)])
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    await database_sync_to_async(deactivate)(teacher, admin)
    assert await closed_with(comm) == 4401


# --- the student's attempt socket ----------------------------------------------------------------------------


@pytest.fixture
def attempt(quiz, student):
    return make_attempt(quiz, student, finish=False)


async def test_a_valid_attempt_socket_stays_open_and_gets_events(attempt, student, teacher):
    from grading import services

    token = await database_sync_to_async(issued_access)(student)
    page = await open_socket(f"/ws/attempt/{attempt.pk}?token={token}")
    assert await page.receive_nothing(timeout=4 * TICK)  # several re-checks, nothing closed
    await database_sync_to_async(services.attempt_extend_time)(attempt=attempt, by=teacher.user, minutes=5)
    assert (await page.receive_json_from(timeout=5))["type"] == "time_extended"
    await page.disconnect()


async def test_the_attempt_socket_closes_after_a_password_change(attempt, student):
    page = await open_socket(f"/ws/attempt/{attempt.pk}?token={await database_sync_to_async(issued_access)(student)}")
    await database_sync_to_async(change_password)(student)
    assert await closed_with(page) == 4401


async def test_the_attempt_socket_closes_when_the_student_is_deactivated(attempt, student, admin):
    page = await open_socket(f"/ws/attempt/{attempt.pk}?token={await database_sync_to_async(issued_access)(student)}")
    await database_sync_to_async(deactivate)(student, admin)
    assert await closed_with(page) == 4401


async def test_the_attempt_socket_closes_when_its_token_expires(attempt, student):
    page = await open_socket(
        f"/ws/attempt/{attempt.pk}?token={await database_sync_to_async(short_lived_access)(student, 1)}"
    )
    assert await closed_with(page, timeout=1 + CLOSE_WITHIN) == 4401


async def test_the_exam_page_socket_closes_when_the_session_no_longer_verifies(attempt, student):
    cookie, _ = await session_cookie(student)
    page = await open_socket(f"/ws/attempt/{attempt.pk}", [(b"cookie", cookie)])
    assert await page.receive_nothing(timeout=3 * TICK)
    await database_sync_to_async(change_password)(student)
    assert await closed_with(page) == 4401


async def test_the_attempt_socket_closes_when_the_attempt_is_gone(attempt, student):
    page = await open_socket(f"/ws/attempt/{attempt.pk}?token={await database_sync_to_async(issued_access)(student)}")
    await database_sync_to_async(type(attempt).objects.filter(pk=attempt.pk).delete)()
    assert await closed_with(page) == 4404


async def test_a_socket_whose_sign_in_cannot_be_checked_is_closed_for_a_retry(quiz, teacher, monkeypatch):
    """Fail closed: if the re-check itself breaks (the database is down), the socket is closed with 4500, which
    clients retry with back-off (and the fresh connect checks everything again), rather than left streaming."""
    from grading import consumers

    async def broken(scope):
        raise ConnectionError("database unavailable")

    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={await database_sync_to_async(issued_access)(teacher)}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    monkeypatch.setattr(consumers, "signed_in_user", broken)
    assert await closed_with(comm) == 4500
