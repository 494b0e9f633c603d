"""A teacher brings questions from Moodle in a real browser: dry run, reads the per-question report, imports what
is valid, and finds the questions in the bank (issue 18)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quizzes.models import Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOODLE_FILE = (
    Path(__file__).resolve().parents[3]
    / "quizzes/tests/fixtures/interchange/moodle/sample_questions_with_old_image_tag.xml"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_teacher_imports_a_moodle_xml_file_with_a_dry_run_first(browser_as, teacher):
    page = browser_as(teacher)
    page.goto("/quizzes/questions/")
    page.get_by_role("link", name="Import questions").click()
    page.get_by_label("File").set_input_files(str(MOODLE_FILE))
    expect(page.get_by_role("checkbox", name="Dry run")).to_be_checked()
    page.get_by_role("button", name="Upload").click()

    report = page.locator("section.import-result")
    expect(report.get_by_role("heading")).to_have_text("Dry run — Moodle XML")
    expect(report).to_contain_text("Dry run: 1 question(s) would be imported (1 with changes), 1 skipped.")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("skipped")
    expect(rows.nth(0)).to_contain_text(
        "gaps of type MULTICHOICE cannot be imported: our blanks take typed answers (short-answer gaps) only"
    )
    expect(rows.nth(1)).to_contain_text("imported with changes")
    expect(rows.nth(1)).to_contain_text(
        "image “moodle.png”: alt text “moodle” made from its file name (describe the image)"
    )
    assert not Question.objects.exists()
    # The report's table scrolls inside its box on a phone, not the page.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size({"width": 1280, "height": 900})

    # A real run with a skipped question writes nothing unless the teacher chooses to import what is valid.
    page.get_by_label("File").set_input_files(str(MOODLE_FILE))
    page.get_by_role("checkbox", name="Dry run").uncheck()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".form-errors")).to_contain_text("Nothing was imported: 1 question(s) cannot be imported.")
    assert not Question.objects.exists()

    page.get_by_label("File").set_input_files(str(MOODLE_FILE))
    page.get_by_role("checkbox", name="Dry run").uncheck()
    page.get_by_role("checkbox", name="Import what is valid").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".import-result")).to_contain_text("1 question(s) imported (1 with changes), 1 skipped.")

    page.get_by_role("link", name="See the questions in the bank").click()
    row = page.locator("tbody tr", has_text="This is a multichoice question with an image")
    expect(row).to_contain_text("Multiple choice")
    expect(row).to_contain_text("Default for Test images in backup")
    # The question's image came with it: a question image, re-encoded, shown with the alt text the report named.
    page.goto(f"/quizzes/questions/{Question.objects.get().pk}/edit/")
    image = page.get_by_role("img", name="moodle")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    # Loaded (lazily) from the image view: real pixels, not a broken icon.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=5000)
