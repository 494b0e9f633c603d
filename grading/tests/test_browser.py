"""What only a browser shows: the live board updating itself from its socket, and the grading page's keyboard
navigation. Debian's Chromium driven by Playwright against a real daphne process."""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken

from attempts.models import AttemptStatus, StudentAnswer, SubmitReason
from grading.tests.servers import post_json, running_servers
from tests.browser import CHROMIUM
from tests.builders import make_attempt

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (make browser)"),
]


@pytest.fixture
def page_as(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_servers(1) as ports, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        base = f"http://127.0.0.1:{ports[0]}"

        def open_as(user, javascript=True):
            client = Client()
            client.force_login(user.user)
            # A phone.
            context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.base = base
            return page

        try:
            yield open_as
        finally:
            browser.close()


def test_the_board_updates_itself_when_a_student_trips_a_detector(page_as, teacher, student, quiz, in_progress):
    from playwright.sync_api import expect

    page = page_as(teacher)
    page.goto(page.base + reverse("grading:board", args=[quiz.pk]))
    expect(page.locator("#conn-state")).to_have_text("live")
    expect(page.locator("#count-active")).to_have_text("1")

    status, _ = post_json(
        f"{page.base}/api/v1/attempts/{in_progress.pk}/violations",
        {"violation_type": "fullscreen_exit"},
        str(AccessToken.for_user(student.user)),
    )
    assert status == 201
    expect(page.locator("#violation-feed")).to_contain_text("Alice Johnson: Left fullscreen (1 in total)")
    row = page.locator(f'tr[data-student-id="{student.pk}"]')
    expect(row.locator('td[data-label="Violations"]')).to_have_text("1")

    # A row action from the rebuilt table: submit the attempt now.
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Submit now").click()
    expect(page.locator(".messages")).to_contain_text("attempt was submitted")
    in_progress.refresh_from_db()
    assert in_progress.status == AttemptStatus.AUTO_SUBMITTED and in_progress.submit_reason == "teacher"


def test_a_board_row_reads_the_same_before_and_after_a_live_update(page_as, teacher, quiz, in_progress, classmates):
    """The page's first paint (seen here without JavaScript) and the rows the socket pushes are one renderer: each
    row reads the same, but for the numbers the clock moves (time left, last save)."""
    from playwright.sync_api import expect

    make_attempt(quiz, classmates(1)[0], reason=SubmitReason.DEADLINE)  # a row offering Reinstate and Grade
    board = reverse("grading:board", args=[quiz.pk])
    painted = page_as(teacher, javascript=False)
    painted.goto(painted.base + board)
    before = painted.locator("#board-rows tr").all_inner_texts()
    live = page_as(teacher)
    live.goto(live.base + board)
    expect(live.locator("#board-rows[data-generated-at]")).to_have_count(1)  # a live update has replaced the rows
    after = live.locator("#board-rows tr").all_inner_texts()

    def shape(rows):
        return [re.sub(r"\d+", "#", " ".join(row.split())) for row in rows]

    assert any("Submit now" in row for row in before) and any("Reinstate" in row for row in before)
    assert shape(after) == shape(before)


def test_grading_with_the_keyboard_only(page_as, teacher, quiz, submitted, classmates):
    from playwright.sync_api import expect

    following = make_attempt(quiz, classmates(1)[0])
    essay = StudentAnswer.objects.get(attempt=submitted, question=quiz.essay)
    short = StudentAnswer.objects.get(attempt=submitted, question=quiz.short)
    page = page_as(teacher)
    page.goto(page.base + reverse("grading:attempt", args=[submitted.pk]))
    # The first answer awaiting marks has the focus.
    expect(page.locator(f"#id_marks_{essay.pk}")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(f"#id_marks_{short.pk}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#id_marks_{essay.pk}")).to_be_focused()
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    page.keyboard.type("Clear, but CO2 is missing")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**{reverse('grading:attempt', args=[following.pk])}")
    essay.refresh_from_db()
    assert essay.marks_awarded == 7 and essay.feedback == "Clear, but CO2 is missing"
