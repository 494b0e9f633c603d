"""Benchmark of question files (issue 18): the largest file the import accepts (5,000 questions), checked (dry
run) and imported, and the same bank exported to each format.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/bench_question_files.py [--questions N]

Works in a scratch test database that is destroyed at the end. The import runs in the request up to
QUESTION_ASYNC_THRESHOLD questions and on a Celery worker above; this says what one worker's run costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("DEBUG", "true")  # a local measurement, not a deployment (DEBUG is off by default)


def make_gift(n: int) -> bytes:
    return "\n\n".join(
        f"::q{i}::Question number {i}: pick the right one?{{=right {i} ~wrong a ~wrong b ~wrong c}}" for i in range(n)
    ).encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (PostgreSQL) first.", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.db import connection

    from accounts.models import Role, Teacher, User
    from quizzes import services
    from quizzes.interchange.export import EXPORT_FORMATS, export_questions
    from quizzes.models import Question

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        user = User.objects.create_user("bench.teacher@bench.test", role=Role.TEACHER, name="Bench Teacher")
        Teacher.objects.get_or_create(user=user)
        data = make_gift(args.questions)
        print(f"GIFT file: {args.questions} questions, {len(data) / 1024:.0f} KB")
        worst = 0.0
        for label, dry_run in (("dry run", True), ("import", False)):
            started = time.perf_counter()
            result = services.question_file_import(by=user, data=data, name="bench.gift", dry_run=dry_run)
            elapsed = time.perf_counter() - started
            worst = max(worst, elapsed)
            assert result["would_import"] == args.questions, result["message"]
            print(f"{label:>10}: {elapsed:6.2f} s  ({args.questions / elapsed:8.0f} questions/s)")
        questions = list(Question.objects.all())
        for fmt in EXPORT_FORMATS:
            started = time.perf_counter()
            export = export_questions(questions, fmt)
            elapsed = time.perf_counter() - started
            print(f"{'export ' + fmt:>18}: {elapsed:6.2f} s  ({len(export.data) / 1024:.0f} KB)")
        verdict = "OK" if worst < 10 else "TOO SLOW"
        print(f"target < 10 s per {args.questions} questions: {verdict}")
        return 0 if worst < 10 else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
