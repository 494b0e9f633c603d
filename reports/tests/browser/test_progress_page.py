"""The report progress page in a real browser: the progress bar (an accessible progressbar) moves as the worker
reports progress, and the page turns into the download link by itself when the report is done; the reports page
fits a phone."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from reports.models import ReportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_worker_and_the_download_appears(browser_as, teacher, quiz):
    job = ReportJob.objects.create(owner=teacher.user, kind="class_pack", title="Fractions test",
                                   params={"quiz_id": str(quiz.pk)}, status="running", done=3, total=10)  # fmt: skip
    page = browser_as(teacher)
    page.goto(f"/reports/{job.pk}/")
    bar = page.get_by_role("progressbar", name="Rendering…")
    expect(bar).to_have_attribute("value", "3")
    expect(page.get_by_role("status")).to_contain_text("3 of 10 students rendered")

    ReportJob.objects.filter(pk=job.pk).update(done=7)  # what the worker writes after each student
    expect(bar).to_have_js_property("value", 7)
    expect(page.get_by_role("status")).to_contain_text("7 of 10 students rendered")

    job.file.save("pack.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    ReportJob.objects.filter(pk=job.pk).update(status="done", done=10, file=job.file.name, file_name="pack.pdf",
                                               content_type="application/pdf", size=13)  # fmt: skip
    link = page.get_by_role("link", name="Download pack.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "pack.pdf"


def test_the_quiz_reports_page_fits_a_phone(browser_as, teacher, quiz):
    page = browser_as(teacher, viewport={"width": 390, "height": 844})
    page.goto(f"/reports/quiz/{quiz.pk}/")
    expect(page.get_by_role("heading", name="Class pack")).to_be_visible()
    expect(page.get_by_label("Attempt of each student")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
