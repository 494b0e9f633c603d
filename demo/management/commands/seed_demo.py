"""`manage.py seed_demo` (run by `make run`): a believable demo school, built through the services (demo.school).
Idempotent: running it again finds everything in place and changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo import content
from demo.school import build_demo_school, unclaimed_claim_codes

CODES_SHOWN = 3


class Command(BaseCommand):
    help = "Load a demo school (1 admin, 3 teachers, 3 classes, 60 students, 40 questions, quizzes, attempts)."

    def handle(self, *args, **options):
        created = build_demo_school()
        self.stdout.write(self.style.SUCCESS("Demo school ready." if created else "Demo school already loaded."))
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  admin    {content.ADMIN_EMAIL} / {content.ADMIN_PASSWORD}")
        for teacher in content.TEACHERS:
            self.stdout.write(f"  teacher  {teacher.email} / {content.TEACHER_PASSWORD}")
        self.stdout.write(f"  student  STU2026001 (or alice.johnson@school.test) / {content.STUDENT_PASSWORD}")
        codes = unclaimed_claim_codes()
        if codes:
            self.stdout.write("Unclaimed students: claim at /accounts/claim/ with the registration number and code")
            for student, code in codes[:CODES_SHOWN]:
                self.stdout.write(f"  {student.registration_number}  claim code {code}  ({student.user.name})")
            if len(codes) > CODES_SHOWN:
                self.stdout.write(f"  ... and {len(codes) - CODES_SHOWN} more (their teachers can print their slips)")
