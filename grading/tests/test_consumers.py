"""The live board's sockets against the real ASGI app (quizsite.asgi.application) and the real channel layer."""

import asyncio
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from attempts import services as attempt_services
from attempts.models import SubmitReason
from grading import services
from quizsite.asgi import application
from tests.builders import make_attempt

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://testserver")]


@pytest.fixture
def submitted_by_a_classmate(quiz, classmates):
    return make_attempt(quiz, classmates(1)[0], essay=None)


def access(user):
    return str(AccessToken.for_user(getattr(user, "user", user)))


async def open_socket(path, headers=()):
    comm = WebsocketCommunicator(application, path, headers=[*ORIGIN, *headers])
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def next_of(comm, kind, timeout=5):
    """The next message of type `kind` (statuses and other events on the way are skipped)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        message = await comm.receive_json_from(timeout=max(0.1, end - loop.time()))
        if message["type"] == kind:
            return message


async def assert_refused(path, code, headers=()):
    comm = await open_socket(path, headers)
    closed = await comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": code}
    await comm.disconnect()


async def test_teacher_with_token_gets_the_status_at_once(quiz, teacher, in_progress, student):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    message = await comm.receive_json_from(timeout=5)
    assert message["type"] == "quiz_status"
    data = message["data"]
    assert data["active_attempts"] == 1 and data["completed_attempts"] == 0
    row = data["students"][0]
    assert row["id"] == str(student.pk) and row["name"] == "Alice Johnson"
    assert row["status"] == "in_progress" and row["total_questions"] == 3
    assert row["progress"] == 100 and row["current_question"] == 3  # three answers saved, the essay last
    assert row["violations"] == 0 and row["time_elapsed_minutes"] == 10
    assert 19 * 60 < row["time_left_seconds"] <= 20 * 60
    assert row["seconds_since_last_save"] is not None
    await comm.disconnect()


async def test_session_cookie_works_for_the_html_page(quiz, teacher):
    client = Client()
    await database_sync_to_async(client.force_login)(teacher.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}", [(b"cookie", cookie)])
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    await comm.disconnect()


async def test_admin_may_watch_any_quiz(quiz, admin):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(admin)}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "quiz_status"
    await comm.disconnect()


async def test_everyone_else_is_closed_with_an_application_close_code(quiz, teacher, admin, other_teacher, student):
    """4401 not signed in (or the token is not a valid access token), 4403 a role that never watches a board,
    4404 no such quiz for this user. Not 1008: daphne refuses to send it and the client sees 1011 and retries."""
    # The quiz's own teacher with a refresh token instead of an access token is refused too.
    refresh = str(await database_sync_to_async(RefreshToken.for_user)(teacher.user))
    with override_settings(SOCKET_AUTH_TIMEOUT_SECONDS=0.5):  # no credential: it may still send a token first
        await assert_refused(f"/ws/quiz-monitor/{quiz.pk}", 4401)
    await assert_refused(f"/ws/quiz-monitor/{quiz.pk}?token=garbage", 4401)
    await assert_refused(f"/ws/quiz-monitor/{quiz.pk}?token={refresh}", 4401)
    await assert_refused(f"/ws/quiz-monitor/{quiz.pk}?token={access(student)}", 4403)
    await assert_refused(f"/ws/quiz-monitor/{quiz.pk}?token={access(other_teacher)}", 4404)
    await assert_refused("/ws/quiz-monitor/00000000-0000-0000-0000-000000000000?token=" + access(admin), 4404)
    await assert_refused("/ws/quiz-monitor/not-a-uuid?token=" + access(admin), 4404)


async def test_status_repeats_on_the_interval(quiz, teacher):
    with override_settings(QUIZ_MONITOR_INTERVAL_SECONDS=0.2):
        comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
        kinds = [(await comm.receive_json_from(timeout=3))["type"] for _ in range(3)]
        assert kinds == ["quiz_status"] * 3
        await comm.disconnect()


async def test_refresh_request_sends_a_status_now(quiz, teacher):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    await comm.receive_json_from(timeout=5)
    await comm.send_json_to({"type": "refresh"})
    assert (await comm.receive_json_from(timeout=2))["type"] == "quiz_status"
    await comm.disconnect()


async def test_events_reach_the_board_as_they_happen(quiz, teacher, student, outsider_student):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    await comm.receive_json_from(timeout=5)

    attempt, created = await database_sync_to_async(attempt_services.attempt_start)(
        quiz=quiz, student=student, by=student.user
    )
    started = await next_of(comm, "attempt_started")
    assert started["data"]["student_name"] == "Alice Johnson" and started["data"]["attempt_id"] == str(attempt.pk)

    await database_sync_to_async(attempt_services.answer_save)(
        attempt=attempt, question_id=quiz.essay.pk, answer_text="my secret essay"
    )
    # Progress travels batched (one `progress` message per quiz per second, the newest per attempt).
    saved = await next_of(comm, "progress")
    assert [s["attempt_id"] for s in saved["data"]["students"]] == [str(attempt.pk)]
    assert saved["data"]["students"][0]["current_question"] == 3
    assert "my secret essay" not in str(saved)  # progress only, never the answer

    await database_sync_to_async(attempt_services.violation_record)(attempt=attempt, violation_type="tab_switch")
    violation = await next_of(comm, "violation")
    assert {k: violation["data"][k] for k in ("student_id", "student_name", "violation_type", "total_violations")} == {
        "student_id": str(student.pk),
        "student_name": "Alice Johnson",
        "violation_type": "tab_switch",
        "total_violations": 1,
    }
    assert violation["data"]["timestamp"]

    await database_sync_to_async(attempt_services.attempt_submit)(attempt=attempt, by=student.user)
    submitted = await next_of(comm, "attempt_submitted")
    assert submitted["data"]["student_name"] == "Alice Johnson"
    assert submitted["data"]["status"] == "pending"  # the essay awaits marks
    assert submitted["data"]["submitted_at"] and "score" in submitted["data"]
    await comm.disconnect()


async def test_another_quiz_events_do_not_leak(quiz, teacher, other_teacher, outsider_student):
    from tests.factories import QuizFactory

    other_quiz = await database_sync_to_async(QuizFactory)(created_by=other_teacher)
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    await comm.receive_json_from(timeout=5)
    from quizsite.live import send_quiz_event_now

    await database_sync_to_async(send_quiz_event_now)(other_quiz.pk, "violation", {"student_name": "Oscar"})
    assert await comm.receive_nothing(timeout=0.5)
    await comm.disconnect()


async def test_teacher_actions_reach_the_students_page_and_the_board(quiz, teacher, student, outsider_student):
    attempt = await database_sync_to_async(make_attempt)(quiz, student, finish=False)
    await assert_refused(f"/ws/attempt/{attempt.pk}?token={access(outsider_student)}", 4404)
    await assert_refused(f"/ws/attempt/{attempt.pk}?token={access(teacher)}", 4403)
    with override_settings(SOCKET_AUTH_TIMEOUT_SECONDS=0.5):
        await assert_refused(f"/ws/attempt/{attempt.pk}", 4401)
    page = await open_socket(f"/ws/attempt/{attempt.pk}?token={access(student)}")
    board = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    await board.receive_json_from(timeout=5)

    await database_sync_to_async(services.attempt_extend_time)(attempt=attempt, by=teacher.user, minutes=10)
    extended = await page.receive_json_from(timeout=5)
    assert extended["type"] == "time_extended" and extended["data"]["minutes"] == 10
    assert 29 * 60 < extended["data"]["seconds_remaining"] <= 30 * 60
    assert (await next_of(board, "time_extended"))["data"]["attempt_id"] == str(attempt.pk)

    await database_sync_to_async(services.attempt_force_submit)(attempt=attempt, by=teacher.user)
    forced = await next_of(page, "attempt_force_submitted")
    assert forced["data"]["attempt_id"] == str(attempt.pk)
    assert (await next_of(board, "attempt_submitted"))["data"]["reason"] == SubmitReason.TEACHER

    await database_sync_to_async(services.attempt_reinstate)(
        attempt=attempt, by=teacher.user, reason="Fire alarm", minutes=5
    )
    back = await next_of(page, "attempt_reinstated")
    assert back["data"]["status"] == "in_progress" and back["data"]["reason"] == "Fire alarm"
    await page.disconnect()
    await board.disconnect()


async def test_a_burst_of_events_is_not_dropped(quiz):
    """A whole class reporting at once while the board is busy: the channel layer's capacity
    (CHANNEL_LAYER_CAPACITY, above channels' default of 100) keeps every event queued for it. A channel that
    nobody reads during the burst stands for the slow board."""
    from channels.layers import get_channel_layer

    from quizsite.live import quiz_group, send_quiz_event_now

    layer = get_channel_layer()
    board = await layer.new_channel()
    await layer.group_add(quiz_group(quiz.pk), board)

    def burst():
        return sum(send_quiz_event_now(quiz.pk, "answer_saved", {"n": i}) for i in range(400))

    assert await database_sync_to_async(burst)() == 400
    received = [(await asyncio.wait_for(layer.receive(board), 5))["data"]["n"] for _ in range(400)]
    assert sorted(received) == list(range(400))
    await layer.group_discard(quiz_group(quiz.pk), board)


class _LayerDownAtFirst:
    """An in-memory layer whose first group_add fails, as when Redis is down while a teacher opens the board."""

    def __new__(cls):
        from channels.layers import InMemoryChannelLayer

        class Layer(InMemoryChannelLayer):
            failures = 1

            async def group_add(self, group, channel):
                if Layer.failures:
                    Layer.failures -= 1
                    raise ConnectionError("Redis is down")
                return await super().group_add(group, channel)

        return Layer


async def test_a_board_opened_while_redis_was_down_gets_pushes_once_it_is_back(quiz, teacher, in_progress):
    from channels.layers import channel_layers

    from grading.consumers import QuizMonitorConsumer
    from quizsite.live import asend_quiz_event

    layer_class = _LayerDownAtFirst()
    channel_layers.backends.clear()
    try:
        with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}):
            channel_layers.backends["default"] = layer_class()
            QuizMonitorConsumer.status_interval = 0.2
            comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
            await next_of(comm, "quiz_status")
            await next_of(comm, "quiz_status")  # a tick later the consumer has joined the group
            assert await asend_quiz_event(quiz.pk, "violation", {"student_name": "Alice"})
            message = await next_of(comm, "violation")
            assert message["data"]["student_name"] == "Alice"
            await comm.disconnect()
    finally:
        QuizMonitorConsumer.status_interval = None
        channel_layers.backends.clear()


def _rows_without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html).strip()


async def test_the_board_page_socket_pushes_the_rows_the_page_painted(
    quiz, teacher, in_progress, submitted_by_a_classmate, monkeypatch
):
    """One renderer for a board row: the page's first paint and every live update are the same template, so a
    row reads the same before and after an update (here with the clock held still, so even the seconds agree)."""
    from django.utils import timezone

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    client = Client()
    await database_sync_to_async(client.force_login)(teacher.user)
    page = (await database_sync_to_async(client.get)(f"/grading/quizzes/{quiz.pk}/board/")).content.decode()
    painted = re.search(r'<tbody id="board-rows">(.*?)</tbody>', page, re.S).group(1)
    assert "Alice Johnson" in painted and "Submit now" in painted and "Grade</a>" in painted

    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?rows=html", [(b"cookie", cookie)])
    pushed = await next_of(comm, "quiz_status")
    assert _rows_without_tokens(pushed["html"]) == _rows_without_tokens(painted)
    assert 'data-confirm="Submit Alice Johnson\'s attempt now?"' in pushed["html"]
    await comm.disconnect()

    # The SPA's socket gets the data alone, its numbers rendered as the API renders them.
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    message = await next_of(comm, "quiz_status")
    assert "html" not in message
    finished = next(r for r in message["data"]["students"] if r["attempt_id"] == str(submitted_by_a_classmate.pk))
    assert finished["score"] == 5.0 and isinstance(finished["score"], float)
    await comm.disconnect()


async def test_a_graded_attempt_reaches_the_board_with_its_score_as_a_float(quiz, teacher, submitted):
    comm = await open_socket(f"/ws/quiz-monitor/{quiz.pk}?token={access(teacher)}")
    await comm.receive_json_from(timeout=5)
    essay = await database_sync_to_async(submitted.answers.get)(question=quiz.essay)
    await database_sync_to_async(services.attempt_grade)(
        attempt=submitted, by=teacher.user, grades=[{"answer_id": essay.pk, "marks_awarded": 10}]
    )
    graded = await next_of(comm, "attempt_graded")
    assert graded["data"]["score"] == 15.0 and isinstance(graded["data"]["score"], float)
    await comm.disconnect()
