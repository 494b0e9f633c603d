"""The site's pages in a real browser, where only a browser shows what is wrong: fields the question form hides,
pages scrolling sideways on a phone, disabled buttons that look enabled, the phone menu by keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


def visible_fields(page):
    return page.locator("form.question-form .field label").evaluate_all(
        "labels => labels.filter(l => l.offsetParent !== null).map(l => l.textContent.trim())"
    )


def test_the_question_form_shows_only_the_chosen_types_fields(browser_as, teacher):
    page = browser_as(teacher)
    page.goto("/quizzes/questions/new/")
    common = ["Type", "Question", "Topic", "Difficulty", "Marks"]
    assert visible_fields(page) == [*common, "Options", "Correct option"]
    expect(page.get_by_label("Accepted answers")).to_be_hidden()
    expect(page.get_by_label("Marking rubric")).to_be_hidden()

    page.get_by_label("Type").select_option("true_false")
    assert visible_fields(page) == [*common, "Correct answer"]
    expect(page.get_by_label("Options")).to_be_hidden()

    page.get_by_label("Type").select_option("short_answer")
    assert visible_fields(page) == [*common, "Accepted answers", "Case sensitive", "Sample answer"]

    page.get_by_label("Type").select_option("descriptive")
    assert visible_fields(page) == [*common, "Sample answer", "Marking rubric"]
    expect(page.get_by_label("Correct answer")).to_be_hidden()
