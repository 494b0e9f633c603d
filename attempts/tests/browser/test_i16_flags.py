"""Issue 16 in real Chromium: flag questions for review (mouse and keyboard, at desktop and phone width), the flags
kept on reload, the summary before submitting (answered / not answered / flagged, each a way back, the time left),
jumping back from it and submitting from it."""

import pytest
from playwright.sync_api import expect

from attempts.models import AttemptStatus
from attempts.tests.browser import test_exam_page as exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_flag_review_summary_jump_back_and_submit(browser_as, student, quiz, device):
    options = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    page = browser_as(student, **(options if device == "phone" else {}))
    attempt = exam.open_exam(page, quiz)
    q1, q2, q3 = attempt.question_order[:3]

    page.get_by_label("3/4").check()
    # Question 1 by mouse (or finger), question 3 by keyboard.
    page.locator("#q-0 [data-flag]").click()
    expect(page.locator("#q-0 [data-flag]")).to_have_attribute("aria-pressed", "true")
    exam.go_to(page, 3)
    page.locator("#q-2 [data-flag]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#q-2 [data-flag]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.navq[data-goto="0"]')).to_have_attribute("aria-label", "Question 1, answered, flagged")
    expect(page.locator('.navq[data-goto="2"]')).to_have_attribute("aria-label", "Question 3, not answered, flagged")
    exam.expect_saved(page)
    for _ in range(20):
        attempt.refresh_from_db()
        if len(attempt.review_flags) == 2:
            break
        page.wait_for_timeout(100)
    assert attempt.review_flags == [q1, q3]

    # Unflag question 1, reload: the flags come back from the server.
    exam.go_to(page, 1)
    page.locator("#q-0 [data-flag]").click()
    page.wait_for_timeout(400)
    page.reload()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.locator('.navq[data-goto="2"]')).to_have_class("navq flagged")
    expect(page.locator("#q-0 [data-flag]")).to_have_attribute("aria-pressed", "false")
    attempt.refresh_from_db()
    assert attempt.review_flags == [q3]

    # The summary: every question's state, the time left, a way back to each.
    page.get_by_role("button", name="Submit quiz").click()
    dialog = page.locator("#exam-confirm")
    expect(dialog).to_contain_text("3 questions are not answered")
    expect(dialog).to_contain_text("1 answered, 1 flagged for review")
    expect(dialog).to_contain_text("Time left:")
    rows = dialog.locator("#exam-summary tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Answered")
    expect(rows.nth(2)).to_contain_text("Not answered")
    expect(rows.nth(2)).to_contain_text("Flagged")
    dialog.get_by_role("button", name="Question 3").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#q-2")).to_have_class("exam-q is-current")
    page.locator("#q-2 input[type=text]").fill("1/2")
    exam.expect_saved(page)

    # Submit from the summary, by keyboard.
    page.get_by_role("button", name="Submit quiz").click()
    expect(dialog).to_contain_text("2 questions are not answered")
    dialog.get_by_role("button", name="Submit now").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result-summary")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS
