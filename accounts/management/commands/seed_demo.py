"""A believable demo school. Idempotent: running it again finds everything in place and changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, Student, Teacher, User
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer, SubmitReason
from attempts.scoring import mark_objective_answers, recompute_totals
from classrooms.models import SchoolClass, TeacherClass
from quizzes.models import Difficulty, Question, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus

ADMIN = ("admin@school.test", "Ada Admin", "admin123")
TEACHERS = [
    ("maths@school.test", "Mary Mathews", "Mathematics", "Sciences"),
    ("science@school.test", "Sam Newton", "Science", "Sciences"),
    ("english@school.test", "Emma Austen", "English", "Humanities"),
]
TEACHER_PASSWORD = "teacher123"
STUDENT_PASSWORD = "student123"
ACADEMIC_YEAR = "2026-2027"
CLASSES = [("Class 10", "A"), ("Class 10", "B"), ("Class 11", "A")]
FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "David",
    "Ella",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tara",
]
LAST = ["Johnson", "Okafor", "Nguyen", "Schmidt"]
UNCLAIMED_EVERY = 6  # every sixth student has not claimed their account yet

# (teacher index, type, topic, difficulty, marks, text, options, correct, accepted, sample, rubric)
QUESTIONS = []


def _build_questions():
    maths = [
        ("What is 7 × 8?", ["54", "56", "64", "48"], 1),
        ("Which of these is a prime number?", ["21", "27", "29", "33"], 2),
        ("What is the square root of 144?", ["11", "12", "13", "14"], 1),
        ("Solve for x: 2x + 6 = 14", ["3", "4", "5", "8"], 1),
        ("How many degrees are in a triangle's angles together?", ["90", "180", "270", "360"], 1),
        ("What is 15% of 200?", ["15", "20", "30", "45"], 2),
    ]
    for text, options, correct in maths:
        QUESTIONS.append((0, QuestionType.MCQ, "Arithmetic", Difficulty.EASY, 2, text, options, correct, [], "", ""))
    for text, correct in [
        ("Every square is a rectangle.", 0),
        ("Zero is a positive number.", 1),
        ("The sum of two odd numbers is even.", 0),
    ]:
        QUESTIONS.append(
            (
                0,
                QuestionType.TRUE_FALSE,
                "Reasoning",
                Difficulty.MEDIUM,
                1,
                text,
                ["True", "False"],
                correct,
                [],
                "",
                "",
            )
        )
    for text, accepted in [
        ("What is the value of π to two decimal places?", ["3.14"]),
        ("Name the longest side of a right-angled triangle.", ["hypotenuse", "the hypotenuse"]),
        ("What do we call a polygon with six sides?", ["hexagon"]),
    ]:
        QUESTIONS.append(
            (0, QuestionType.SHORT_ANSWER, "Geometry", Difficulty.MEDIUM, 2, text, None, None, accepted, "", "")
        )
    QUESTIONS.append(
        (
            0,
            QuestionType.DESCRIPTIVE,
            "Reasoning",
            Difficulty.HARD,
            5,
            "Explain why the angles of a triangle add up to 180 degrees.",
            None,
            None,
            [],
            "Draw a line through one vertex parallel to the opposite side; alternate angles are equal, "
            "and the three angles then form a straight line.",
            "2 marks: parallel line construction. 2 marks: alternate angles. 1 mark: conclusion.",
        )
    )
    science = [
        ("What gas do plants absorb from the air?", ["Oxygen", "Nitrogen", "Carbon dioxide", "Helium"], 2),
        ("What is the chemical symbol for water?", ["H2O", "CO2", "O2", "NaCl"], 0),
        ("Which planet is closest to the Sun?", ["Venus", "Earth", "Mercury", "Mars"], 2),
        ("What part of the cell contains genetic material?", ["Nucleus", "Membrane", "Ribosome", "Wall"], 0),
        ("What force keeps us on the ground?", ["Magnetism", "Gravity", "Friction", "Tension"], 1),
    ]
    for text, options, correct in science:
        QUESTIONS.append(
            (
                1,
                QuestionType.MCQ,
                "Biology" if "cell" in text or "plants" in text else "Physics",
                Difficulty.EASY,
                2,
                text,
                options,
                correct,
                [],
                "",
                "",
            )
        )
    for text, correct in [
        ("Sound travels faster than light.", 1),
        ("Water boils at 100 °C at sea level.", 0),
        ("Humans have four lungs.", 1),
    ]:
        QUESTIONS.append(
            (1, QuestionType.TRUE_FALSE, "Physics", Difficulty.EASY, 1, text, ["True", "False"], correct, [], "", "")
        )
    for text, accepted in [
        ("What is the powerhouse of the cell?", ["mitochondria", "mitochondrion"]),
        ("What is the freezing point of water in Celsius?", ["0", "0 °C", "zero"]),
        ("Which organ pumps blood around the body?", ["heart", "the heart"]),
    ]:
        QUESTIONS.append(
            (1, QuestionType.SHORT_ANSWER, "Biology", Difficulty.MEDIUM, 2, text, None, None, accepted, "", "")
        )
    for text, sample in [
        (
            "Describe photosynthesis in your own words.",
            "Plants use light energy to turn carbon dioxide and water into glucose and oxygen.",
        ),
        (
            "Explain the difference between weight and mass.",
            "Mass is the amount of matter; weight is the force of gravity on that mass.",
        ),
    ]:
        QUESTIONS.append(
            (
                1,
                QuestionType.DESCRIPTIVE,
                "Physics" if "weight" in text else "Biology",
                Difficulty.HARD,
                5,
                text,
                None,
                None,
                [],
                sample,
                "Key terms used correctly (2), explanation complete (2), clear writing (1).",
            )
        )
    english = [
        ("Which word is a noun?", ["quickly", "happiness", "run", "blue"], 1),
        ("Choose the correct spelling.", ["recieve", "receive", "receeve", "riceive"], 1),
        ("Which is a synonym of 'rapid'?", ["slow", "fast", "late", "weak"], 1),
        ("Who wrote 'Romeo and Juliet'?", ["Dickens", "Austen", "Shakespeare", "Orwell"], 2),
        (
            "Which sentence is in the past tense?",
            ["I walk home.", "I walked home.", "I will walk home.", "I am walking home."],
            1,
        ),
        ("What is an adjective?", ["A describing word", "An action word", "A naming word", "A joining word"], 0),
    ]
    for text, options, correct in english:
        QUESTIONS.append(
            (
                2,
                QuestionType.MCQ,
                "Grammar" if "Who" not in text else "Literature",
                Difficulty.EASY,
                2,
                text,
                options,
                correct,
                [],
                "",
                "",
            )
        )
    for text, correct in [
        ("'Their' and 'there' mean the same thing.", 1),
        ("A haiku has three lines.", 0),
        ("A verb can describe an action.", 0),
    ]:
        QUESTIONS.append(
            (2, QuestionType.TRUE_FALSE, "Grammar", Difficulty.EASY, 1, text, ["True", "False"], correct, [], "", "")
        )
    for text, accepted in [
        ("What is the plural of 'child'?", ["children"]),
        ("What punctuation mark ends a question?", ["question mark", "?"]),
        ("What is the opposite of 'ancient'?", ["modern", "new"]),
    ]:
        QUESTIONS.append(
            (2, QuestionType.SHORT_ANSWER, "Grammar", Difficulty.EASY, 1, text, None, None, accepted, "", "")
        )
    for text in [
        "Write a short paragraph describing your favourite place.",
        "What is the main theme of a story you read this term? Explain with an example.",
    ]:
        QUESTIONS.append(
            (
                2,
                QuestionType.DESCRIPTIVE,
                "Writing",
                Difficulty.MEDIUM,
                5,
                text,
                None,
                None,
                [],
                "A clear topic sentence, vivid details and a closing sentence.",
                "Structure (2), detail (2), spelling and grammar (1).",
            )
        )


_build_questions()
assert len(QUESTIONS) == 40, len(QUESTIONS)


class Command(BaseCommand):
    help = "Load a demo school (1 admin, 3 teachers, 3 classes, 60 students, 40 questions, quizzes, attempts)."

    def handle(self, *args, **options):
        created = self.seed()
        self.stdout.write(self.style.SUCCESS("Demo school ready." if created else "Demo school already loaded."))
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  admin    {ADMIN[0]} / {ADMIN[2]}")
        for email, *_ in TEACHERS:
            self.stdout.write(f"  teacher  {email} / {TEACHER_PASSWORD}")
        self.stdout.write(f"  student  STU2026001 (or alice.johnson@school.test) / {STUDENT_PASSWORD}")
        self.stdout.write(
            f"  unclaimed student: STU20260{UNCLAIMED_EVERY:02d} has no password yet and must claim the account"
        )

    @transaction.atomic
    def seed(self) -> bool:
        rng = random.Random(2026)
        now = timezone.now()
        changed = False

        admin, made = self._user(ADMIN[0], ADMIN[1], Role.ADMIN, ADMIN[2], is_superuser=True)
        changed |= made

        teachers = []
        for email, name, subject, department in TEACHERS:
            user, made = self._user(email, name, Role.TEACHER, TEACHER_PASSWORD)
            teacher, _ = Teacher.objects.get_or_create(
                user=user, defaults={"subject": subject, "department": department}
            )
            teachers.append(teacher)
            changed |= made

        classes = []
        for i, (name, section) in enumerate(CLASSES):
            cls, made = SchoolClass.objects.get_or_create(
                name=f"{name}{section}", section=section, academic_year=ACADEMIC_YEAR, defaults={"created_by": admin}
            )
            classes.append(cls)
            changed |= made
            # Every teacher teaches their subject to every class except English, which only has Class 10.
            for t_index, teacher in enumerate(teachers):
                if t_index == 2 and i == 2:
                    continue
                TeacherClass.objects.get_or_create(teacher=teacher, school_class=cls)

        students = []
        n = 0
        for class_index, cls in enumerate(classes):
            for k in range(20):
                n += 1
                first = FIRST[k]
                last = LAST[(k + class_index) % len(LAST)]
                reg = f"STU2026{n:03d}"
                email = f"{first}.{last}{'' if n <= 20 else n}@school.test".lower()
                if n == 1:
                    email = "alice.johnson@school.test"
                claimed = n % UNCLAIMED_EVERY != 0
                user, made = self._user(email, f"{first} {last}", Role.STUDENT, STUDENT_PASSWORD if claimed else None)
                student, _ = Student.objects.get_or_create(
                    user=user,
                    defaults={
                        "registration_number": reg,
                        "school_class": cls,
                        "date_of_birth": None,
                        "parent_email": f"parent.{last.lower()}{n}@example.test",
                        "is_account_claimed": claimed,
                        "claimed_at": now - timedelta(days=30) if claimed else None,
                    },
                )
                students.append(student)
                changed |= made

        questions = []
        for t_index, qtype, topic, difficulty, marks, text, options, correct, accepted, sample, rubric in QUESTIONS:
            question, made = Question.objects.get_or_create(
                text=text,
                created_by=teachers[t_index],
                defaults={
                    "type": qtype,
                    "topic": topic,
                    "difficulty": difficulty,
                    "marks": marks,
                    "options": options,
                    "correct_answer": correct,
                    "accepted_answers": accepted,
                    "sample_answer": sample,
                    "marking_rubric": rubric,
                },
            )
            questions.append(question)
            changed |= made

        by_teacher = {i: [q for q, spec in zip(questions, QUESTIONS, strict=True) if spec[0] == i] for i in range(3)}
        plans = [
            # (teacher, title, status, class indexes, questions slice, days ago started, with attempts)
            (0, "Arithmetic check-up", QuizStatus.PUBLISHED, [0, 1], slice(0, 12), 2, True),
            (0, "Geometry and reasoning (draft)", QuizStatus.DRAFT, [2], slice(6, 13), None, False),
            (1, "Science basics", QuizStatus.PUBLISHED, [0, 1, 2], slice(0, 13), 3, True),
            (1, "Autumn term science review", QuizStatus.ARCHIVED, [2], slice(0, 11), 60, True),
            (2, "Grammar warm-up", QuizStatus.PUBLISHED, [0], slice(0, 12), 1, True),
            (2, "Creative writing", QuizStatus.DRAFT, [1], slice(12, 14), None, False),
        ]
        for t_index, title, status, class_idx, qslice, days_ago, with_attempts in plans:
            teacher = teachers[t_index]
            start = now - timedelta(days=days_ago) if days_ago is not None else None
            end = (start + timedelta(days=30 if status != QuizStatus.ARCHIVED else 7)) if start else None
            quiz, made = Quiz.objects.get_or_create(
                title=title,
                created_by=teacher,
                defaults={
                    "subject": teacher.subject,
                    "description": f"{title} for {teacher.subject}.",
                    "time_limit_minutes": 20,
                    "status": status,
                    "start_date": start,
                    "end_date": end,
                    "passing_percentage": 50,
                    "max_attempts": 1,
                    "allow_review": True,
                    "show_answers_after_submission": status != QuizStatus.PUBLISHED or t_index == 2,
                },
            )
            changed |= made
            if made:
                for order, question in enumerate(by_teacher[t_index][qslice]):
                    QuizQuestion.objects.create(quiz=quiz, question=question, order_index=order)
                for ci in class_idx:
                    QuizClass.objects.create(quiz=quiz, school_class=classes[ci])
            if with_attempts and not quiz.attempts.exists():
                self._attempts(quiz, [classes[ci] for ci in class_idx], students, rng, start)
                changed = True
        return changed

    def _user(self, email, name, role, password, is_superuser=False):
        user = User.objects.filter(email=email).first()
        if user:
            return user, False
        return User.objects.create_user(email, password, name=name, role=role, is_superuser=is_superuser), True

    def _attempts(self, quiz, classes, students, rng, start):
        quiz_questions = list(quiz.quiz_questions.select_related("question"))
        class_ids = {c.id for c in classes}
        takers = [s for s in students if s.school_class_id in class_ids and s.is_account_claimed]
        for student in takers:
            if rng.random() < 0.3:
                continue  # not everyone has taken it yet
            ability = rng.uniform(0.35, 0.95)
            started = start + timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
            submitted = started + timedelta(minutes=rng.randint(6, 19))
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                student=student,
                attempt_number=1,
                started_at=started,
                deadline=started + timedelta(minutes=quiz.time_limit_minutes),
                submitted_at=submitted,
                status=AttemptStatus.SUBMITTED,
                submit_reason=SubmitReason.STUDENT,
                total_violations=rng.choice([0, 0, 0, 0, 1, 2]),
                ip_address="127.0.0.1",
                user_agent="seed_demo",
            )
            answers = []
            for qq in quiz_questions:
                q = qq.question
                right = rng.random() < ability
                option, text = None, None
                if q.type in (QuestionType.MCQ, QuestionType.TRUE_FALSE):
                    wrong = [i for i in range(len(q.options)) if i != q.correct_answer]
                    option = q.correct_answer if right else rng.choice(wrong)
                elif q.type == QuestionType.SHORT_ANSWER:
                    text = q.accepted_answers[0].upper() if right else "not sure"
                else:
                    text = q.sample_answer if right else "I think it is about energy."
                answers.append(
                    StudentAnswer(
                        attempt=attempt,
                        question=q,
                        answer_option=option,
                        answer_text=text,
                        answered_at=started,
                        is_final=True,
                    )
                )
            StudentAnswer.objects.bulk_create(answers)
            mark_objective_answers(attempt)
            recompute_totals(attempt)
