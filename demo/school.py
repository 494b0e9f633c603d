"""Builds the demo school by calling the services a user's clicks call: the admin creates the teachers, classes
and students, students claim their accounts, teachers write questions and quizzes and publish them, students
start, answer (autosave), trip a detector now and then and submit, and a teacher marks written answers.

So every demo row is one the application itself could have written: no page or hot path needs a fallback for
rows made behind its back. Things that happened in the past are told to the services through their `now`
parameter (attempts); where a service stamps the current time and the story needs an earlier one (when students
claimed their accounts), the timestamp is moved afterwards. The one other thing set afterwards is the claim code
of the students who have not claimed their account: the random code the admin was given is replaced by a fixed
one (content.claim_code), so that seed_demo can print it on every run.

Idempotent: each step looks its object up by its natural key (e-mail, registration number, class name, question
text, quiz title) and calls the service only when it is missing, so a second run writes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.claim_codes import claim_code_hash, claim_code_matches
from accounts.models import Accommodation, Role, Student, Teacher, User
from attempts import services as attempt_services
from attempts.models import AttemptStatus, QuizAttempt, ViolationType
from classrooms import services as classroom_services
from classrooms.models import SchoolClass
from demo import content
from grading import services as grading_services
from integrity.models import QuestionFix
from integrity.quality import question_fix_apply
from integrity.services import collusion_compute
from lti.models import Platform as LtiPlatform
from lti.services.registration import platform_save as lti_platform_save
from quizzes import services as quiz_services
from quizzes import types as question_types
from quizzes.models import OPTION_TYPES, Question, QuestionType, Quiz, QuizStatus
from reports import services as report_services
from reports.models import ReportJob

# Where the demo's exams were "taken from" (the attempt's ip and user agent).
DEMO_IP = "127.0.0.1"
DEMO_USER_AGENT = "seed_demo"
OUTBOX_FLUSH = 4  # answers per autosave request
DETECTORS = [ViolationType.TAB_SWITCH, ViolationType.FOCUS_LOST, ViolationType.FULLSCREEN_EXIT]


@dataclass
class _School:
    admin: User
    teachers: list[Teacher]
    classes: list[SchoolClass]
    students: list[Student]
    questions: list[Question]  # in the order of content.QUESTIONS


@transaction.atomic
def build_demo_school(*, now: datetime | None = None) -> bool:
    """Build whatever part of the demo school is missing. Returns whether anything was created."""
    now = now or timezone.now()
    rng = random.Random(2026)
    admin, changed = _admin()
    teachers, made = _teachers(admin)
    changed |= made
    classes, made = _classes(admin, teachers)
    changed |= made
    students, made = _students(admin, classes, now)
    changed |= made
    questions, made = _questions(teachers)
    changed |= made
    changed |= _imported_questions(teachers)
    school = _School(admin, teachers, classes, students, questions)
    for plan in content.QUIZZES:
        changed |= _quiz(school, plan, rng, now)
    changed |= _integrity(school)
    changed |= _lti_platform(admin)
    changed |= _fair_exams(school, now)
    changed |= _random_practice(school)
    changed |= _reports(school)
    return changed


def _reports(school: _School) -> bool:
    """Issue 22: the report jobs of content.REPORTS, started through the reports service (queued after commit)."""
    changed = False
    for plan in content.REPORTS:
        teacher = school.teachers[plan.teacher]
        quiz = Quiz.objects.get(title=plan.quiz_title, created_by=teacher)
        if ReportJob.objects.filter(owner=teacher.user, kind=plan.kind, params__quiz_id=str(quiz.pk)).exists():
            continue
        class_id = school.classes[plan.class_index].pk if plan.class_index is not None else None
        report_services.report_job_start(by=teacher.user, kind=plan.kind, quiz_id=quiz.pk, class_id=class_id)
        changed = True
    return changed


def _random_practice(school: _School) -> bool:
    """Issue 16: tags in the first teacher's bank and a draft quiz with a random slot (content.RANDOM_PRACTICE)."""
    title, tag, count = content.RANDOM_PRACTICE
    teacher = school.teachers[0]
    if Quiz.objects.filter(title=title, created_by=teacher).exists():
        return False
    bank = [q for q, spec in zip(school.questions, content.QUESTIONS, strict=True) if spec.teacher == 0]
    for question in bank[: count + 2]:
        quiz_services.question_update(question=question, by=teacher.user, data={"tags": [*question.tags, tag]})
    quiz = quiz_services.quiz_create(
        by=teacher.user,
        data={"title": title, "subject": teacher.subject, "time_limit_minutes": content.TIME_LIMIT_MINUTES},
        class_ids=[school.classes[0].pk],
        question_ids=[],
    )
    quiz_services.quiz_slot_add(quiz=quiz, by=teacher.user, data={"count": count, "marks": 2, "tag": tag})
    return True


