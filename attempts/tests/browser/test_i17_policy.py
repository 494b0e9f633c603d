"""Issue 17 in a real browser: a blip under the tolerance is not counted, a long focus loss is, the explanation box
after a flag, and an accommodated student's timer shows the longer time."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.services import accommodation_set
from attempts.models import QuizAttempt, Violation
from attempts.tests.browser.test_exam_page import open_exam
from quizzes.models import ViolationAction
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def away(page, ms):
    """Leave the tab for `ms` milliseconds and come back (what the page sees of it)."""
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
          document.dispatchEvent(new Event('visibilitychange'));
          window.dispatchEvent(new Event('blur'));
        }"""
    )
    page.wait_for_timeout(ms)
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
          document.dispatchEvent(new Event('visibilitychange'));
          window.dispatchEvent(new Event('focus'));
        }"""
    )


@pytest.fixture
def flag_quiz(teacher, school_class):
    return make_quiz(
        teacher,
        school_class,
        violation_action=ViolationAction.FLAG,
        violation_tolerance_seconds=Decimal("2"),
        violation_threshold=1,
    )


def wait_for_violations(attempt, n):
    for _ in range(50):
        if Violation.objects.filter(attempt=attempt).count() >= n:
            return list(Violation.objects.filter(attempt=attempt).order_by("detected_at"))
        import time

        time.sleep(0.1)
    raise AssertionError(f"{n} violation(s) never arrived")


def test_a_blip_is_not_counted_a_long_loss_is_and_the_student_can_explain(browser_as, student, flag_quiz):
    page = browser_as(student)
    attempt = open_exam(page, flag_quiz)
    page.wait_for_timeout(1100)  # past the moment of entering fullscreen

    away(page, 300)  # a notification's blip
    [blip] = wait_for_violations(attempt, 1)
    assert blip.counted is False and 250 <= blip.duration_ms < 2000
    expect(page.locator("#exam-banner")).to_be_hidden()  # no warning for a blip
    expect(page.locator("#exam-explain")).to_be_hidden()

    away(page, 2300)  # leaving the quiz
    _, long = wait_for_violations(attempt, 2)
    assert long.counted is True and long.duration_ms >= 2000
    expect(page.locator("#exam-banner")).to_contain_text("Recorded for your teacher")
    expect(page.locator("#exam-banner")).not_to_contain_text(" of 1")  # no countdown when the action is a flag
    attempt.refresh_from_db()
    assert attempt.flagged_at is not None and attempt.total_violations == 1

    box = page.locator("#exam-explain")
    expect(box).to_be_visible()
    expect(page.locator("#exam-body")).to_be_visible()  # the exam goes on
    page.get_by_label("Your explanation").fill("My phone rang and I put it away.")
    box.get_by_role("button", name="Send to my teacher").click()
    expect(page.locator("#exam-explain-status")).to_have_text("Sent to your teacher.")
    attempt.refresh_from_db()
    assert attempt.violation_explanation == "My phone rang and I put it away."


def test_an_accommodated_students_timer_shows_the_longer_time(browser_as, student, teacher, school_class):
    quiz = make_quiz(teacher, school_class, time_limit_minutes=30, end_date=None)
    accommodation_set(student=student, by=teacher.user, reason="IEP", time_multiplier=2)
    page = browser_as(student)
    page.goto(f"/attempts/quiz/{quiz.pk}/")
    expect(page.locator(".facts")).to_contain_text("60 minutes")
    open_exam_page = page.get_by_role("button", name="Start quiz")
    open_exam_page.click()
    timer = page.locator("#exam-timer")
    expect(timer).to_have_text(re.compile(r"^(1:00:00|59:[0-5]\d)$"))
    attempt = QuizAttempt.objects.get()
    assert 59 * 60 < attempt.seconds_remaining() <= 60 * 60


def test_a_save_refused_by_the_network_rule_says_why_and_keeps_the_answer(browser_as, student, teacher, school_class):
    from django.core.cache import cache

    from quizzes.models import Quiz

    quiz = make_quiz(teacher, school_class, allowed_networks=["127.0.0.0/8", "::1/128"])
    page = browser_as(student)
    attempt = open_exam(page, quiz)
    # The teacher narrows the rule to another network; the save path's cached copy expires.
    Quiz.objects.filter(pk=quiz.pk).update(allowed_networks=["192.0.2.0/24"])
    cache.clear()
    page.get_by_label("3/4").check()
    expect(page.locator("#exam-banner")).to_contain_text("school's network")
    expect(page.locator("#exam-banner")).to_contain_text("kept on this device")
    stored = page.evaluate("() => window.ExamPage.outbox.size()")
    assert stored == 1
    assert not attempt.answers.exists()
