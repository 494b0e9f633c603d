"""Report jobs in-process (Celery eager): what each report holds, who may get it, expiry, the stale-job reaper and
retry. The same jobs through a real worker and broker are in test_worker.py."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.claim_codes import claim_code_matches
from accounts.models import Notification, Student
from analytics import exports
from reports.models import ReportJob
from reports.services import report_job_run, report_jobs_purge_expired, report_jobs_reap_stale
from tests.builders import CORRECT, build_quiz, finish_attempt
from tests.factories import QuizClassFactory, StudentFactory
from tests.pdf import pdf_lines

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/reports/jobs"


@pytest.fixture
def start(api_for, django_capture_on_commit_callbacks):
    """POST a job as `user` and let the (eager) task run after commit; returns the response."""

    def run(user, **body):
        with django_capture_on_commit_callbacks(execute=True):
            return api_for(user).post(JOBS, body, format="json")

    return run


def download(api_for, user, body) -> bytes:
    response = api_for(user).get(body["download_url"])
    assert response.status_code == 200, getattr(response, "data", response)
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


def test_full_analytics_report_lists_every_attempt_past_the_direct_cap(
    api_for, start, teacher, quiz, class_attempts, monkeypatch
):
    monkeypatch.setattr(exports, "REPORT_STUDENT_ROWS", 2)  # the direct PDF stops listing at 2
    monkeypatch.setattr(exports, "FULL_REPORT_CHUNK_ROWS", 2)  # the job renders the list in chunks of 2
    direct = "\n".join(pdf_lines(api_for(teacher).get(f"/api/v1/exports/analytics/{quiz.pk}?format=pdf").content))
    assert "5 attempts: too many to list here" in direct and "Pupil 004" not in direct

    response = start(teacher, kind="quiz_report", quiz_id=str(quiz.pk))
    assert response.status_code == 202, response.data
    assert response["Location"] == response.data["status_url"]
    body = api_for(teacher).get(response.data["status_url"]).json()
    assert body["status"] == "done" and body["progress"] == {
        "processed": 6,
        "done": 6,
        "total": 6,
        "percent": 100,
    }  # the head + 5 rows
    lines = pdf_lines(download(api_for, teacher, body))
    text = "\n".join(lines)
    for name in ["Alice Johnson", "Pupil 001", "Pupil 002", "Pupil 003", "Pupil 004"]:
        assert name in text
    assert "Question statistics" in text and "Score distribution" in text and "Violations" in text
    assert "attempts 5–5 of 5" in text  # the last chunk
    pages = [line for line in lines if line.startswith("Page ")]
    assert pages == [f"Page {n}" for n in range(1, len(pages) + 1)]  # numbered on across the merged parts


def test_full_results_report_has_the_export_columns_for_every_attempt(api_for, start, teacher, quiz, class_attempts):
    body = start(teacher, kind="results_report", quiz_id=str(quiz.pk)).data
    text = "\n".join(pdf_lines(download(api_for, teacher, api_for(teacher).get(body["status_url"]).json())))
    assert "Results: Fractions test" in text and "5 attempts, every one listed" in text
    assert "R-004" in text and "STU2026001" in text


def test_class_pack_pdf_has_each_student_on_their_own_pages_as_they_may_see_it(
    api_for, start, teacher, quiz, class_attempts, outsider_student, other_class, school_class
):
    QuizClassFactory(quiz=quiz, school_class=other_class)
    finish_attempt(quiz, outsider_student, [CORRECT, CORRECT, CORRECT])  # took the quiz, but in another class
    body = start(teacher, kind="class_pack", quiz_id=str(quiz.pk), class_id=str(school_class.pk)).data
    job = api_for(teacher).get(body["status_url"]).json()
    assert job["progress"]["done"] == job["progress"]["total"] == 5
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(download(api_for, teacher, job)))
    firsts = [page.extract_text() for page in reader.pages if "Page 1 of" in page.extract_text()]
    names = ["Alice Johnson", "Pupil 001", "Pupil 002", "Pupil 003", "Pupil 004"]
    assert [next(n for n in names if n in text) for text in firsts] == names  # one report per student, in order
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Oscar Outsider" not in text
    assert "Answer given" in text and "Correct answer" not in text  # the student's view: the quiz hides the key


def test_class_pack_zip_has_one_pdf_per_student_named_by_registration_number(
    api_for, start, teacher, quiz, class_attempts
):
    body = start(teacher, kind="class_pack", quiz_id=str(quiz.pk), format="zip", view="teacher").data
    job = api_for(teacher).get(body["status_url"]).json()
    assert job["file_name"].endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(download(api_for, teacher, job)))
    assert sorted(archive.namelist()) == ["r-001.pdf", "r-002.pdf", "r-003.pdf", "r-004.pdf", "stu2026001.pdf"]
    alice = "\n".join(pdf_lines(archive.read("stu2026001.pdf")))
    assert "Alice Johnson" in alice and "Correct answer: two" in alice  # the teacher's view has the key
    assert "Pupil" not in alice


def test_claim_slips_job_prints_new_codes_that_work(api_for, start, teacher, school_class, student):
    Student.objects.filter(pk=student.pk).update(is_account_claimed=False)
    old_hash = Student.objects.get(pk=student.pk).claim_code_hash
    body = start(teacher, kind="claim_slips", class_id=str(school_class.pk)).data
    job = api_for(teacher).get(body["status_url"]).json()
    text = "\n".join(pdf_lines(download(api_for, teacher, job)))
    assert "Alice Johnson" in text and "STU2026001" in text
    student.refresh_from_db()
    assert student.claim_code_hash != old_hash
    codes = [w for w in text.split() if claim_code_matches(w, student.claim_code_hash)]
    assert codes, "the printed code does not claim the account"


def test_owner_is_notified_and_optionally_emailed(api_for, start, teacher, quiz, alice_attempt):
    body = start(teacher, kind="results_report", quiz_id=str(quiz.pk), email_when_done=True).data
    note = Notification.objects.get(user=teacher.user, type="report_ready")
    assert note.link == f"/reports/{body['id']}/" and "Fractions test" in note.title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["teacher@school.test"]
    assert not mail.outbox[0].attachments  # the file stays behind the login


@pytest.mark.parametrize("who", ["other_teacher", "student", "outsider_student", None])
def test_the_file_is_refused_to_everyone_but_its_owner_and_admins(
    request, api, api_for, start, teacher, admin, quiz, alice_attempt, who
):
    body = start(teacher, kind="class_pack", quiz_id=str(quiz.pk)).data
    client = api_for(request.getfixturevalue(who)) if who else api
    for url in (body["status_url"], f"{JOBS}/{body['id']}/file", f"{JOBS}/{body['id']}/retry"):
        response = client.post(url) if url.endswith("retry") else client.get(url)
        expected = {None: 401, "other_teacher": 404}.get(who, 403)
        assert response.status_code == expected, (url, response.status_code)
        assert b"%PDF" not in response.content and b"Alice" not in response.content
    listed = client.get(JOBS)
    assert listed.status_code in (401, 403) or listed.json()["total"] == 0
    assert download(api_for, admin, api_for(admin).get(body["status_url"]).json()).startswith(b"%PDF")


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "quiz_report"},  # no quiz
        {"kind": "tea_report", "quiz_id": "00000000-0000-0000-0000-000000000000"},
        {"kind": "class_pack", "format": "docx"},
        {"kind": "quiz_report", "attempts": "worst"},
        {"kind": "claim_slips"},  # no class
    ],
)
def test_bad_requests_are_400_and_create_nothing(api_for, teacher, quiz, body):
    body = {"quiz_id": str(quiz.pk), **body} if body["kind"] == "class_pack" else body
    response = api_for(teacher).post(JOBS, body, format="json")
    assert response.status_code == 400 and response.json().get("detail") or response.json()
    assert not ReportJob.objects.exists()


def test_another_teachers_quiz_or_class_is_not_found_and_nothing_is_queued(
    api_for, other_teacher, quiz, school_class, alice_attempt
):
    client = api_for(other_teacher)
    r1 = client.post(JOBS, {"kind": "quiz_report", "quiz_id": str(quiz.pk)}, format="json")
    r2 = client.post(JOBS, {"kind": "claim_slips", "class_id": str(school_class.pk)}, format="json")
    assert r1.status_code == r2.status_code == 404
    assert r1.json()["detail"] == "Quiz not found." and r2.json()["detail"] == "Class not found."
    assert api_for(other_teacher).post(JOBS, {"kind": "quiz_report"}, format="json").status_code == 400
    assert not ReportJob.objects.exists()


def test_a_user_cannot_queue_more_than_five_reports_at_once(api_for, teacher, quiz):
    client = api_for(teacher)
    for _ in range(5):
        assert client.post(JOBS, {"kind": "results_report", "quiz_id": str(quiz.pk)}, format="json").status_code == 202
    response = client.post(JOBS, {"kind": "results_report", "quiz_id": str(quiz.pk)}, format="json")
    assert response.status_code == 429 and "wait for one to finish" in response.json()["detail"]
    assert ReportJob.objects.count() == 5


def test_expiry_deletes_the_file_and_the_download_says_so(api_for, start, teacher, quiz, alice_attempt, settings):
    body = start(teacher, kind="results_report", quiz_id=str(quiz.pk)).data
    job = ReportJob.objects.get(pk=body["id"])
    assert default_storage.exists(job.file.name)
    assert job.expires_at - job.finished_at == timedelta(hours=settings.REPORT_FILES_KEEP_HOURS)
    assert report_jobs_purge_expired(now=job.expires_at - timedelta(minutes=1)) == 0
    assert report_jobs_purge_expired(now=job.expires_at + timedelta(seconds=1)) == 1
    assert not default_storage.exists(job.file.name)
    response = api_for(teacher).get(f"{JOBS}/{job.pk}/file")
    assert response.status_code == 404 and "expired" in response.json()["detail"]
    assert api_for(teacher).get(body["status_url"]).json()["status"] == "expired"


def test_a_job_whose_worker_died_is_reaped_and_can_be_retried(
    api_for, teacher, quiz, alice_attempt, settings, django_capture_on_commit_callbacks
):
    client = api_for(teacher)
    body = client.post(JOBS, {"kind": "results_report", "quiz_id": str(quiz.pk)}, format="json").data  # not run
    # A worker took it and was killed after its last heartbeat.
    beat = timezone.now() - settings.REPORT_JOB_LEASE - timedelta(seconds=1)
    ReportJob.objects.filter(pk=body["id"]).update(status="running", tries=1, heartbeat_at=beat, done=0, total=1)
    assert client.post(f"{JOBS}/{body['id']}/retry").status_code == 202  # a lapsed lease counts as failed
    ReportJob.objects.filter(pk=body["id"]).update(status="running", heartbeat_at=beat)
    assert report_jobs_reap_stale() == 1
    failed = client.get(body["status_url"]).json()
    assert failed["status"] == "failed" and "stopped before it finished" in failed["error"]
    assert Notification.objects.filter(user=teacher.user, type="report_failed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{JOBS}/{body['id']}/retry").status_code == 202
    assert client.get(body["status_url"]).json()["status"] == "done"
    assert client.post(f"{JOBS}/{body['id']}/retry").status_code == 409  # done: nothing to retry


def test_a_redelivered_message_does_not_steal_a_job_from_a_live_worker(teacher, quiz, api_for):
    body = api_for(teacher).post(JOBS, {"kind": "results_report", "quiz_id": str(quiz.pk)}, format="json").data
    ReportJob.objects.filter(pk=body["id"]).update(status="running", tries=1, heartbeat_at=timezone.now())
    assert report_job_run(job_id=body["id"]) is None
    assert ReportJob.objects.get(pk=body["id"]).tries == 1


def test_a_quiz_taken_away_before_the_render_fails_the_job_with_a_reason(
    api_for, teacher, other_teacher, quiz, django_capture_on_commit_callbacks
):
    body = api_for(teacher).post(JOBS, {"kind": "results_report", "quiz_id": str(quiz.pk)}, format="json").data
    quiz.created_by = other_teacher
    quiz.save(update_fields=["created_by"])
    job = report_job_run(job_id=body["id"])
    assert job.status == "failed" and job.error == "Quiz not found."
    assert not job.file


def test_pack_of_a_quiz_nobody_finished_is_a_one_page_notice(api_for, start, teacher, quiz):
    StudentFactory(school_class=quiz.classes.get())
    job = api_for(teacher).get(start(teacher, kind="class_pack", quiz_id=str(quiz.pk)).data["status_url"]).json()
    assert "No finished attempts to print" in "\n".join(pdf_lines(download(api_for, teacher, job)))


def test_polling_a_job_costs_a_fixed_number_of_queries(api_for, start, teacher, quiz, class_attempts,
                                                       django_assert_num_queries):  # fmt: skip
    body = start(teacher, kind="class_pack", quiz_id=str(quiz.pk)).data
    client = api_for(teacher)
    client.get(body["status_url"])  # warm whatever the authentication caches
    with django_assert_num_queries(2):  # the token's user, the job
        assert client.get(body["status_url"]).json()["progress"]["done"] == 5


def test_report_cards_list_each_students_quizzes_in_the_term_as_the_requester_may_see_them(
    api_for, start, teacher, admin, other_teacher, school_class, quiz, class_attempts
):
    other_quiz = build_quiz(other_teacher, title="Poetry quiz", school_class=school_class)
    finish_attempt(other_quiz, class_attempts[0].student, [CORRECT, CORRECT, CORRECT])
    today = timezone.localdate().isoformat()

    body = start(teacher, kind="report_cards", class_id=str(school_class.pk), date_from=today, date_to=today).data
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(download(api_for, teacher, api_for(teacher).get(body["status_url"]).json())))
    cards = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert len(cards) == 5 and cards[0].startswith("Report card: Alice Johnson")  # one page per student, by name
    assert "Fractions test" in cards[0] and "Poetry quiz" not in cards[0]  # the teacher's own quizzes only
    assert "Average 66.67%" in cards[0]

    body = start(admin, kind="report_cards", student_id=str(class_attempts[0].student.pk)).data
    card = "\n".join(pdf_lines(download(api_for, admin, api_for(admin).get(body["status_url"]).json())))
    assert "Fractions test" in card and "Poetry quiz" in card and "2 (2 passed)" in card  # an admin sees every quiz

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = start(admin, kind="report_cards", student_id=str(class_attempts[0].student.pk), date_from=tomorrow).data
    card = "\n".join(pdf_lines(download(api_for, admin, api_for(admin).get(body["status_url"]).json())))
    assert "No quizzes finished in this period." in card


def test_report_cards_refuse_a_backwards_term_and_another_teachers_class(api_for, teacher, other_class, student):
    client = api_for(teacher)
    backwards = {"kind": "report_cards", "student_id": str(student.pk), "date_from": "2026-12-01",
                 "date_to": "2026-09-01"}  # fmt: skip
    assert client.post(JOBS, backwards, format="json").json()["detail"] == "The term must start before it ends."
    response = client.post(JOBS, {"kind": "report_cards", "class_id": str(other_class.pk)}, format="json")
    assert response.status_code == 404 and response.json()["detail"] == "Class not found."
    assert not ReportJob.objects.exists()


def test_a_pack_costs_a_fixed_number_of_queries_per_student(teacher, quiz, class_attempts, school_class):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import finished_attempts_of

    def queries(n):
        attempts = finished_attempts_of(quiz=quiz, by=teacher.user, school_class=school_class)[:n]
        with CaptureQueriesContext(connection) as ctx:
            exports.attempts_pack_file(attempts, viewer_for=lambda a: a.student.user, fmt="pdf", title="t")
        return len(ctx.captured_queries)

    # Four per student (their answers, the quiz's questions in their order, the wording each question had when they
    # submitted (issue 15's versions), their violations), nothing else.
    assert (queries(2), queries(4)) == (8, 16)


def test_cancelling_a_render_stops_it_and_writes_no_file(
    api_for, start, teacher, other_teacher, quiz, class_attempts, monkeypatch, _media
):
    client = api_for(teacher)
    real = exports.attempt_pdf
    rendered = []

    def render_then_cancel(attempt, *, viewer):
        rendered.append(attempt.pk)
        if len(rendered) == 2:  # the teacher clicks Cancel while the worker renders the second student
            job = ReportJob.objects.get()
            assert api_for(other_teacher).post(f"{JOBS}/{job.pk}/cancel").status_code == 404
            assert client.post(f"{JOBS}/{job.pk}/cancel").json()["error"] == "Cancelled."
        return real(attempt, viewer=viewer)

    monkeypatch.setattr(exports, "attempt_pdf", render_then_cancel)
    body = start(teacher, kind="class_pack", quiz_id=str(quiz.pk)).data
    job = client.get(body["status_url"]).json()
    assert job["status"] == "failed" and job["error"] == "Cancelled." and job["download_url"] is None
    assert len(rendered) == 2  # stopped at the next progress update
    assert not any(_media.rglob("*.pdf"))
    assert client.post(f"{JOBS}/{body['id']}/cancel").status_code == 409  # nothing left to cancel
