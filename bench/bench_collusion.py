"""Benchmark of the collusion leads (issue 20): a quiz with 1,000 finished attempts x 40 multiple-choice questions,
three planted copying pairs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/bench_collusion.py [--attempts N]

Builds its scratch data inside one transaction that is rolled back at the end. Prints the time of a whole run
(integrity.services.collusion_compute: read the answers, test all n(n-1)/2 pairs, store the leads), the in-memory
analysis alone, and, as the baseline measured in the same run, the obvious implementation (each pair's two
one-directional GBT p-values computed directly, integrity.copying.gbt_pvalue) timed on a random sample of pairs and
scaled to all pairs. Target: a 1,000-student quiz in seconds.
"""

from __future__ import annotations

import argparse
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
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, Student, Teacher, User  # noqa: E402
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer  # noqa: E402
from integrity import copying, services  # noqa: E402
from integrity.tests.simulate import simulate  # noqa: E402
from quizzes.models import Question, QuestionType, Quiz, QuizQuestion, QuizStatus  # noqa: E402

QUESTIONS = 40
RUNS = 3
SAMPLE_PAIRS = 3000
PLANTED = [(100, 101, 0.9), (300, 301, 0.9), (500, 501, 1.0)]


class Rollback(Exception):
    pass


def build(n: int) -> Quiz:
    tag = uuid.uuid4().hex[:8]
    teacher_user = User.objects.create_user(f"bench-{tag}@bench.test", None, role=Role.TEACHER, name="Bench Teacher")
    teacher = Teacher.objects.create(user=teacher_user, subject="Benchmarks")
    quiz = Quiz.objects.create(
        title=f"Bench collusion {tag}",
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
            marks=1,
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
        for i in range(n)
    )
    Student.objects.bulk_create(
        Student(user=u, registration_number=f"C{tag.upper()}{i:05d}") for i, u in enumerate(users)
    )
    responses, correct = simulate(n, QUESTIONS, seed=20, copiers=PLANTED)
    rng = random.Random(20)
    now = timezone.now()
    attempts, answers = [], []
    for s, u in enumerate(users):
        score = sum(correct[s])
        attempt = QuizAttempt(
            quiz=quiz,
            student_id=u.pk,
            attempt_number=1,
            started_at=now - timedelta(hours=1),
            submitted_at=now - timedelta(minutes=5),
            deadline=now,
            status=AttemptStatus.GRADED,
            score=Decimal(score),
            total_marks=QUESTIONS,
            percentage=Decimal(score * 100 / QUESTIONS).quantize(Decimal("0.01")),
            passed=score * 2 >= QUESTIONS,
            ip_address=f"10.0.{s // 250}.{s % 250 + 1}",
        )
        attempts.append(attempt)
        for i, q in enumerate(questions):
            at = now - timedelta(minutes=50) + timedelta(seconds=60 * i + rng.randint(0, 50))
            answers.append(
                StudentAnswer(
                    attempt=attempt,
                    question=q,
                    answer_option=responses[s][i],
                    marks_awarded=Decimal(int(correct[s][i])),
                    is_final=True,
                    answered_at=at,
                    updated_at=at,
                )
            )
    QuizAttempt.objects.bulk_create(attempts, batch_size=1000)
    StudentAnswer.objects.bulk_create(answers, batch_size=5000)
    StudentAnswer.objects.filter(attempt__quiz=quiz).update(updated_at=now - timedelta(minutes=30))
    return quiz


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1000)
    args = parser.parse_args()
    n = args.attempts
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            quiz = build(n)
            print(f"built {n} attempts x {QUESTIONS} questions in {time.perf_counter() - t0:.1f} s")
            data = services.quiz_responses(quiz)
            pairs = n * (n - 1) // 2

            def whole_run():
                with transaction.atomic():
                    services.collusion_compute(quiz=quiz, by=None)

            def analysis_only():
                copying.analyse(data.responses, data.correct)

            groups = copying.group_count(n)
            group_of = copying.score_groups([sum(r) for r in data.correct], groups)
            rng = random.Random(1)
            sample = [tuple(rng.sample(range(n), 2)) for _ in range(SAMPLE_PAIRS)]

            def naive_sample():
                shares = copying.option_shares(data.responses, group_of, groups)
                for a, b in sample:
                    p = min(
                        copying.gbt_pvalue(a, b, data.responses, group_of, shares),
                        copying.gbt_pvalue(b, a, data.responses, group_of, shares),
                    )
                    assert 0 <= p <= 1

            whole = statistics.median(timed(whole_run) for _ in range(RUNS))
            memory = statistics.median(timed(analysis_only) for _ in range(RUNS))
            naive = timed(naive_sample) * pairs / SAMPLE_PAIRS
            run = quiz.collusion_runs.get()
            top = [
                sorted([int(lead.attempt_a.student.user.name[-4:]), int(lead.attempt_b.student.user.name[-4:])])
                for lead in run.leads.filter(significant=True).select_related(
                    "attempt_a__student__user", "attempt_b__student__user"
                )
            ]
            print(
                f"sanity: {run.leads.filter(significant=True).count()} leads, planted pairs found: "
                f"{sum([a, b] in top for a, b, _ in PLANTED)}/{len(PLANTED)}; leads: {top}"
            )
            print(f"whole run (read, {pairs} pairs, store; median of {RUNS}): {whole * 1000:8.0f} ms")
            print(f"analysis in memory (median of {RUNS}):                 {memory * 1000:8.0f} ms")
            print(
                f"naive baseline (2 direct GBTs per pair, {SAMPLE_PAIRS} sampled pairs scaled to {pairs}): "
                f"{naive * 1000:8.0f} ms"
            )
            print(f"ratio naive / analysis: {naive / memory:.0f}x; whole run < 5 s: {'OK' if whole < 5 else 'MISSED'}")
            raise Rollback
    except Rollback:
        print("scratch data rolled back")


if __name__ == "__main__":
    main()
