"""Issue 15 in real Chromium: a student answers each new type by mouse, by touch at phone width and by keyboard
only; the answers autosave, survive a reload (even one before the debounce sent them), are marked on submit and
show in the review with the key."""

import pytest
from playwright.sync_api import expect

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from tests.builders import new_types_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLANETS = ["Mercury", "Venus", "Earth", "Mars"]


@pytest.fixture
def quiz(teacher, school_class):
    return new_types_quiz(teacher, school_class, show_answers_after_submission=True)


def open_exam(page, quiz):
    page.goto(f"/attempts/quiz/{quiz.pk}/")
    page.get_by_role("button", name="Start quiz").click()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.locator("#exam-gate")).to_be_hidden()
    return QuizAttempt.objects.get(quiz=quiz)


def expect_saved(page):
    expect(page.locator("#exam-save")).to_have_attribute("data-state", "saved", timeout=10_000)


def shown_order(page):
    return page.locator("#q-3 li[data-item]").evaluate_all("els => els.map(e => e.getAttribute('data-item'))")


def stored(attempt):
    return {a.question.type: a for a in StudentAnswer.objects.filter(attempt=attempt).select_related("question")}


def press(page, target, *, tap):
    target.tap() if tap else target.click()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_answer_each_new_type_reload_and_review(browser_as, student, quiz, device):
    phone = device == "phone"
    options = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True} if phone else {}
    page = browser_as(student, **options)
    refused = []  # anything the Content-Security-Policy blocks (KaTeX's script, styles or fonts) is a bug
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    attempt = open_exam(page, quiz)
    # The formula in the numeric question is typeset by the vendored KaTeX (the server's MathML stays as its
    # accessible twin).
    expect(page.locator("#q-1 .q-text .math[data-typeset] .katex")).to_have_count(1)

    # Multiple response: 2, 3 and 5 are prime.
    for label in ("2", "3", "5"):
        press(page, page.locator("#q-0 label.opt", has_text=label).first, tap=phone)
    press(page, page.locator("#exam-next"), tap=phone)
    page.locator("#q-1 input.numeric-input").fill("9,81")
    press(page, page.locator("#exam-next"), tap=phone)
    page.locator('#q-2 select[data-prompt="0"]').select_option("water")
    page.locator('#q-2 select[data-prompt="1"]').select_option("salt")
    press(page, page.locator("#exam-next"), tap=phone)
    for i, want in enumerate(PLANETS):  # Move up until each item is in its place
        while shown_order(page).index(want) > i:
            press(page, page.locator(f'#q-3 li[data-item="{want}"] button[data-move="-1"]'), tap=phone)
    assert shown_order(page) == PLANETS
    expect(page.locator("#q-3 [data-order-status]")).to_contain_text("is now number")
    press(page, page.locator("#exam-next"), tap=phone)
    page.locator('#q-4 input[data-blank="1"]').fill("100")
    expect_saved(page)
    if phone:  # nothing wider than the phone's screen
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    answers = stored(attempt)
    assert answers["multiple_response"].answer_text == "[0,1,3]"
    assert answers["numeric"].answer_text == "9,81"
    assert answers["ordering"].answer_text == '["Mercury","Venus","Earth","Mars"]'

    # The second blank typed and the page reloaded at once: the outbox restores it and sends it.
    page.locator('#q-4 input[data-blank="2"]').fill("zero")
    page.reload()
    page.get_by_role("button", name="Start in fullscreen").click()
    expect(page.locator('#q-4 input[data-blank="2"]')).to_have_value("zero")
    expect(page.locator('#q-4 input[data-blank="1"]')).to_have_value("100")
    expect(page.locator('#q-2 select[data-prompt="1"]')).to_have_value("salt")
    expect(page.locator("#q-0 input[data-choice][value='3']")).to_be_checked()
    assert shown_order(page) == PLANETS
    expect(page.locator('.navq[data-goto="3"]')).to_have_class("navq answered")
    expect_saved(page)
    assert stored(attempt)["cloze"].answer_text == '{"1":"100","2":"zero"}'

    press(page, page.get_by_role("button", name="Submit quiz"), tap=phone)
    press(page, page.get_by_role("button", name="Submit now"), tap=phone)
    expect(page.locator("#result-summary")).to_contain_text("15 / 15")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 15
    review = page.locator("ol.review")
    expect(review).to_contain_text("Mercury → Venus → Earth → Mars")
    expect(review).to_contain_text("H₂O → water; NaCl → salt")
    expect(review).to_contain_text("9.81 ± 0.01 m/s²")
    expect(review.locator(".cloze-given").first).to_have_text("100")
    expect(review.locator("li.chosen.correct")).to_have_count(3)
    assert not refused, refused


def test_keyboard_only(browser_as, student, quiz):
    page = browser_as(student)
    page.goto(f"/attempts/quiz/{quiz.pk}/")
    page.get_by_role("button", name="Start quiz").click()
    expect(page.get_by_role("button", name="Start in fullscreen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#exam-gate")).to_be_hidden()
    attempt = QuizAttempt.objects.get(quiz=quiz)
    key = page.keyboard

    def tab(times=1, *, shift=False):
        for _ in range(times):
            key.press("Shift+Tab" if shift else "Tab")

    # Multiple response: the first checkbox has the focus.
    key.press("Space")  # 2
    tab()
    key.press("Space")  # 3
    tab(2)
    key.press("Space")  # 5
    tab(2)  # past "6"; Previous is disabled on the first question
    key.press("Enter")  # Next
    expect(page.locator("#q-1 input.numeric-input")).to_be_focused()
    key.type("9.81")
    tab(2)  # Previous, Next
    key.press("Enter")
    expect(page.locator('#q-2 select[data-prompt="0"]')).to_be_focused()
    key.type("wa")  # a closed select picks by typing
    tab()
    key.type("sa")
    tab(2)  # Previous, Next
    key.press("Enter")

    # Ordering: the first item's "Up" has the focus; Alt+Arrow moves the item whose button has the focus.
    focus = 0  # index of the focused move button: 2 * position (+1 for "Down")
    for i, want in enumerate(PLANETS):
        j = shown_order(page).index(want)
        if j == i:
            continue
        target = 2 * j
        tab(abs(target - focus), shift=target < focus)
        for _ in range(j - i):
            key.press("Alt+ArrowUp")
        focus = 2 * i
    assert shown_order(page) == PLANETS
    tab(2 * len(PLANETS) - 1 - focus + 2)  # the remaining move buttons, Previous, Next
    key.press("Enter")
    expect(page.locator('#q-4 input[data-blank="1"]')).to_be_focused()
    key.type("100")
    tab()
    key.type("0")
    expect_saved(page)
    answers = stored(attempt)
    assert answers["multiple_response"].answer_text == "[0,1,3]"
    assert answers["matching"].answer_text == '["water","salt"]'
    assert answers["ordering"].answer_text == '["Mercury","Venus","Earth","Mars"]'
    assert answers["cloze"].answer_text == '{"1":"100","2":"0"}'
    tab(2)  # Previous; Next is disabled on the last question
    expect(page.get_by_role("button", name="Submit quiz")).to_be_focused()
    key.press("Enter")
    tab()
    key.press("Enter")  # "Submit now"
    expect(page.locator("#result-summary")).to_contain_text("15 / 15")
