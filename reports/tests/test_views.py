"""The report pages: start a report from a quiz's page, follow its progress, download it; outsiders get 404,
students 403, anonymous users the login page."""

import pytest
from django.urls import reverse

from reports.models import ReportJob
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    user = getattr(user, "user", user)
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


def test_teacher_starts_a_class_pack_and_downloads_it(
    client, teacher, quiz, school_class, class_attempts, django_capture_on_commit_callbacks
):
    login(client, teacher)
    page = client.get(reverse("reports:quiz", args=[quiz.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Class pack" in html and f'value="{school_class.pk}"' in html and "Results e-mails for Class 10A" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:start"),
            {"kind": "class_pack", "quiz_id": quiz.pk, "class_id": school_class.pk, "attempts": "last",
             "format": "pdf", "view": "student", "next": reverse("reports:quiz", args=[quiz.pk])},
        )  # fmt: skip
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Ready" in detail and reverse("reports:download", args=[job.pk]) in detail
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert job.title in client.get(reverse("reports:list")).content.decode()


def test_a_queued_job_shows_an_accessible_progress_bar(client, teacher, quiz):
    login(client, teacher)
    client.post(reverse("reports:start"), {"kind": "results_report", "quiz_id": quiz.pk})  # not run: no commit hook
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status="running", done=3, total=10)
    html = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert 'aria-labelledby="report-progress-label"' in html and 'max="10" value="3"' in html
    assert 'role="status" aria-live="polite"' in html and "reports-job.js" in html
    assert f'data-status-url="/api/v1/reports/jobs/{job.pk}"' in html


def test_a_bad_choice_is_a_message_not_a_500(client, teacher, quiz):
    login(client, teacher)
    response = client.post(reverse("reports:start"), {"kind": "class_pack", "quiz_id": quiz.pk, "format": "doc"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200 and "not understood" in response.content.decode()
    response = client.post(reverse("reports:start"), {"kind": "claim_slips"}, follow=True)
    assert "Choose a class." in response.content.decode()
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("who", ["other_teacher", "student", None])
def test_outsiders_cannot_open_start_or_download(request, client, teacher, quiz, school_class, who):
    job = ReportJob.objects.create(
        owner=teacher.user, kind="results_report", params={"quiz_id": str(quiz.pk)}, title="Secret report"
    )
    if who:
        login(client, request.getfixturevalue(who))
    expected_get = {"other_teacher": 404, "student": 403, None: 302}[who]
    for url in (
        reverse("reports:job", args=[job.pk]),
        reverse("reports:download", args=[job.pk]),
        reverse("reports:quiz", args=[quiz.pk]),
        reverse("reports:results_emails", args=[quiz.pk, school_class.pk]),
    ):
        response = client.get(url)
        assert response.status_code == expected_get, url
        if who is None:
            assert "/accounts/login" in response["Location"]
    response = client.post(reverse("reports:start"), {"kind": "results_report", "quiz_id": quiz.pk})
    assert ReportJob.objects.count() == 1  # nothing started
    if who != "other_teacher":
        assert response.status_code == expected_get
    assert client.post(reverse("reports:retry", args=[job.pk])).status_code == expected_get
    assert client.post(reverse("reports:cancel", args=[job.pk])).status_code == expected_get
    assert ReportJob.objects.get(pk=job.pk).status == "queued"  # not cancelled by an outsider
    if who == "other_teacher":
        assert "Secret report" not in client.get(reverse("reports:list")).content.decode()
