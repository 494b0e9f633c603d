"""The site's pages in a real browser, where only a browser shows what is wrong: fields the question form hides,
pages scrolling sideways on a phone, disabled buttons that look enabled, the phone menu by keyboard."""

import pytest
from playwright.sync_api import expect

from quizzes.models import QuizStatus
from tests.builders import make_attempt, science_quiz
from tests.factories import QuizFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


def visible_fields(page):
    return page.locator("form.question-form .field label").evaluate_all(
        "labels => labels.filter(l => l.offsetParent !== null).map(l => l.textContent.trim())"
    )


def test_the_question_form_shows_only_the_chosen_types_fields(browser_as, teacher):
    page = browser_as(teacher)
    page.goto("/quizzes/questions/new/")
    common = ["Type", "Question", "Topic", "Tags", "Difficulty", "Marks"]  # tags: issue 16
    last = ["General feedback"]  # issue 15: every type may carry it
    assert visible_fields(page) == [
        *common, "Options", "Correct option", "Partial credit", "Feedback per option", *last
    ]  # fmt: skip
    expect(page.get_by_label("Accepted answers")).to_be_hidden()
    expect(page.get_by_label("Marking rubric")).to_be_hidden()

    page.get_by_label("Type").select_option("true_false")
    assert visible_fields(page) == [*common, "Correct answer", "Feedback per option", *last]
    expect(page.get_by_label("Options", exact=True)).to_be_hidden()

    page.get_by_label("Type").select_option("short_answer")
    assert visible_fields(page) == [*common, "Accepted answers", "Case sensitive", "Sample answer", *last]

    page.get_by_label("Type").select_option("descriptive")
    assert visible_fields(page) == [*common, "Sample answer", "Marking rubric", *last]
    expect(page.get_by_label("Correct answer")).to_be_hidden()

    # Issue 15's types: each shows only its own boxes.
    expected = {
        "multiple_response": ["Options", "Correct options", "Scoring", "Feedback per option"],
        "numeric": ["Accepted values", "Unit"],
        "matching": ["Pairs", "Distractors"],
        "ordering": ["Items in the right order", "Scoring"],
        "cloze": ["Blanks"],
    }
    for qtype, fields in expected.items():
        page.get_by_label("Type").select_option(qtype)
        assert visible_fields(page) == [*common, *fields, *last], qtype


@pytest.fixture
def quiz_with_results(teacher, school_class, student):
    quiz = science_quiz(teacher, school_class)
    make_attempt(quiz, student)
    return quiz


def sideways_scroll(page, path):
    page.goto(path)
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_wide_tables_scroll_inside_their_box_on_a_phone(browser_as, teacher, student, quiz_with_results):
    teacher_page = browser_as(teacher, **PHONE)
    for path in ["/quizzes/questions/", f"/analytics/quiz/{quiz_with_results.pk}/", "/analytics/"]:
        assert sideways_scroll(teacher_page, path) <= 0, f"{path} scrolls sideways at 390 px (teacher)"
    student_page = browser_as(student, **PHONE)
    assert sideways_scroll(student_page, "/analytics/") <= 0, "/analytics/ scrolls sideways at 390 px (student)"
    # The hidden header is still there for screen readers.
    expect(student_page.get_by_role("columnheader", name="Report")).to_have_count(1)


LOOKS = "el => { const s = getComputedStyle(el); return {opacity: s.opacity, cursor: s.cursor}; }"


def looks_before_and_after_enabling(button):
    disabled = button.evaluate(LOOKS)
    button.evaluate("el => { el.disabled = false; }")
    return disabled, button.evaluate(LOOKS)


def test_disabled_buttons_look_disabled(browser_as, teacher, student, quiz_with_results):
    draft = QuizFactory(created_by=teacher, status=QuizStatus.DRAFT, title="Empty draft")
    page = browser_as(teacher)
    page.goto(f"/quizzes/{draft.pk}/")
    publish = page.get_by_role("button", name="Publish")
    expect(publish).to_be_disabled()
    disabled, enabled = looks_before_and_after_enabling(publish)
    assert disabled["cursor"] == "not-allowed" and enabled["cursor"] == "pointer"
    assert float(disabled["opacity"]) < 0.7 <= float(enabled["opacity"])

    # "Previous" on question 1 of the exam, next to an enabled "Next".
    quiz_with_results.max_attempts = 2
    quiz_with_results.save(update_fields=["max_attempts"])
    exam = browser_as(student)
    exam.goto(f"/attempts/quiz/{quiz_with_results.pk}/")
    exam.get_by_role("button", name="Start quiz").click()
    exam.get_by_role("button", name="Start in fullscreen").click()
    previous, following = exam.locator("#exam-prev"), exam.locator("#exam-next")
    expect(previous).to_be_disabled()
    expect(following).to_be_enabled()
    disabled, enabled = previous.evaluate(LOOKS), following.evaluate(LOOKS)
    assert disabled["cursor"] == "not-allowed" and enabled["cursor"] == "pointer"
    assert float(disabled["opacity"]) < 0.7 <= float(enabled["opacity"])


def tab_until(page, target, limit=20):
    """Press Tab until `target` has focus; how many presses it took (None: never)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    return None


def test_the_phone_menu_works_by_keyboard(browser_as, student):
    page = browser_as(student, **PHONE)
    page.goto("/")
    logout = page.get_by_role("button", name="Log out")
    expect(logout).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")

    # Keyboard only: past the skip link and the brand to the menu button, open it, on to "Log out".
    assert tab_until(page, menu) == 3
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(logout).to_be_visible()
    assert tab_until(page, logout)
    expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()

    # Escape closes it and gives focus back to the button; at desktop width there is no button, the menu is shown.
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(logout).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    expect(logout).to_be_visible()


def test_without_javascript_the_phone_menu_stays_open(browser_as, student):
    page = browser_as(student, java_script_enabled=False, **PHONE)
    page.goto("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
