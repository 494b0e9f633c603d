"""Benchmark of the background reports (issue 22): a class pack of 1,000 students and the full analytics report of
a 1,000-attempt quiz, each rendered by a real Celery worker while a web server answers pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/8 \
        python bench/bench_reports.py [--students 1000] [--questions 20] [--keep]

What it does, all on this machine:
- creates a scratch database (bench_reports_<tag>), migrates it and bulk-loads one class of N students who have
  each finished the same quiz of Q multiple-choice questions (graded, answers stored), plus their teacher;
- starts gunicorn (2 gthread workers x 4 threads, DEBUG on for plain HTTP) on a free port and signs the teacher in;
- for each report (the class pack as one merged PDF, then the full analytics report) starts a FRESH Celery worker
  (solo pool: the task runs in the worker's main process, so its VmHWM is the render's peak memory), measures the
  latency of a simple page (the login page, GET, no session) 200 times and of the teacher's Reports page (signed
  in, a database read) 100 times with the worker idle, queues the report through the reports service, requests
  both pages continuously until the job is done, and reports: the
  render's wall time (started_at -> finished_at, and from the request), the worker's peak RSS, the file's size and
  pages, and the page's p50/p95/max while idle and while the render ran;
- drops the scratch database unless --keep.

Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TAG = uuid.uuid4().hex[:8]
DB_NAME = f"bench_reports_{TAG}"
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + DB_NAME
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
MEDIA = Path(tempfile.mkdtemp(prefix="bench-reports-media-"))
QUEUE = f"bench-reports-{TAG}"

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
        "DEBUG": "true",
        "DATABASE_URL": BENCH_URL,
        "REDIS_URL": REDIS,
        "CELERY_BROKER_URL": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(MEDIA),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "0",
    }
)


def create_database() -> None:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_students: int, n_questions: int):
    """One class of n students who each finished the quiz (graded), through bulk inserts (the services would take
    minutes for 1,000 attempts; the rows are the ones the services write, the analytics bench builds them alike)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Role, Student, Teacher, User
    from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
    from classrooms.models import SchoolClass, TeacherClass
    from quizzes.models import Question, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus

    rng = random.Random(22)
    teacher_user = User.objects.create_user("bench.teacher@bench.test", "bench-password-22", role=Role.TEACHER,
                                            name="Bench Teacher")  # fmt: skip
    teacher = Teacher.objects.create(user=teacher_user, subject="Benchmarks")
    school_class = SchoolClass.objects.create(name="Bench class", section="A", academic_year="2026-2027")
    TeacherClass.objects.create(teacher=teacher, school_class=school_class)
    quiz = Quiz.objects.create(title="Bench quiz", subject="Benchmarks", time_limit_minutes=60, created_by=teacher,
                               status=QuizStatus.PUBLISHED, passing_percentage=50, allow_review=True,
                               show_answers_after_submission=True)  # fmt: skip
    QuizClass.objects.create(quiz=quiz, school_class=school_class)
    questions = Question.objects.bulk_create(
        Question(text=f"Bench question {i}: which option is the first one of the four?", type=QuestionType.MCQ,
                 marks=1, options=["first", "second", "third", "fourth"], correct_answer=0, created_by=teacher)
        for i in range(n_questions)
    )  # fmt: skip
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, order_index=i) for i, q in enumerate(questions)
    )
    users = User.objects.bulk_create(
        User(email=f"s{i:04d}@bench.test", name=f"Bench Student {i:04d}", role=Role.STUDENT, password="!")
        for i in range(n_students)
    )
    students = Student.objects.bulk_create(
        Student(
            user=u,
            registration_number=f"BENCH{i:05d}",
            school_class=school_class,
            is_account_claimed=True,
            claimed_at=timezone.now(),
        )
        for i, u in enumerate(users)
    )
    now = timezone.now()
    attempts, answers = [], []
    for s in students:
        right = [rng.random() < 0.65 for _ in questions]
        score = Decimal(sum(right))
        attempts.append(
            QuizAttempt(
                quiz=quiz,
                student=s,
                attempt_number=1,
                status=AttemptStatus.GRADED,
                started_at=now - timedelta(minutes=30),
                deadline=now + timedelta(minutes=30),
                submitted_at=now - timedelta(minutes=5),
                score=score,
                total_marks=n_questions,
                percentage=(score * 100 / n_questions).quantize(Decimal("0.01")),
                passed=score * 2 >= n_questions,
                question_order=[str(q.pk) for q in questions],
            )  # fmt: skip
        )
    attempts = QuizAttempt.objects.bulk_create(attempts, batch_size=500)
    for a in attempts:
        for q in questions:
            ok = rng.random() < 0.65
            answers.append(StudentAnswer(attempt=a, question=q, answer_option=0 if ok else rng.randint(1, 3),
                                         marks_awarded=1 if ok else 0, is_final=True))  # fmt: skip
    StudentAnswer.objects.bulk_create(answers, batch_size=5000)
    return teacher, school_class, quiz


def start_worker():
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "quizsite", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", QUEUE, "-n", f"{QUEUE}@%h"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return proc, log