def _fair_exams(school: _School, now: datetime) -> bool:
    """Issue 17: an accommodated student and a personal window (content.ACCOMMODATION, PERSONAL_WINDOW_QUIZ)."""
    first_class = [s for s in school.students if s.school_class_id == school.classes[0].pk]
    claimed = next((s for s in first_class if s.is_account_claimed), None)
    unclaimed = next((s for s in first_class if not s.is_account_claimed), None)
    changed = False
    if claimed is not None and not Accommodation.objects.filter(student=claimed).exists():
        account_services.accommodation_set(student=claimed, by=school.admin, **content.ACCOMMODATION)
        changed = True
    quiz = Quiz.objects.filter(title=content.PERSONAL_WINDOW_QUIZ, status=QuizStatus.PUBLISHED).first()
    if quiz is not None and unclaimed is not None and not quiz.overrides.filter(student=unclaimed).exists():
        quiz_services.override_set(
            quiz=quiz,
            by=school.admin,
            student=unclaimed,
            start_date=now,
            end_date=now + content.PERSONAL_WINDOW,
            reason="Missed the exam (ill)",
        )
        changed = True
    return changed


def _integrity(school: _School) -> bool:
    """Issue 20: a quality fix in the bank's history, and each sat quiz's collusion leads (computed once)."""
    title, position, action, reason = content.QUALITY_FIX
    changed = False
    quiz = Quiz.objects.filter(title=title).select_related("created_by__user").first()
    if quiz is not None and not QuestionFix.objects.filter(quiz=quiz).exists():
        link = quiz.quiz_questions.select_related("question").order_by("order_index")[position]
        question_fix_apply(quiz=quiz, question=link.question, by=quiz.created_by.user, action=action, reason=reason)
        changed = True
    for quiz in Quiz.objects.filter(attempts__isnull=False, collusion_runs__isnull=True).distinct():
        collusion_compute(quiz=quiz, by=None)
        changed = True
    return changed


def _lti_platform(admin: User) -> bool:
    """The school's LMS, registered on the LTI page (issue 19): shows what the admin pasted from Moodle."""
    plan = dict(content.LTI_PLATFORM)
    if LtiPlatform.objects.filter(issuer=plan["issuer"], client_id=plan["client_id"]).exists():
        return False
    lti_platform_save(by=admin, deployment_ids=plan.pop("deployment_ids"), **plan)
    return True


def _admin() -> tuple[User, bool]:
    admin = User.objects.filter(email=content.ADMIN_EMAIL).first()
    if admin is not None:
        return admin, False
    # The first administrator exists before anyone can click anything: made the way `createsuperuser` makes it.
    admin = User.objects.create_superuser(content.ADMIN_EMAIL, content.ADMIN_PASSWORD, name=content.ADMIN_NAME)
    return admin, True


def _teachers(admin: User) -> tuple[list[Teacher], bool]:
    teachers, made = [], False
    for spec in content.TEACHERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = account_services.user_create(
                by=admin,
                email=spec.email,
                name=spec.name,
                role=Role.TEACHER,
                password=content.TEACHER_PASSWORD,
                subject=spec.subject,
                department=spec.department,
            )
            made = True
        teachers.append(Teacher.objects.select_related("user").get(user=user))
    return teachers, made


def _classes(admin: User, teachers: list[Teacher]) -> tuple[list[SchoolClass], bool]:
    classes, made = [], False
    for index, (name, section) in enumerate(content.CLASSES):
        full_name = f"{name}{section}"
        school_class = SchoolClass.objects.filter(
            name=full_name, section=section, academic_year=content.ACADEMIC_YEAR
        ).first()
        if school_class is None:
            school_class = classroom_services.class_create(
                by=admin, name=full_name, section=section, academic_year=content.ACADEMIC_YEAR
            )
            made = True
        for t_index, teacher in enumerate(teachers):
            if (t_index, index) not in content.NOT_TAUGHT:
                # Writes nothing when the teacher already teaches the class.
                made |= classroom_services.class_assign_teacher(school_class=school_class, teacher=teacher, by=admin)
        classes.append(school_class)
    return classes, made


