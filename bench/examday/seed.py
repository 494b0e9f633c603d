"""Seed an exam day: one school class of N students, their teacher and a published quiz (bench/examday/run.py).

Run with the serve environment (run.py does): `python bench/examday/seed.py --students 1000 --out bench/out/seed.json`.
Every run makes a fresh class, students and quiz (the registration numbers carry a run tag), so runs never
interfere; `--cleanup` deletes earlier benchmark schools first. Reuses the test factories (one argon2 hash for all
students, computed once; each login still verifies it for real).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, Student, User  # noqa: E402
from classrooms.models import SchoolClass  # noqa: E402
from quizzes.models import QuestionType, QuizStatus  # noqa: E402
from tests.factories import (  # noqa: E402
    QuestionFactory,
    QuizClassFactory,
    QuizFactory,
    QuizQuestionFactory,
    SchoolClassFactory,
    TeacherClassFactory,
    TeacherFactory,
    hashed,
)

PASSWORD = "exam-day-bench-2026"
QUESTIONS = 10


def cleanup() -> None:
    for cls in SchoolClass.objects.filter(name__startswith="Bench "):
        user_ids = list(Student.objects.filter(school_class=cls).values_list("user_id", flat=True))
        teacher_ids = (
            list(cls.teacher_links.values_list("teacher_id", flat=True)) if hasattr(cls, "teacher_links") else []
        )
        with transaction.atomic():
            from quizzes.models import Quiz

            Quiz.objects.filter(classes=cls).delete()
            User.objects.filter(pk__in=user_ids).delete()
            User.objects.filter(pk__in=teacher_ids, role=Role.TEACHER, email__startswith="bench-").delete()
            cls.delete()


def seed(n: int, minutes: int) -> dict:
    tag = time.strftime("%H%M%S")
    pw = hashed(PASSWORD)
    with transaction.atomic():
        teacher = TeacherFactory(user__email=f"bench-teacher-{tag}@school.test", user__name="Bench Teacher",
                                 user__password=pw)  # fmt: skip
        cls = SchoolClassFactory(name=f"Bench {tag}", section="A")
        TeacherClassFactory(teacher=teacher, school_class=cls)
        users = User.objects.bulk_create(
            [
                User(email=f"b{tag}-{i:05d}@school.test", name=f"Student {i:05d}", role=Role.STUDENT, password=pw)
                for i in range(n)
            ]  # fmt: skip
        )
        now = timezone.now()
        Student.objects.bulk_create(
            [
                Student(
                    user=u,
                    registration_number=f"B{tag}{i:05d}",
                    school_class=cls,
                    is_account_claimed=True,
                    claimed_at=now,
                )
                for i, u in enumerate(users)
            ]  # fmt: skip
        )
        quiz = QuizFactory(title=f"Exam day {tag}", created_by=teacher, status=QuizStatus.PUBLISHED,
                           time_limit_minutes=minutes, violation_threshold=50)  # fmt: skip
        QuizClassFactory(quiz=quiz, school_class=cls)
        questions = []
        for i in range(QUESTIONS):
            if i % 5 == 4:
                q = QuestionFactory(text=f"Bench short {i}", type=QuestionType.SHORT_ANSWER, options=None,
                                    correct_answer=None, accepted_answers=["paris"], created_by=teacher)  # fmt: skip
            else:
                q = QuestionFactory(text=f"Bench mcq {i}", created_by=teacher)
            QuizQuestionFactory(quiz=quiz, question=q, order_index=i + 1)
            questions.append({"id": str(q.pk), "type": q.type})
    return {
        "tag": tag,
        "quiz_id": str(quiz.pk),
        "teacher": teacher.user.email,
        "password": PASSWORD,
        "students": [f"B{tag}{i:05d}" for i in range(n)],
        "questions": questions,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "seed.json"))
    parser.add_argument("--cleanup", action="store_true")
    args = parser.parse_args()
    if args.cleanup:
        cleanup()
    started = time.monotonic()
    data = seed(args.students, args.minutes)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data))
    print(f"seed: {args.students} students, quiz {data['quiz_id']} in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
