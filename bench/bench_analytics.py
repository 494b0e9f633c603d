"""Benchmark of the quiz analytics (issue 8): a quiz with 1,000 graded attempts x 40 questions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/bench_analytics.py [--attempts N]

Builds its scratch data inside one transaction that is rolled back at the end, so the database is left as it
was. Prints the time of the quiz analytics cold (cache invalidated) and cached, and, as a baseline measured in
the same run, the raw SELECT of the quiz's answers that any implementation has to read; target < 1 s cold.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("DEBUG", "true")  # a local measurement, not a deployment (DEBUG is off by default)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, Student, Teacher, User  # noqa: E402
from analytics import selectors  # noqa: E402
from analytics.cache import invalidate_quiz_analytics  # noqa: E402
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer  # noqa: E402
from quizzes.models import Question, QuestionType, Quiz, QuizQuestion, QuizStatus  # noqa: E402

QUESTIONS = 40
RUNS = 5


class Rollback(Exception):
    pass


def build(n_attempts: int) -> Quiz:
    rng = random.Random(8)
    tag = uuid.uuid4().hex[:8]
    teacher_user = User.objects.create_user(f"bench-{tag}@bench.test", None, role=Role.TEACHER, name="Bench Teacher")
    teacher = Teacher.objects.create(user=teacher_user, subject="Benchmarks")
    quiz = Quiz.objects.create(
        title=f"Bench quiz {tag}",
        subject="Benchmarks",
        time_limit_minutes=60,
        created_by=teacher,
        status=QuizStatus.PUBLISHED,
        passing_percentage=50,
    )
    questions = Question.objects.bulk_create(
        Question(
            text=f"Bench question {i}",
            type=QuestionType.MCQ,
            marks=2 if i % 5 == 0 else 1,
            options=["a", "b", "c", "d"],
            correct_answer=0,
            created_by=teacher,
        )
        for i in range(QUESTIONS)
    )
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, order_index=i) for i, q in enumerate(questions)
    )
    users = User.objects.bulk_create(
        User(email=f"s{i}-{tag}@bench.test", name=f"Bench Student {i:04d}", role=Role.STUDENT, password="!")
        for i in range(n_attempts)
    )
    Student.objects.bulk_create(
        Student(user=u, registration_number=f"B{tag.upper()}{i:05d}") for i, u in enumerate(users)
    )
    difficulty = [rng.gauss(0, 1) for _ in questions]
    total = sum(q.marks for q in questions)
    now = timezone.now()
    attempts, answers = [], []
    for u in users:
        ability = rng.gauss(0, 1)
        attempt = QuizAttempt(
            quiz=quiz,
            student_id=u.pk,
            attempt_number=1,
            started_at=now - timedelta(hours=1),
            submitted_at=now - timedelta(minutes=rng.randint(1, 50)),
            deadline=now,
            status=AttemptStatus.GRADED,
            total_marks=total,
            total_violations=rng.choice([0, 0, 0, 1, 2]),
        )
        score = 0
        for q, b in zip(questions, difficulty, strict=True):
            p = 1 / (1 + math.exp(-(ability - b)))
            marks = q.marks if rng.random() < p else (1 if q.marks == 2 and rng.random() < 0.3 else 0)
            score += marks
            answers.append(
                StudentAnswer(
                    attempt=attempt,
                    question=q,
                    answer_option=0 if marks == q.marks else 1,
                    marks_awarded=Decimal(marks),
                    is_final=True,
                )
            )
        attempt.score = Decimal(score)
        attempt.percentage = (Decimal(score) * 100 / total).quantize(Decimal("0.01"))
        attempt.passed = attempt.percentage >= quiz.passing_percentage
        attempts.append(attempt)
    QuizAttempt.objects.bulk_create(attempts, batch_size=1000)
    StudentAnswer.objects.bulk_create(answers, batch_size=5000)
    return quiz


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1000)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            quiz = build(args.attempts)
            print(f"built {args.attempts} attempts x {QUESTIONS} questions in {time.perf_counter() - t0:.1f} s")

            def baseline():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT a.attempt_id, a.question_id, a.marks_awarded FROM student_answers a "
                        "JOIN quiz_attempts t ON t.id = a.attempt_id WHERE t.quiz_id = %s",
                        [quiz.pk],
                    )
                    rows = cursor.fetchall()
                assert len(rows) == args.attempts * QUESTIONS

            def cold():
                invalidate_quiz_analytics(quiz.pk)
                data = selectors.quiz_analytics(quiz, attempts="all")
                assert data["total_attempts"] == args.attempts

            def cached():
                selectors.quiz_analytics(quiz, attempts="all")

            baseline()  # warm the connection and PostgreSQL's buffers for every measurement alike
            base = statistics.median(timed(baseline) for _ in range(RUNS))
            cold_t = statistics.median(timed(cold) for _ in range(RUNS))
            cached_t = statistics.median(timed(cached) for _ in range(RUNS))
            data = selectors.quiz_analytics(quiz, attempts="all")
            s = data["statistics"]
            doubtful = sum(1 for q in data["question_statistics"] if q["doubtful"])
            print(f"sanity: mean {s['mean']:.2f}/{s['max_total']:.0f}, CIC {s['cic']:.1f}%, {doubtful} doubtful")
            print(f"baseline (raw SELECT of {args.attempts * QUESTIONS} answers): {base * 1000:8.1f} ms")
            print(f"quiz analytics, cold (median of {RUNS}):            {cold_t * 1000:8.1f} ms")
            print(f"quiz analytics, cached (median of {RUNS}):          {cached_t * 1000:8.1f} ms")
            print(f"ratio cold / baseline: {cold_t / base:.1f}x; target < 1000 ms: {'OK' if cold_t < 1 else 'MISSED'}")
            invalidate_quiz_analytics(quiz.pk)
            raise Rollback
    except Rollback:
        print("scratch data rolled back")


if __name__ == "__main__":
    main()