def _students(admin: User, classes: list[SchoolClass], now: datetime) -> tuple[list[Student], bool]:
    specs = content.students()
    existing = set(
        Student.objects.filter(registration_number__in=[s.registration_number for s in specs]).values_list(
            "registration_number", flat=True
        )
    )
    claimed_now = []
    for spec in specs:
        if spec.registration_number in existing:
            continue
        student = classroom_services.student_create(
            by=admin,
            name=spec.name,
            email=spec.email,
            registration_number=spec.registration_number,
            school_class=classes[spec.class_index],
            parent_email=spec.parent_email,
        )
        if spec.claimed:
            # With the claim code on the slip the admin printed when creating the student.
            account_services.account_claim(
                registration_number=spec.registration_number,
                password=content.STUDENT_PASSWORD,
                confirm_password=content.STUDENT_PASSWORD,
                claim_code=student.claim_code,
            )
            claimed_now.append(student.pk)
        else:
            demo_code = claim_code_hash(content.claim_code(spec.registration_number))
            Student.objects.filter(pk=student.pk).update(claim_code_hash=demo_code)
    Student.objects.filter(pk__in=claimed_now).update(claimed_at=now - content.CLAIMED_AGO)
    students = list(
        Student.objects.filter(registration_number__in=[s.registration_number for s in specs])
        .select_related("user")
        .order_by("registration_number")
    )
    return students, len(existing) < len(specs)


def unclaimed_claim_codes() -> list[tuple[Student, str]]:
    """The demo students still waiting to be claimed, with the code that claims each (while it still does: a claim
    or a re-issued code, or another SECRET_KEY, ends it)."""
    specs = [s for s in content.students() if not s.claimed]
    students = Student.objects.filter(
        registration_number__in=[s.registration_number for s in specs], is_account_claimed=False
    ).select_related("user")
    return [
        (student, code)
        for student in students.order_by("registration_number")
        if claim_code_matches(code := content.claim_code(student.registration_number), student.claim_code_hash)
    ]


def _questions(teachers: list[Teacher]) -> tuple[list[Question], bool]:
    questions, made = [], False
    for spec in content.QUESTIONS:
        teacher = teachers[spec.teacher]
        question = Question.objects.filter(text=spec.data["text"], created_by=teacher).first()
        if question is None:
            question = quiz_services.question_create(by=teacher.user, data=spec.data)
            if spec.data["text"] in content.IMAGES:  # issue 15: a diagram, uploaded as a teacher would
                alt, draw = content.IMAGES[spec.data["text"]]
                quiz_services.question_image_add(question=question, by=teacher.user, upload=draw(), alt_text=alt)
            made = True
        questions.append(question)
    return questions, made


def _imported_questions(teachers: list[Teacher]) -> bool:
    """Issue 18: a GIFT file from the school's old Moodle, through the same import as the page (its questions land
    under the topic "Imported from Moodle"); a second run finds them in the bank and imports nothing."""
    teacher = teachers[content.IMPORTED_GIFT_TEACHER]
    result = quiz_services.question_file_import(
        by=teacher.user, data=content.IMPORTED_GIFT.encode(), name="old-moodle-course.gift", import_valid=True
    )
    return result["imported"] > 0


def _quiz(school: _School, plan: content.QuizPlan, rng: random.Random, now: datetime) -> bool:
    """The quiz's whole story, told once: created, published, sat, marked, closed and archived."""
    teacher = school.teachers[plan.teacher]
    if Quiz.objects.filter(title=plan.title, created_by=teacher).exists():
        return False
    bank = [q for q, spec in zip(school.questions, content.QUESTIONS, strict=True) if spec.teacher == plan.teacher]
    opens = now - timedelta(days=plan.days_ago) if plan.days_ago is not None else None
    # An archived quiz was open for a week; it is created open-ended (a quiz that has ended cannot be published)
    # and closed after its students sat it.
    closes = opens + content.OPEN_FOR if opens is not None and plan.status == QuizStatus.PUBLISHED else None
    quiz = quiz_services.quiz_create(
        by=teacher.user,
        data={
            "title": plan.title,
            "subject": teacher.subject,
            "description": f"{plan.title} for {teacher.subject}.",
            "time_limit_minutes": content.TIME_LIMIT_MINUTES,
            "start_date": opens,
            "end_date": closes,
            "passing_percentage": 50,
            "max_attempts": 1,
            "allow_review": True,
            "show_answers_after_submission": plan.show_answers,
        },
        class_ids=[school.classes[i].pk for i in plan.classes],
        question_ids=[q.pk for q in bank[plan.questions]],
    )
    if plan.status == QuizStatus.DRAFT:
        return True
    quiz = quiz_services.quiz_publish(quiz=quiz, by=teacher.user)
    class_ids = {school.classes[i].pk for i in plan.classes}
    questions = {str(q.pk): q for q in bank[plan.questions]}
    for student in school.students:
        if student.school_class_id in class_ids and student.is_account_claimed and rng.random() < plan.sat_by:
            _sit(quiz, questions, student, rng, opens)
    _mark_written_answers(quiz, teacher, plan.hand_graded)
    if plan.status == QuizStatus.ARCHIVED:
        quiz = quiz_services.quiz_update(quiz=quiz, by=teacher.user, data={"end_date": opens + content.ARCHIVED_AFTER})
        quiz_services.quiz_archive(quiz=quiz, by=teacher.user)
    return True


