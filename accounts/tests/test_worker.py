"""The password-reset e-mail through a REAL Celery worker and Redis broker (STYLE.md: at least one test against a
real worker). The worker is a subprocess on the test database; it writes e-mails to files the test reads."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from quizsite.celery import app as celery_app

BROKER = os.environ.get("ACCOUNTS_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(tmp_path, settings):
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker needs the shared PostgreSQL test database")
    queue = f"accounts-test-{uuid.uuid4().hex[:8]}"  # no stale message of another run reaches this worker
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "accounts.tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DEBUG": "true",
    }
    log = open(tmp_path / "worker.log", "w")  # closed in the finally below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "quizsite",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The test process publishes to the same broker and queue instead of running tasks in-process.
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = BROKER
    celery_app.conf.task_default_queue = queue
    # Publishers cached by earlier tests point at another broker: use fresh ones, put the old ones back after.
    saved_pools = (celery_app._pool, celery_app.amqp._producer_pool)
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield {"mail_dir": mail_dir, "log": tmp_path / "worker.log", "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        for k, v in saved.items():
            celery_app.conf[k] = v
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool, celery_app.amqp._producer_pool = saved_pools
        # Drop the per-run queue from the broker.
        import redis

        redis.Redis.from_url(BROKER).delete(queue)


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
def test_reset_code_email_is_sent_by_a_real_worker(celery_worker, teacher, api, settings):
    settings.DEBUG = True  # the API answers with the code, so the test knows what the e-mail must contain
    r = api.post("/api/v1/auth/forgot-password", {"email": "teacher@school.test"}, format="json")
    assert r.status_code == 200
    code = r.json()["token"]

    text = _wait_for_mail(celery_worker["mail_dir"], code)
    assert text, "no e-mail within 60 s; worker log:\n" + celery_worker["log"].read_text()[-3000:]
    assert "To: teacher@school.test" in text
    assert "Subject: Your Quizsite password reset code" in text
    assert celery_worker["proc"].poll() is None  # the worker is still alive (it did not crash on the task)
