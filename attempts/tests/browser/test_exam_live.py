"""The exam page's live socket (static/js/exam/live.js, ws/attempt/<id>) and the close codes of
grading.consumers: a dropped network or a restarting server is retried; a refusal is not, and when the sign-in
has ended (4401) the student is told to sign in again, with their answers kept on the device. The browser's
WebSocket is a stand-in here (the live_server speaks no WebSocket), so the test decides how each socket closes."""

from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from attempts.models import AttemptStatus, QuizAttempt
from attempts.tests.browser.test_exam_page import open_exam
from tests.browser import FAKE_WEBSOCKET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_RETRY_MS = 4000  # at most: live.js backs off from 2 s, doubled (less a little jitter) before the first retry


def sockets_opened(page) -> int:
    return page.evaluate("() => window.__sockets.length")


def test_the_exam_socket_retries_a_drop_but_not_an_ended_session(browser_as, student, quiz):
    page = browser_as(student)
    page.add_init_script(FAKE_WEBSOCKET)
    attempt = open_exam(page, quiz)
    page.wait_for_function("() => window.__sockets.length === 1")
    assert page.evaluate("() => window.__sockets[0].url").endswith(f"/ws/attempt/{attempt.pk}")

    page.evaluate("() => window.__sockets[0].serverClose(1006)")  # the network dropped
    page.wait_for_function("() => window.__sockets.length === 2", timeout=FIRST_RETRY_MS + 5000)

    page.evaluate("() => window.__sockets[1].serverClose(4401)")  # the password changed, or the account ended
    banner = page.locator("#exam-banner")
    expect(banner).to_contain_text("Your session has ended, sign in again")
    link = banner.get_by_role("link", name="sign in again")
    here = urlsplit(page.url).path  # back to this exam page after signing in
    assert link.get_attribute("href") == "/accounts/login/?next=" + quote(here, safe="")
    page.wait_for_timeout(FIRST_RETRY_MS + 1000)
    assert sockets_opened(page) == 2
    # The exam itself goes on: nothing was submitted or ended by the socket closing.
    expect(page.locator("#exam-ended")).to_be_hidden()
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS


def test_the_exam_socket_gives_up_quietly_when_refused(browser_as, student, quiz):
    page = browser_as(student)
    page.add_init_script(FAKE_WEBSOCKET)
    open_exam(page, quiz)
    page.wait_for_function("() => window.__sockets.length === 1")
    page.evaluate("() => window.__sockets[0].serverClose(4404)")
    page.wait_for_timeout(FIRST_RETRY_MS + 1000)
    assert sockets_opened(page) == 1
    expect(page.locator("#exam-banner")).to_be_hidden()  # the live channel is optional: the exam page says nothing
