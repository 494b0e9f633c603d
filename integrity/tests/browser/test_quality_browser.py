"""A teacher opens a flagged question from the quiz analytics, accepts an alternative answer in one click, and the
class results update (the regrade runs through the real services; Celery is eager in the test settings)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from integrity.tests.conftest import ANSWERS
from tests.builders import build_quiz, finish_attempt
from tests.factories import StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_accepts_an_alternative_answer_and_the_class_results_update(browser_as, teacher, school_class, student):
    from playwright.sync_api import expect

    quiz = build_quiz(teacher, questions=5, marks=1, school_class=school_class)
    for name, options in ANSWERS.items():
        who = student if name == "Alice" else StudentFactory(user__name=name, school_class=school_class)
        finish_attempt(quiz, who, options)

    page = browser_as(teacher, viewport={"width": 390, "height": 844})  # a phone
    page.goto(reverse("analytics:quiz", args=[quiz.pk]))
    pass_rate = page.locator(".stat", has_text="Pass rate").locator(".stat-value")
    expect(pass_rate).to_have_text(re.compile(r"^40"))
    bob_row = page.locator("tr", has_text="Bob")
    expect(bob_row).to_contain_text("Failed")

    flagged = page.locator("tr.doubtful").first
    expect(flagged).to_contain_text("Negative discrimination")
    flagged.get_by_role("link", name=re.compile("Why, and fix it")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 1")
    expect(page.locator(".distribution")).to_contain_text("three")
    page.get_by_role("button", name="Accept C as also correct").click()
    expect(page.locator(".messages")).to_contain_text("Fixed.")
    expect(page.locator(".fixes")).to_contain_text("Accept another option as also correct (option C)")

    page.get_by_role("link", name=re.compile("analytics")).first.click()
    expect(pass_rate).to_have_text(re.compile(r"^60"))
    expect(page.locator("tr", has_text="Bob")).to_contain_text("Passed")
