"""The board page and its socket's close codes, in Debian's Chromium against a real daphne: a refusal (44xx) ends
the live updates with a message and no more reconnects; a dropped network or a restarting server is retried."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as accounts
from grading.tests.test_browser import CHROMIUM, page_as  # noqa: F401 - the fixture: a signed-in page on daphne
from tests.browser import FAKE_WEBSOCKET
from tests.factories import DEFAULT_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="needs Debian's chromium (make browser)"),
]


@pytest.fixture(autouse=True)
def _short_ticks(monkeypatch):
    # Read by the daphne process page_as starts: the board re-checks its sign-in every second.
    monkeypatch.setenv("QUIZ_MONITOR_INTERVAL_SECONDS", "1")


def sockets_opened(page) -> int:
    return page.evaluate("() => window.__sockets.length")


def test_the_board_stops_and_asks_to_sign_in_when_the_session_ends(page_as, teacher, quiz):  # noqa: F811
    from playwright.sync_api import expect

    page = page_as(teacher)
    opened = []
    page.on("websocket", lambda ws: opened.append(ws.url))
    board = reverse("grading:board", args=[quiz.pk])
    page.goto(page.base + board)
    state = page.locator("#conn-state")
    expect(state).to_have_text("live")

    # The password changed elsewhere (another device, a reset): this page's session no longer verifies.
    accounts.password_change(
        user=teacher.user, old_password=DEFAULT_PASSWORD, new_password="n3w-Passw0rd!", confirm_password="n3w-Passw0rd!"
    )
    expect(state).to_contain_text("Your session has ended, sign in again")
    link = state.get_by_role("link", name="sign in again")
    assert link.get_attribute("href") == "/accounts/login/?next=" + board.replace("/", "%2F")
    page.wait_for_timeout(2500)  # longer than the first retry's back-off
    assert len(opened) == 1
    expect(state).to_have_attribute("data-state", "closed")


def test_the_board_retries_drops_and_restarts_but_not_a_refusal(page_as, teacher, quiz):  # noqa: F811
    from playwright.sync_api import expect

    page = page_as(teacher)
    page.add_init_script(FAKE_WEBSOCKET)
    page.goto(page.base + reverse("grading:board", args=[quiz.pk]))
    state = page.locator("#conn-state")
    expect(state).to_have_text("live")
    for n, code in enumerate([1006, 1012, 1011, 4500], start=1):
        page.evaluate(f"() => window.__sockets[{n - 1}].serverClose({code})")
        expect(state).to_have_attribute("data-state", "offline")
        page.wait_for_function(f"() => window.__sockets.length === {n + 1}", timeout=5000)
        expect(state).to_have_text("live")

    page.evaluate("() => window.__sockets[4].serverClose(4403)")
    expect(state).to_have_text("You are not allowed to watch this quiz live.")
    page.wait_for_timeout(2500)
    assert sockets_opened(page) == 5


def test_the_board_says_since_when_it_is_offline_and_applies_progress_in_place(
    page_as,  # noqa: F811
    teacher,
    quiz,
    student,
):
    """Issue 14: a teacher can tell a blip ("reconnecting…") from a board that is no longer live ("offline since
    …"); batched progress moves a student's row without waiting for the next snapshot; each row says whether the
    student's exam page is connected."""
    from playwright.sync_api import expect

    from tests.builders import make_attempt

    attempt = make_attempt(quiz, student, finish=False)
    page = page_as(teacher)
    # Sockets after the first stay "connecting" while window.__hold is set: the server is unreachable.
    page.add_init_script(FAKE_WEBSOCKET.replace("setTimeout(() => {", "setTimeout(() => { if (window.__hold) return;"))
    page.goto(page.base + reverse("grading:board", args=[quiz.pk]))
    state = page.locator("#conn-state")
    expect(state).to_have_text("live")
    row = page.locator(f'tr[data-attempt-id="{attempt.pk}"]')
    expect(row.locator('[data-cell="connection"]')).to_have_text("–")  # its exam page never connected

    progress = {"type": "progress", "data": {"students": [
        {"attempt_id": str(attempt.pk), "current_question": 2, "total_questions": 3}]}}  # fmt: skip
    page.evaluate("(m) => window.__sockets[0].onmessage({data: JSON.stringify(m)})", progress)
    expect(row.locator('[data-cell="question"]')).to_have_text("2 / 3")
    expect(row.locator('[data-cell="last-save"]')).to_have_text("0 s ago")

    page.evaluate("() => { window.__hold = true; window.__sockets[0].serverClose(1006); }")
    expect(state).to_have_text("reconnecting…")
    expect(state).to_contain_text("offline since", timeout=8000)
    expect(state).to_have_attribute("data-state", "offline")
