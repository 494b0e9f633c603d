"""Seed the security run's database with the demo school (`manage.py seed_demo`: built through the services) and
print, as JSON, the three logins and the ids schemathesis draws path parameters from.

Run by security/run.py with the server's environment: `python security/seed.py`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

import django  # noqa: E402

django.setup()

from accounts.models import Notification, Student, Teacher, User  # noqa: E402
from attempts.models import QuizAttempt  # noqa: E402
from classrooms.models import SchoolClass  # noqa: E402
from demo import content  # noqa: E402
from demo.school import build_demo_school  # noqa: E402
from quizzes.models import Question, Quiz  # noqa: E402

# The roles schemathesis runs as: the demo's admin, its maths teacher and its first (claimed) student.
TEACHER = content.TEACHERS[content.MATHS]
STUDENT_NUMBER = "STU2026001"
PER_MODEL = 6  # ids of each kind: the role's own objects first, then others' (so outsider paths are tried too)


def _ids(queryset, own=None) -> list[str]:
    first = list(own.values_list("pk", flat=True)[: PER_MODEL // 2]) if own is not None else []
    rest = queryset.exclude(pk__in=first).values_list("pk", flat=True)[: PER_MODEL - len(first)]
    return [str(pk) for pk in [*first, *rest]]


def main() -> None:
    build_demo_school()
    teacher = Teacher.objects.get(user__email=TEACHER.email)
    student = Student.objects.get(registration_number=STUDENT_NUMBER)
    ids = {
        "users": _ids(User.objects.order_by("email")),
        "teachers": _ids(Teacher.objects.order_by("pk"), own=Teacher.objects.filter(pk=teacher.pk)),
        "students": _ids(Student.objects.order_by("registration_number")),
        "classes": _ids(SchoolClass.objects.order_by("name"), own=teacher.classes.order_by("name")),
        "questions": _ids(Question.objects.order_by("created_at"), own=Question.objects.filter(created_by=teacher)),
        "quizzes": _ids(Quiz.objects.order_by("created_at"), own=Quiz.objects.filter(created_by=teacher)),
        "attempts": _ids(QuizAttempt.objects.order_by("started_at"), own=QuizAttempt.objects.filter(student=student)),
        "notifications": _ids(Notification.objects.order_by("pk")),
    }
    logins = {
        "admin": {"email_or_reg_no": content.ADMIN_EMAIL, "password": content.ADMIN_PASSWORD},
        "teacher": {"email_or_reg_no": TEACHER.email, "password": content.TEACHER_PASSWORD},
        "student": {"email_or_reg_no": STUDENT_NUMBER, "password": content.STUDENT_PASSWORD},
    }
    access_codes = list(Quiz.objects.order_by("created_at").values_list("access_code", flat=True)[:PER_MODEL])
    print(json.dumps({"logins": logins, "ids": ids, "access_codes": access_codes}))


if __name__ == "__main__":
    main()
