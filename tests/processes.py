"""Real processes beside the test process: a Celery worker on the real broker, daphne serving the ASGI app.

Each child runs the project's code against the test database (so it sees what the test wrote, which needs a
transactional test and PostgreSQL) and the real Redis, writes its output to a log the test can show when
something does not happen, and is stopped by its PID: terminate, then kill if it has not exited in time. Every
wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from typing import IO

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from quizsite.celery import app as celery_app

STOP_TIMEOUT = 10


@dataclass
class Child:
    proc: subprocess.Popen
    log: IO[str]
    queue: str = ""  # a worker's queue

    def output(self, last: int = 3000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-last:]


def needs_shared_services(*, redis: bool = True) -> None:
    """Skip unless a child process can share the test's database (PostgreSQL) and, with `redis`, its Redis."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a separate process cannot see an SQLite test database")
    if redis and not getattr(settings, "REDIS_URL", None):
        pytest.skip("needs REDIS_URL (the broker and channel layer shared between processes)")


def database_url() -> str:
    db = connection.settings_dict  # NAME is the test database while tests run
    auth = (db.get("USER") or "") + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL or "",
        "DB_CONN_MAX_AGE": "0",  # no idle connection left behind for the test database teardown
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def child_processes(commands: list[list[str]], *, env: dict[str, str]):
    """Start one process per command (`python -m ...` arguments) from the project directory; stop them all."""
    children: list[Child] = []
    try:
        for args in commands:
            log = tempfile.TemporaryFile(mode="w+")
            proc = subprocess.Popen(
                [sys.executable, "-m", *args], cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            children.append(Child(proc, log))
        yield children
    finally:
        for child in children:
            child.proc.terminate()
        for child in children:
            stop(child.proc)
            child.log.close()


def _fresh_publishers() -> None:
    # Connections and producers are cached (in the app and in kombu's process-wide pools) for the broker they
    # were made for: drop them all, so the next publish connects to the broker configured now.
    kombu.pools.reset()
    celery_app._pool = celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_worker(**env: str):
    """A real Celery worker (solo pool) on the test's Redis broker, consuming a queue of its own (no stale
    message of another run reaches it). While it runs, the project's Celery app in the test process publishes
    to that broker and queue instead of running tasks in-process, so `task.delay()` is executed by the worker.
    `env` adds to the worker's environment (e.g. DJANGO_SETTINGS_MODULE)."""
    needs_shared_services()
    broker = settings.REDIS_URL
    queue = f"test-{uuid.uuid4().hex[:8]}"
    command = ["celery", "-A", "quizsite", "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "-Q", queue, "-n", f"{queue}@%h"]  # fmt: skip
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    worker_env = child_env(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER="false", **env)
    with child_processes([command], env=worker_env) as (worker,):
        worker.queue = queue
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = broker
        celery_app.conf.task_default_queue = queue
        _fresh_publishers()
        try:
            yield worker
        finally:
            for k, v in saved.items():
                celery_app.conf[k] = v
            _fresh_publishers()
            redis.Redis.from_url(broker).delete(queue)  # drop the per-run queue from the broker
