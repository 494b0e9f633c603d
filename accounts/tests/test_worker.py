"""The password-reset e-mail through a REAL Celery worker and Redis broker (STYLE.md: at least one test against a
real worker). The worker (tests.processes.celery_worker) runs on the test database; it writes e-mails to files
the test reads."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from accounts.models import PasswordResetToken
from tests.processes import celery_worker


@pytest.fixture
def mail_worker(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with celery_worker(
        DJANGO_SETTINGS_MODULE="accounts.tests.worker_settings",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    ) as worker:
        yield worker, mail_dir


def _wait_for_mail(mail_dir: Path, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in mail_dir.glob("*.log"):
            text = f.read_text()
            if needle in text:
                return text
        time.sleep(0.25)
    return ""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_reset_code_email_is_sent_by_a_real_worker(mail_worker, teacher, api, settings):
    worker, mail_dir = mail_worker
    r = api.post("/api/v1/auth/forgot-password", {"email": "teacher@school.test"}, format="json")
    assert r.status_code == 200 and "token" not in r.json()  # the code is only ever in the e-mail

    text = _wait_for_mail(mail_dir, "reset code is: ")
    assert text, "no e-mail within 60 s; worker log:\n" + worker.output()
    code = re.search(r"reset code is: (\d{6})", text).group(1)
    assert PasswordResetToken.objects.get(user=teacher.user).code_hash  # the worker issued it, not the request
    assert code not in r.content.decode()
    assert "To: teacher@school.test" in text
    assert "Subject: Your Quizsite password reset code" in text
    assert worker.proc.poll() is None  # the worker is still alive (it did not crash on the task)