def _sit(quiz: Quiz, questions: dict[str, Question], student: Student, rng: random.Random, opens: datetime) -> None:
    """One student takes the quiz: start, answer (autosaved a few answers at a time, as the exam page's outbox
    flushes them), now and then trip a detector, submit."""
    ability = rng.uniform(0.35, 0.95)
    started = opens + timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
    took = timedelta(minutes=rng.randint(6, 19))
    attempt, _ = attempt_services.attempt_start(
        quiz=quiz, student=student, by=student.user, ip=DEMO_IP, user_agent=DEMO_USER_AGENT, now=started
    )
    order = attempt.question_order
    answers = []
    for seq, qid in enumerate(order, start=1):
        answer = _answer(questions[qid], right=rng.random() < ability, rng=rng, attempt=attempt)
        answers.append({"question_id": qid, "client_seq": seq, **answer})
    flushes = range(0, len(answers), OUTBOX_FLUSH)
    for n, first in enumerate(flushes, start=1):
        attempt_services.answers_save(
            attempt_id=attempt.pk,
            answers=answers[first : first + OUTBOX_FLUSH],
            student_id=student.pk,
            student_name=student.user.name,
            now=started + took * n / (len(flushes) + 1),
        )
    for _ in range(rng.choice([0, 0, 0, 0, 1, 2])):
        attempt_services.violation_record(
            attempt=attempt,
            violation_type=rng.choice(DETECTORS),
            question_index=rng.randrange(len(order)),
            now=started + took * rng.random(),
        )
    attempt_services.attempt_submit(attempt=attempt, by=student.user, now=started + took)


def _answer(question: Question, *, right: bool, rng: random.Random, attempt: QuizAttempt) -> dict:
    """What the exam page sends for one question: an option as the student saw it, or a text."""
    if question_types.module_for(question.type) is not None:  # issue 15's types: a structured `response`
        key = question_types.key_response(question)
        if right:
            return {"response": key}
        wrong = {
            "multiple_response": [0, 1],
            "numeric": "12",
            "matching": list(reversed(key)) if isinstance(key, list) else None,
            "ordering": list(reversed(key)) if isinstance(key, list) else None,
            "cloze": {"1": "not sure"},
        }
        return {"response": wrong[question.type]}
    if question.type in OPTION_TYPES:
        wrong = [i for i in range(len(question.options)) if i != question.correct_answer]
        chosen = question.correct_answer if right else rng.choice(wrong)
        shown = (attempt.option_order or {}).get(str(question.pk))
        return {"answer_option": shown.index(chosen) if shown else chosen, "answer_text": None}
    if question.type == QuestionType.SHORT_ANSWER:
        return {"answer_option": None, "answer_text": question.accepted_answers[0].upper() if right else "not sure"}
    return {"answer_option": None, "answer_text": question.sample_answer if right else "I think it is about energy."}


def _mark_written_answers(quiz: Quiz, teacher: Teacher, how_many: int) -> None:
    """The teacher has marked the written answers of the first `how_many` submitted attempts; the rest wait."""
    waiting = (
        QuizAttempt.objects.filter(quiz=quiz, status=AttemptStatus.SUBMITTED)
        .select_related("student")
        .order_by("student__registration_number")[:how_many]
    )
    for attempt in waiting:
        grades = []
        for answer in attempt.answers.filter(marks_awarded__isnull=True).select_related("question"):
            good = answer.answer_text == answer.question.sample_answer
            grades.append(
                {
                    "answer_id": str(answer.pk),
                    "marks_awarded": answer.question.marks if good else 2,
                    "feedback": "Clear and complete." if good else "A start: use the key terms and explain each step.",
                }
            )
        grading_services.attempt_grade(attempt=attempt, by=teacher.user, grades=grades)
