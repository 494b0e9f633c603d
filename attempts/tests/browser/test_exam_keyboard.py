"""The exam page for a keyboard user, and the intro page after the back button: tabbing through the exam is never
a violation (focus stays inside the exam), and going back from the exam shows the attempt in progress, not a
stale copy of the intro from the browser's cache."""

import os

import pytest
from django.test import Client
from playwright.sync_api import expect

from attempts.models import QuizAttempt
from attempts.tests.browser import test_exam_page as exam
from attempts.tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium_with_bfcache():
    """Chromium as people run it: Playwright turns the back/forward cache off by default, the bug lives there."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--disable-back-forward-cache"]
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def student_page_with_bfcache(chromium_with_bfcache, live_server, student):
    client = Client()
    client.force_login(student.user)
    context = chromium_with_bfcache.new_context(base_url=live_server.url)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_back_from_the_exam_shows_the_attempt_in_progress(student_page_with_bfcache, quiz):
    page = student_page_with_bfcache
    response = page.goto(f"/attempts/quiz/{quiz.pk}/")
    assert "no-store" in response.headers["cache-control"]
    expect(page.get_by_text("0 of 1 used")).to_be_visible()
    page.get_by_role("button", name="Start quiz").click()
    page.get_by_role("button", name="Start in fullscreen").click()
    page.get_by_label("3/4").check()
    exam.expect_saved(page)

    page.go_back(wait_until="commit")  # a page restored from the back/forward cache fires no load event
    assert page.url.endswith(f"/attempts/quiz/{quiz.pk}/")
    expect(page.get_by_role("link", name="Resume quiz")).to_be_visible()
    expect(page.get_by_role("button", name="Start quiz")).to_have_count(0)
    expect(page.get_by_text("1 of 1 used")).to_be_visible()
    page.get_by_role("link", name="Resume quiz").click()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.get_by_label("3/4")).to_be_checked()
    assert QuizAttempt.objects.filter(quiz=quiz).count() == 1
