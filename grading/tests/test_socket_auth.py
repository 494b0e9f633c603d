"""Sockets the SPA can open (issue 14), through the real ASGI app (quizsite.asgi.application): the origins the API
trusts for CORS as well as the site's own; cookies only from the site's own pages; a token client without Origin;
the token in the first message instead of the URL; a silent unauthenticated socket closed with 4401."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from quizsite.asgi import application

from .test_consumers import access, next_of

pytestmark = pytest.mark.django_db(transaction=True)

SPA = "https://spa.example.com"
SITE = "http://testserver"


def headers(origin=None, cookie=None):
    out = []
    if origin:
        out.append((b"origin", origin.encode()))
    if cookie:
        out.append((b"cookie", cookie.encode()))
    return out


async def connect(path, origin=None, cookie=None):
    comm = WebsocketCommunicator(application, path, headers=headers(origin, cookie))
    connected, _ = await comm.connect(timeout=5)
    return comm, connected


async def session_cookie(user):
    client = Client()
    await database_sync_to_async(client.force_login)(user.user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def closed_with(comm, timeout=5):
    return await comm.receive_output(timeout=timeout)


@override_settings(CORS_ALLOWED_ORIGINS=[SPA])
async def test_a_socket_from_a_cors_origin_with_a_token_is_accepted(quiz, teacher):
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}", origin=SPA)
    assert connected
    assert (await next_of(comm, "quiz_status"))["data"]["quiz_id"] == str(quiz.pk)
    await comm.disconnect()


@override_settings(CORS_ALLOWED_ORIGINS=[SPA])
async def test_a_foreign_origin_is_refused_at_the_handshake_even_with_the_teachers_cookie(quiz, teacher):
    cookie = await session_cookie(teacher)
    for origin in ("https://evil.example.net", "http://spa.example.com", "https://spa.example.com:8443", "null"):
        comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=origin, cookie=cookie)
        assert not connected, origin
    # The same cookie from the site's own page opens it (the check is about the origin, not the cookie).
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=SITE, cookie=cookie)
    assert connected and (await next_of(comm, "quiz_status"))
    await comm.disconnect()


@override_settings(CORS_ALLOWED_ORIGINS=[SPA], SOCKET_AUTH_TIMEOUT_SECONDS=0.5)
async def test_cookies_count_only_from_the_sites_own_pages(quiz, teacher):
    """From a CORS origin or without Origin, the cookie is ignored (the API does not trust those with cookies
    either): the socket is treated as unauthenticated and closed with 4401 once its wait for a token is over."""
    cookie = await session_cookie(teacher)
    for origin in (SPA, None):
        comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=origin, cookie=cookie)
        assert connected
        assert await closed_with(comm) == {"type": "websocket.close", "code": 4401}


async def test_a_token_client_without_origin_is_accepted(quiz, teacher, in_progress, student):
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    assert connected
    assert (await next_of(comm, "quiz_status"))["data"]["active_attempts"] == 1
    await comm.disconnect()
    page, connected = await connect(f"/ws/attempt/{in_progress.pk}?token={access(student)}")
    assert connected and await page.receive_nothing(timeout=0.3)
    await page.disconnect()


@override_settings(CORS_ALLOWED_ORIGINS=[SPA])
async def test_first_message_auth_opens_the_board(quiz, teacher):
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=SPA)
    assert connected
    assert await comm.receive_nothing(timeout=0.2)  # nothing is said before the token
    await comm.send_json_to({"type": "auth", "token": access(teacher)})
    assert (await next_of(comm, "quiz_status"))["data"]["quiz_id"] == str(quiz.pk)
    await comm.send_json_to({"type": "refresh"})
    assert (await next_of(comm, "quiz_status"))["type"] == "quiz_status"
    await comm.disconnect()


async def test_first_message_auth_still_checks_who_may_watch(quiz, other_teacher, student, in_progress):
    comm, _ = await connect(f"/ws/quiz-monitor/{quiz.pk}")
    await comm.send_json_to({"type": "auth", "token": access(other_teacher)})
    assert await closed_with(comm) == {"type": "websocket.close", "code": 4404}
    comm, _ = await connect(f"/ws/quiz-monitor/{quiz.pk}")
    await comm.send_json_to({"type": "auth", "token": access(student)})
    assert await closed_with(comm) == {"type": "websocket.close", "code": 4403}
    # The student's own exam page may authenticate the same way.
    page, _ = await connect(f"/ws/attempt/{in_progress.pk}", origin=SITE)
    await page.send_json_to({"type": "auth", "token": access(student)})
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


@pytest.mark.parametrize(
    "first",
    [
        {"type": "refresh"},
        {"type": "auth", "token": "garbage"},
        {"type": "auth"},
        {"type": "auth", "token": 12},
        ["auth"],
        "not json",
    ],
)
async def test_a_wrong_first_message_is_refused_with_4401(quiz, teacher, first):
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=SITE)
    assert connected
    if first == "not json":
        await comm.send_to(text_data="{not json")
    else:
        await comm.send_json_to(first)
    assert await closed_with(comm) == {"type": "websocket.close", "code": 4401}


async def test_a_refresh_token_in_the_first_message_is_refused(quiz, teacher):
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = str(await database_sync_to_async(RefreshToken.for_user)(teacher.user))
    comm, _ = await connect(f"/ws/quiz-monitor/{quiz.pk}")
    await comm.send_json_to({"type": "auth", "token": refresh})
    assert await closed_with(comm) == {"type": "websocket.close", "code": 4401}


@override_settings(SOCKET_AUTH_TIMEOUT_SECONDS=1)
async def test_a_silent_unauthenticated_socket_is_closed_after_a_few_seconds(quiz):
    loop = asyncio.get_running_loop()
    comm, connected = await connect(f"/ws/quiz-monitor/{quiz.pk}", origin=SITE)
    assert connected
    opened = loop.time()
    assert await closed_with(comm, timeout=5) == {"type": "websocket.close", "code": 4401}
    assert 0.8 <= loop.time() - opened < 3
