"""Benchmark: import 10,000 students through the same service as the API (target: under 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/bench_import_students.py [--rows N]

Works in its own throw-away database (bench_quizsite_import, created, migrated and dropped again), so it never
touches the data behind DATABASE_URL. It measures the whole import: reading the CSV, validating every row, the
bulk inserts and, in a second run, hashing a claim code per student.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("DEBUG", "true")  # a local measurement, not a deployment (DEBUG is off by default)
os.environ["TEST_DATABASE_NAME"] = "bench_quizsite_import"
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")


def make_csv(rows: int, prefix: str) -> io.BytesIO:
    lines = ["name,email,registration_number,class_name,section,academic_year,date_of_birth,parent_email"]
    for i in range(rows):
        lines.append(
            f"Student {prefix}{i},{prefix}{i}@bench.test,{prefix}{i:06d},Class {i % 40},,2026-2027,"
            f"2010-01-{i % 28 + 1:02d},parent{i}@bench.test"
        )
    upload = io.BytesIO(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    upload.name = "bench.csv"
    return upload


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (PostgreSQL) first.", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.db import connection

    from accounts.models import Role, Student, User
    from classrooms import services

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        admin = User.objects.create_user("bench.admin@bench.test", role=Role.ADMIN, name="Bench Admin")
        results = []
        for label, prefix, codes in (("plain", "A", False), ("with claim codes", "B", True)):
            upload = make_csv(args.rows, prefix)
            started = time.perf_counter()
            outcome = services.students_import(by=admin, upload=upload, issue_claim_codes=codes)
            elapsed = time.perf_counter() - started
            assert outcome.imported == args.rows, outcome.as_response()
            results.append((label, elapsed))
            print(f"{label:>18}: {args.rows} students in {elapsed:6.2f} s  ({args.rows / elapsed:8.0f} rows/s)")
        assert Student.objects.count() == 2 * args.rows
        worst = max(e for _, e in results)
        verdict = "OK" if worst < 60 else "TOO SLOW"
        print(f"target < 60 s per {args.rows} rows: {verdict}")
        return 0 if worst < 60 else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
