"""Report jobs through a REAL Celery worker and Redis broker (tests.processes.celery_worker), on the test database:
a class pack renders every student with the right content while its progress advances, the file is refused to
another teacher and to students, the expiry task removes it, and a worker killed mid-render leaves a job that the
reaper marks failed and that a retry on a new worker finishes."""

from __future__ import annotations

import io
import os
import signal
import time
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from reports.models import ReportJob
from reports.services import report_jobs_reap_stale
from reports.tasks import purge_expired_reports
from tests.builders import CORRECT, WRONG, finish_attempt
from tests.factories import StudentFactory
from tests.processes import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

JOBS = "/api/v1/reports/jobs"


@pytest.fixture
def pupils(quiz, school_class):
    """Students of the class (names Pupil 001...), each with one graded attempt whose first answer is right only
    for the odd ones."""

    def make(n):
        for i in range(1, n + 1):
            s = StudentFactory(school_class=school_class, user__name=f"Pupil {i:03d}", registration_number=f"R-{i:03d}")
            finish_attempt(quiz, s, [CORRECT if i % 2 else WRONG, CORRECT, WRONG])
        return [f"Pupil {i:03d}" for i in range(1, n + 1)]

    return make


def wait_for(predicate, worker, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s; worker log:\n{worker.output()}")


def file_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_class_pack_renders_every_student_on_a_real_worker(
    api_for, teacher, other_teacher, student, quiz, pupils, school_class, _media
):
    names = pupils(12)
    with celery_worker(MEDIA_ROOT=str(_media)) as worker:
        client = api_for(teacher)
        response = client.post(JOBS, {"kind": "class_pack", "quiz_id": str(quiz.pk), "class_id": str(school_class.pk)},
                               format="json")  # fmt: skip
        assert response.status_code == 202
        job_id = response.json()["id"]
        seen = set()

        def finished():
            body = client.get(response.json()["status_url"]).json()
            if body["status"] == "running":
                seen.add(body["progress"]["done"])
            return body if body["status"] in ("done", "failed") else None

        body = wait_for(finished, worker, "the pack")
        assert body["status"] == "done", body["error"] + worker.output()
        assert body["progress"] == {"processed": 12, "done": 12, "total": 12, "percent": 100}
        assert any(0 < done < 12 for done in seen), f"no progress seen between start and end: {seen}"

        reader = PdfReader(io.BytesIO(file_bytes(client.get(body["download_url"]))))
        firsts = [p.extract_text() for p in reader.pages if "Page 1 of" in p.extract_text()]
        assert [next(n for n in names if n in text) for text in firsts] == names  # each student, own pages, in order
        pupil_1 = " ".join(firsts[0].split())
        assert "R-001" in pupil_1 and "Answer given: two" in pupil_1 and "Correct answer" not in pupil_1
        assert "Pupil 002" not in pupil_1

        # Refused to another teacher (not found) and to students (not staff), whatever they try.
        assert api_for(other_teacher).get(body["download_url"]).status_code == 404
        assert api_for(student).get(body["download_url"]).status_code == 403

        # The beat task, run by the worker, deletes the file once it has expired.
        job = ReportJob.objects.get(pk=job_id)
        assert default_storage.exists(job.file.name)
        ReportJob.objects.filter(pk=job_id).update(expires_at=timezone.now() - timedelta(seconds=1))
        purge_expired_reports.delay()
        wait_for(lambda: ReportJob.objects.get(pk=job_id).status == "expired", worker, "the expiry")
        assert not default_storage.exists(job.file.name)
        assert client.get(body["download_url"]).status_code == 404
        assert worker.proc.poll() is None


def test_a_worker_killed_mid_render_leaves_a_job_that_can_be_retried(api_for, teacher, quiz, pupils, _media, settings):
    names = pupils(30)
    client = api_for(teacher)
    with celery_worker(MEDIA_ROOT=str(_media)) as worker:
        job_id = client.post(JOBS, {"kind": "class_pack", "quiz_id": str(quiz.pk), "format": "zip"},
                             format="json").json()["id"]  # fmt: skip
        wait_for(lambda: 0 < ReportJob.objects.get(pk=job_id).done < 30, worker, "a partial render")
        os.kill(worker.proc.pid, signal.SIGKILL)  # out of memory, a redeploy, a lost host...
        worker.proc.wait(timeout=10)
    job = ReportJob.objects.get(pk=job_id)
    assert job.status == "running" and 0 < job.done < 30 and not job.file

    settings.REPORT_JOB_LEASE = timedelta(seconds=1)
    time.sleep(1.2)  # the lease lapses: nobody renews it
    assert report_jobs_reap_stale() == 1
    body = client.get(f"{JOBS}/{job_id}").json()
    assert body["status"] == "failed" and "stopped before it finished" in body["error"]

    with celery_worker(MEDIA_ROOT=str(_media)) as worker:
        assert client.post(f"{JOBS}/{job_id}/retry").status_code == 202
        wait_for(lambda: ReportJob.objects.get(pk=job_id).status == "done", worker, "the retried pack")
    job = ReportJob.objects.get(pk=job_id)
    assert job.tries == 2 and job.done == job.total == 30
    archive = zipfile.ZipFile(io.BytesIO(file_bytes(client.get(f"{JOBS}/{job_id}/file"))))
    assert len(archive.namelist()) == 30 and "r-030.pdf" in archive.namelist()
    assert names[-1] in PdfReader(io.BytesIO(archive.read("r-030.pdf"))).pages[0].extract_text()


def test_results_emails_are_sent_by_a_real_worker_once(teacher, quiz, school_class, pupils, tmp_path, _media):
    from reports.models import ResultEmail
    from reports.services import results_emails_send

    pupils(3)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir)}
    with celery_worker(MEDIA_ROOT=str(_media), **env) as worker:
        assert len(results_emails_send(quiz=quiz, school_class=school_class, by=teacher.user)) == 3
        wait_for(lambda: ResultEmail.objects.filter(status="sent").count() == 3, worker, "three results e-mails")
        assert results_emails_send(quiz=quiz, school_class=school_class, by=teacher.user) == []  # nothing twice
        time.sleep(0.5)
    from email import message_from_string
    from email.header import decode_header, make_header

    raw = "\n".join(f.read_text() for f in mail_dir.glob("*.log"))
    messages = [message_from_string(m.strip()) for m in raw.split("-" * 79) if m.strip()]
    subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in messages)
    assert subjects == [f"Results: Fractions test — Pupil {i:03d}" for i in (1, 2, 3)]
    files = sorted(part.get_filename() for m in messages for part in m.walk() if part.get_filename())
    assert [f[:5] for f in files] == ["r-001", "r-002", "r-003"]