def start_web(port: int):
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "quizsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "-k", "gthread",
         "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc, log
        except Exception:
            time.sleep(0.3)
    log.seek(0)
    raise SystemExit("gunicorn did not start:\n" + log.read()[-3000:])


def rss_peak_kb(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


COOKIES: dict[str, str] = {}


def get_ms(url: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": COOKIES.get(url, "")})
    t = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as r:
        r.read()
        assert r.status == 200 and ("/accounts/login/" not in r.geturl() or url.endswith("/login/")), r.geturl()
    return (time.perf_counter() - t) * 1000


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_job(label: str, start_job, page_url: str, staff_url: str) -> dict:
    from pypdf import PdfReader

    worker, log = start_worker()
    try:
        time.sleep(6)  # the worker's Django start-up, before it consumes
        idle_rss, _ = rss_peak_kb(worker.pid)
        idle = [get_ms(page_url) for _ in range(200)]
        idle_staff = [get_ms(staff_url) for _ in range(100)]
        t0 = time.perf_counter()
        job = start_job()
        during, during_staff, polls = [], [], 0
        while True:
            during.append(get_ms(page_url))
            if polls % 2 == 0:
                during_staff.append(get_ms(staff_url))
            polls += 1
            if polls % 20 == 0:
                job.refresh_from_db()
                if polls % 400 == 0:
                    print(f"  {label}: {job.status} {job.done}/{job.total} after {time.perf_counter() - t0:.0f} s",
                          flush=True)  # fmt: skip
                if job.status in ("done", "failed"):
                    break
                if worker.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"worker died:\n{log.read()[-3000:]}")
            time.sleep(0.05)
        wall_request = time.perf_counter() - t0
        _, peak = rss_peak_kb(worker.pid)
        if job.status != "done":
            raise SystemExit(f"{label} failed: {job.error}")
        content = job.file.read()
        pages = len(PdfReader(io.BytesIO(content)).pages) if job.file_name.endswith(".pdf") else 0
        return {
            "label": label,
            "render_s": (job.finished_at - job.started_at).total_seconds(),
            "request_to_done_s": wall_request,
            "units": job.total,
            "idle_rss_mb": idle_rss / 1024,
            "peak_rss_mb": peak / 1024,
            "size_mb": len(content) / 1e6,
            "pages": pages,
            "idle_p50": statistics.median(idle),
            "idle_p95": pct(idle, 95),
            "during_n": len(during),
            "during_p50": statistics.median(during),
            "during_p95": pct(during, 95),
            "during_max": max(during),
            "staff_idle_p95": pct(idle_staff, 95),
            "staff_during_p50": statistics.median(during_staff),
            "staff_during_p95": pct(during_staff, 95),
        }
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    create_database()
    web = None
    try:
        setup_django()
        from quizsite.celery import app as celery_app

        celery_app.conf.task_default_queue = QUEUE
        t = time.perf_counter()
        teacher, school_class, quiz = build(args.students, args.questions)
        print(f"built {args.students} students x {args.questions} questions in {time.perf_counter() - t:.1f} s")
        from reports import services

        port = free_port()
        web, web_log = start_web(port)
        page = f"http://127.0.0.1:{port}/accounts/login/"
        staff_page = f"http://127.0.0.1:{port}/reports/"
        from django.test import Client

        client = Client()
        client.force_login(teacher.user)
        COOKIES[staff_page] = f"sessionid={client.cookies['sessionid'].value}"
        print(HEADER, flush=True)
        # The short one first, so a run cut short still has it; each row is printed as soon as it is measured.
        r = run_job(f"full analytics report, {args.students} attempts",
                    lambda: services.report_job_start(by=teacher.user, kind="quiz_report", quiz_id=quiz.pk), page,
                    staff_page)  # fmt: skip
        print(row(r), flush=True)
        r = run_job(f"class pack, {args.students} students (one PDF)",
                    lambda: services.report_job_start(by=teacher.user, kind="class_pack", quiz_id=quiz.pk,
                                                      class_id=school_class.pk), page, staff_page)  # fmt: skip
        print(row(r), flush=True)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=15)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


HEADER = (
    "| report | render (worker) | request → done | worker RSS idle → peak | file | login page p50 / p95 idle "
    "| login page p50 / p95 / max during the render (n) | teacher's Reports page p95 idle → p50 / p95 during |\n"
    "|---|---|---|---|---|---|---|---|"
)


def row(r: dict) -> str:
    return (f"| {r['label']} | {r['render_s']:.1f} s ({r['units']} units) | {r['request_to_done_s']:.1f} s "
              f"| {r['idle_rss_mb']:.0f} → {r['peak_rss_mb']:.0f} MB | {r['size_mb']:.1f} MB, {r['pages']} pages "
              f"| {r['idle_p50']:.1f} / {r['idle_p95']:.1f} ms "
              f"| {r['during_p50']:.1f} / {r['during_p95']:.1f} / {r['during_max']:.1f} ms "
              f"({r['during_n']}) | {r['staff_idle_p95']:.1f} → {r['staff_during_p50']:.1f} / "
              f"{r['staff_during_p95']:.1f} ms |")  # fmt: skip


if __name__ == "__main__":
    main()
