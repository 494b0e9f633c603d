"""Reads of the analytics app: who may see what, and every dashboard's figures.

Cost: each function runs a fixed number of queries whatever the number of attempts. Counts and averages are
aggregated in SQL; the quiz's item statistics need every (attempt, question) mark, which is fetched with one
`values_list` and folded in a single pass. Results are cached under versioned keys (analytics.cache) that a
submitted or graded attempt bumps, so a cached figure is never older than the last submission.
"""

from __future__ import annotations

import logging
from collections import Counter
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Avg,
    CharField,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import AuditLog, Role, Student, Teacher, User
from analytics import statistics
from analytics.cache import analytics_cache_key
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt, StudentAnswer, Violation, ViolationType
from attempts.selectors import can_review, ordered_quiz_questions, reveals_answers
from classrooms.models import TeacherClass
from classrooms.selectors import students_visible_to
from quizsite.errors import DomainError
from quizzes.models import Quiz, QuizQuestion, QuizStatus

logger = logging.getLogger(__name__)

ATTEMPT_MODES = ("all", "first", "best", "last")
PENDING_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.AUTO_SUBMITTED)
HISTOGRAM_BINS = 10
RECENT_LIMIT = 10
QUIZ_CACHE_SECONDS = 60 * 60
DASHBOARD_CACHE_SECONDS = 120


class AnalyticsError(DomainError):
    """Bad analytics/export input (an unknown attempts mode or export format)."""


# --- Who may see what ---------------------------------------------------------------------------------------------


def quizzes_for_analytics(user) -> QuerySet[Quiz]:
    """Quizzes whose analytics and results `user` may see: admins all, a teacher the quizzes they created."""
    qs = Quiz.objects.select_related("created_by__user")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.TEACHER:
        return qs.filter(created_by_id=user.pk)
    return qs.none()


def teachers_for_analytics(user) -> QuerySet[Teacher]:
    qs = Teacher.objects.select_related("user")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.TEACHER:
        return qs.filter(pk=user.pk)
    return qs.none()


def students_for_analytics(user) -> QuerySet[Student]:
    """The student themselves, the teachers of the student's class, admins: the roster's one scoping rule."""
    return students_visible_to(user)


def attempts_for_reports(user) -> QuerySet[QuizAttempt]:
    """Attempts whose report (PDF, printable page) `user` may open: admins all, a teacher the attempts of their
    quizzes, a student their own finished attempts."""
    qs = QuizAttempt.objects.select_related("quiz__created_by__user", "student__user", "student__school_class")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.TEACHER:
        return qs.filter(quiz__created_by_id=user.pk)
    return qs.filter(student_id=user.pk, status__in=FINISHED_STATUSES)


def parse_attempts_mode(value: str | None) -> str:
    mode = (value or "all").strip().lower()
    if mode not in ATTEMPT_MODES:
        raise AnalyticsError(f"attempts must be one of: {', '.join(ATTEMPT_MODES)}.")
    return mode


# --- Small helpers ------------------------------------------------------------------------------------------------


def _num(value, places: int = 2) -> float | None:
    if value is None:
        return None
    return round(float(value), places)


def _cached(key: str, timeout: int, compute):
    try:
        hit = cache.get(key)
    except Exception:  # a Redis outage degrades to computing every time, never to an error page
        logger.warning("analytics cache unavailable", exc_info=True)
        hit = None
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("analytics cache unavailable", exc_info=True)
    return value


def _student_ref(student_id, name, registration_number) -> dict:
    return {"id": student_id, "name": name, "registration_number": registration_number}


def _attempt_row(a: QuizAttempt) -> dict:
    return {
        "id": a.pk,
        "quiz": {"id": a.quiz_id, "title": a.quiz.title, "subject": a.quiz.subject},
        "student": _student_ref(a.student_id, a.student.user.name, a.student.registration_number),
        "attempt_number": a.attempt_number,
        "score": _num(a.score),
        "total_marks": a.total_marks,
        "percentage": _num(a.percentage),
        "status": a.status,
        "passed": a.passed,
        "total_violations": a.total_violations,
        "submitted_at": a.submitted_at,
    }


def _finished_attempts() -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(status__in=FINISHED_STATUSES)


# --- Admin --------------------------------------------------------------------------------------------------------


def admin_analytics() -> dict:
    return _cached(analytics_cache_key("admin"), DASHBOARD_CACHE_SECONDS, _admin_analytics)


def _admin_analytics() -> dict:
    now = timezone.now()
    roles = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).order_by())
    quizzes = Quiz.objects.aggregate(
        total=Count("id"),
        active=Count(
            "id",
            filter=Q(status=QuizStatus.PUBLISHED)
            & (Q(start_date__isnull=True) | Q(start_date__lte=now))
            & (Q(end_date__isnull=True) | Q(end_date__gt=now)),
        ),
    )
    attempts = QuizAttempt.objects.aggregate(
        total=Count("id"),
        finished=Count("id", filter=Q(status__in=FINISHED_STATUSES)),
        in_progress=Count("id", filter=Q(status=AttemptStatus.IN_PROGRESS)),
        pending=Count("id", filter=Q(status__in=PENDING_STATUSES)),
        average=Avg("percentage", filter=Q(status=AttemptStatus.GRADED)),
    )

    activity = [
        {
            "type": "audit",
            "action": log.action,
            "entity_type": log.entity_type,
            "entity_id": log.entity_id,
            "user": {"id": log.user_id, "name": log.user.name} if log.user_id else None,
            "description": f"{log.user.name if log.user_id else 'System'}: {log.action}",
            "timestamp": log.created_at,
        }
        for log in AuditLog.objects.select_related("user").order_by("-created_at")[:RECENT_LIMIT]
    ]
    for a in _finished_attempts().select_related("quiz", "student__user").order_by("-submitted_at")[:RECENT_LIMIT]:
        activity.append(
            {
                "type": "attempt_submitted",
                "action": "attempt_submitted",
                "entity_type": "quiz_attempt",
                "entity_id": a.pk,
                "user": {"id": a.student_id, "name": a.student.user.name},
                "description": f"{a.student.user.name} submitted {a.quiz.title}",
                "timestamp": a.submitted_at,
            }
        )
    activity.sort(key=lambda item: item["timestamp"], reverse=True)

    top = (
        Student.objects.filter(attempts__status=AttemptStatus.GRADED)
        .annotate(n=Count("attempts"), avg=Avg("attempts__percentage"))
        .order_by("-avg", "user__name")
        .values("user_id", "user__name", "registration_number", "school_class__name", "n", "avg")[:RECENT_LIMIT]
    )
    top_students = [
        {
            "student": _student_ref(r["user_id"], r["user__name"], r["registration_number"]),
            "class_name": r["school_class__name"],
            "graded_attempts": r["n"],
            "average_score": _num(r["avg"]),
        }
        for r in top
    ]

    def count_of(qs, field="pk"):
        return Coalesce(
            Subquery(qs.values(field).annotate(c=Count("*")).values("c")[:1], output_field=IntegerField()),
            Value(0),
        )

    teachers = (
        Teacher.objects.select_related("user")
        .annotate(
            quiz_count=count_of(Quiz.objects.filter(created_by=OuterRef("pk")).order_by(), "created_by"),
            class_count=count_of(TeacherClass.objects.filter(teacher=OuterRef("pk")).order_by(), "teacher"),
            attempt_count=count_of(
                _finished_attempts().filter(quiz__created_by=OuterRef("pk")).order_by(), "quiz__created_by"
            ),
            pending_count=count_of(
                QuizAttempt.objects.filter(quiz__created_by=OuterRef("pk"), status__in=PENDING_STATUSES).order_by(),
                "quiz__created_by",
            ),
            average=Subquery(
                QuizAttempt.objects.filter(quiz__created_by=OuterRef("pk"), status=AttemptStatus.GRADED)
                .order_by()
                .values("quiz__created_by")
                .annotate(a=Avg("percentage"))
                .values("a")[:1]
            ),
        )
        .order_by("user__name")
    )
    teacher_stats = [
        {
            "teacher": {"id": t.pk, "name": t.user.name, "email": t.user.email, "subject": t.subject},
            "quizzes": t.quiz_count,
            "classes": t.class_count,
            "attempts": t.attempt_count,
            "pending_grading": t.pending_count,
            "average_score": _num(t.average),
        }
        for t in teachers
    ]
    return {
        "total_users": {
            "admins": roles.get(Role.ADMIN, 0),
            "teachers": roles.get(Role.TEACHER, 0),
            "students": roles.get(Role.STUDENT, 0),
        },
        "total_quizzes": quizzes["total"],
        "total_attempts": attempts["total"],
        "completed_attempts": attempts["finished"],
        "attempts_in_progress": attempts["in_progress"],
        "pending_grading": attempts["pending"],
        "average_score": _num(attempts["average"]),
        "active_quizzes": quizzes["active"],
        "recent_activity": activity[:RECENT_LIMIT],
        "top_students": top_students,
        "teacher_stats": teacher_stats,
    }


# --- Teacher ------------------------------------------------------------------------------------------------------


def teacher_analytics(teacher: Teacher) -> dict:
    return _cached(
        analytics_cache_key("teacher", teacher.pk), DASHBOARD_CACHE_SECONDS, lambda: _teacher_analytics(teacher)
    )


def _teacher_analytics(teacher: Teacher) -> dict:
    counts = Teacher.objects.filter(pk=teacher.pk).aggregate(
        classes=Count("class_links", distinct=True),
        students=Count("class_links__school_class__students", distinct=True),
    )
    performance = (
        Quiz.objects.filter(created_by=teacher)
        .annotate(
            attempt_count=Count("attempts", filter=Q(attempts__status__in=FINISHED_STATUSES)),
            graded_count=Count("attempts", filter=Q(attempts__status=AttemptStatus.GRADED)),
            pending_count=Count("attempts", filter=Q(attempts__status__in=PENDING_STATUSES)),
            passed_count=Count("attempts", filter=Q(attempts__status=AttemptStatus.GRADED, attempts__passed=True)),
            average=Avg("attempts__percentage", filter=Q(attempts__status=AttemptStatus.GRADED)),
            violation_count=Coalesce(Sum("attempts__total_violations"), 0),
        )
        .order_by("-created_at")
    )
    quiz_performance = [
        {
            "quiz": {"id": q.pk, "title": q.title, "subject": q.subject, "status": q.status},
            "attempts": q.attempt_count,
            "graded_attempts": q.graded_count,
            "pending_grading": q.pending_count,
            "average_score": _num(q.average),
            "pass_rate": _num(100 * q.passed_count / q.graded_count) if q.graded_count else None,
            "total_violations": q.violation_count,
        }
        for q in performance
    ]
    recent = (
        _finished_attempts()
        .filter(quiz__created_by=teacher)
        .select_related("quiz", "student__user")
        .order_by("-submitted_at")[:RECENT_LIMIT]
    )
    return {
        "teacher": {"id": teacher.pk, "name": teacher.user.name, "subject": teacher.subject},
        "my_quizzes": len(quiz_performance),
        "my_classes": counts["classes"],
        "my_students": counts["students"],
        "pending_grading": sum(q["pending_grading"] for q in quiz_performance),
        "recent_attempts": [_attempt_row(a) for a in recent],
        "quiz_performance": quiz_performance,
    }


# --- Student ------------------------------------------------------------------------------------------------------


def student_analytics(student: Student) -> dict:
    return _cached(
        analytics_cache_key("student", student.pk), DASHBOARD_CACHE_SECONDS, lambda: _student_analytics(student)
    )


def _student_analytics(student: Student) -> dict:
    graded = Q(status=AttemptStatus.GRADED)
    mine = _finished_attempts().filter(student=student)
    totals = mine.aggregate(
        total=Count("id"),
        graded=Count("id", filter=graded),
        average=Avg("percentage", filter=graded),
        n_passed=Count("id", filter=graded & Q(passed=True)),
        n_failed=Count("id", filter=graded & Q(passed=False)),
    )
    recent = mine.select_related("quiz", "student__user").order_by("-submitted_at")[:RECENT_LIMIT]
    by_subject = (
        mine.order_by()
        .values("quiz__subject")
        .annotate(
            n=Count("id"),
            n_graded=Count("id", filter=graded),
            avg=Avg("percentage", filter=graded),
            n_passed=Count("id", filter=graded & Q(passed=True)),
            n_failed=Count("id", filter=graded & Q(passed=False)),
        )
        .order_by("quiz__subject")
    )
    return {
        "student": {
            **_student_ref(student.pk, student.user.name, student.registration_number),
            "class_name": str(student.school_class) if student.school_class_id else None,
        },
        "total_attempts": totals["total"],
        "graded_attempts": totals["graded"],
        "pending_grading": totals["total"] - totals["graded"],
        "average_score": _num(totals["average"]),
        "quizzes_passed": totals["n_passed"],
        "quizzes_failed": totals["n_failed"],
        "recent_results": [_attempt_row(a) for a in recent],
        "performance_by_subject": [
            {
                "subject": r["quiz__subject"],
                "attempts": r["n"],
                "graded_attempts": r["n_graded"],
                "average_score": _num(r["avg"]),
                "passed": r["n_passed"],
                "failed": r["n_failed"],
            }
            for r in by_subject
        ],
    }


# --- Quiz ---------------------------------------------------------------------------------------------------------


def quiz_analytics(quiz: Quiz, *, attempts: str = "all") -> dict:
    mode = parse_attempts_mode(attempts)
    stamp = int(quiz.updated_at.timestamp()) if quiz.updated_at else 0
    key = analytics_cache_key("quiz", quiz.pk, mode, stamp, quiz_id=quiz.pk)
    return _cached(key, QUIZ_CACHE_SECONDS, lambda: _quiz_analytics(quiz, mode))


def select_attempts(rows: list[dict], mode: str) -> list[dict]:
    """Pick the attempts of each student that the analysis uses: every one, or the first, last or best (the
    highest percentage; the earlier attempt on a tie) per student. Rows need student_id, attempt_number and
    percentage."""
    if mode == "all":
        return rows
    chosen: dict = {}
    for row in rows:
        current = chosen.get(row["student_id"])
        if current is None:
            chosen[row["student_id"]] = row
            continue
        if mode == "first":
            better = row["attempt_number"] < current["attempt_number"]
        elif mode == "last":
            better = row["attempt_number"] > current["attempt_number"]
        else:
            mine, theirs = row["percentage"] or Decimal(-1), current["percentage"] or Decimal(-1)
            better = mine > theirs or (mine == theirs and row["attempt_number"] < current["attempt_number"])
        if better:
            chosen[row["student_id"]] = row
    return [r for r in rows if chosen.get(r["student_id"]) is r]


def score_distribution(percentages: list[float], bins: int = HISTOGRAM_BINS) -> list[dict]:
    """Counts of percentages in [0,10), [10,20), ... [90,100] (the last bin includes 100)."""
    width = 100 / bins
    counts = [0] * bins
    for p in percentages:
        counts[min(bins - 1, max(0, int(p // width)))] += 1
    return [
        {
            "range": f"{int(i * width)}-{int((i + 1) * width)}",
            "min": int(i * width),
            "max": int((i + 1) * width),
            "count": c,
        }
        for i, c in enumerate(counts)
    ]


ATTEMPT_FIELDS = (
    "id",
    "student_id",
    "student__user__name",
    "student__registration_number",
    "attempt_number",
    "score",
    "total_marks",
    "percentage",
    "passed",
    "status",
    "total_violations",
    "auto_submitted_due_to_violations",
    "submitted_at",
)


def _quiz_analytics(quiz: Quiz, mode: str) -> dict:
    quiz_questions = list(QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("order_index"))
    max_marks = [float(qq.marks) for qq in quiz_questions]

    rows = [
        dict(zip((*ATTEMPT_FIELDS, "key"), values, strict=True))
        for values in QuizAttempt.objects.filter(quiz=quiz, status__in=FINISHED_STATUSES)
        .order_by("student__user__name", "attempt_number")
        .values_list(*ATTEMPT_FIELDS, Cast("id", CharField()))
    ]
    selected = select_attempts(rows, mode)
    selected_keys = {r["key"] for r in selected}
    graded_keys = {r["key"] for r in selected if r["status"] == AttemptStatus.GRADED}

    # One pass over every mark of the quiz's finished attempts: per question counts, and the score matrix of the
    # fully graded attempts for the item statistics. The database hands back the attempt id as text (a str hashes
    # in C, a UUID object in Python), the question's position in the quiz and the mark as a float, so the loop
    # below is plain dict and list work: 40,000 marks fold in a few tens of milliseconds.
    k = len(quiz_questions)
    column = {qq.order_index: i for i, qq in enumerate(quiz_questions)}
    matrix: dict = {key: [0.0] * k for key in graded_keys}
    correct, partial, incorrect, pending = [0] * k, [0] * k, [0] * k, [0] * k
    mark_sums = [0.0] * k
    marked = [0] * k
    answers = (
        StudentAnswer.objects.filter(
            attempt__quiz=quiz, attempt__status__in=FINISHED_STATUSES, question__quiz_links__quiz=quiz
        )
        .order_by()
        .values_list(
            Cast("attempt_id", CharField()), "question__quiz_links__order_index", Cast("marks_awarded", FloatField())
        )
    )
    for key, order_index, value in answers if k else ():
        if key not in selected_keys:
            continue
        i = column[order_index]
        if value is None:
            pending[i] += 1
            continue
        marked[i] += 1
        mark_sums[i] += value
        if value >= max_marks[i]:
            correct[i] += 1
        elif value > 0:
            partial[i] += 1
        else:
            incorrect[i] += 1
        row = matrix.get(key)
        if row is not None:
            row[i] = value

    summary, items = statistics.quiz_statistics(list(matrix.values()), max_marks)

    question_statistics = []
    for i, qq in enumerate(quiz_questions):
        item = items[i]
        q = qq.question
        question_statistics.append(
            {
                "question": {
                    "id": q.pk,
                    "order_index": qq.order_index,
                    "number": i + 1,
                    "text": q.text,
                    "type": q.type,
                    "topic": q.topic,
                    "difficulty": q.difficulty,
                    "marks": qq.marks,
                },
                "answered_count": marked[i],
                "correct_count": correct[i],
                "partially_correct_count": partial[i],
                "incorrect_count": incorrect[i],
                "pending_count": pending[i],
                "success_rate": _num(100 * correct[i] / marked[i]) if marked[i] else None,
                "average_marks": _num(mark_sums[i] / marked[i]) if marked[i] else None,
                "facility_index": _num(item.facility),
                "standard_deviation": _num(item.sd),
                "discrimination_index": _num(item.discrimination_index),
                "discriminative_efficiency": _num(item.discriminative_efficiency),
                "effective_weight": _num(item.effective_weight),
                "doubtful": item.doubtful,
                "flags": [{"code": f, "label": statistics.FLAG_LABELS[f]} for f in item.flags],
            }
        )

    graded_rows = [r for r in selected if r["status"] == AttemptStatus.GRADED]
    percentages = [float(r["percentage"]) for r in graded_rows if r["percentage"] is not None]
    passed = sum(1 for r in graded_rows if r["passed"])

    by_type = Counter(
        dict(
            Violation.objects.filter(attempt__quiz=quiz)
            .values_list("violation_type")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    total_marks = sum(qq.marks for qq in quiz_questions)
    return {
        "quiz": {
            "id": quiz.pk,
            "title": quiz.title,
            "subject": quiz.subject,
            "status": quiz.status,
            "access_code": quiz.access_code,
            "passing_percentage": quiz.passing_percentage,
            "max_attempts": quiz.max_attempts,
            "question_count": k,
            "total_marks": total_marks,
            "created_by": {"id": quiz.created_by_id, "name": quiz.created_by.user.name},
        },
        "attempts_mode": mode,
        "total_attempts": len(selected),
        "graded_attempts": len(graded_rows),
        "pending_grading": sum(1 for r in selected if r["status"] in PENDING_STATUSES),
        "students": len({r["student_id"] for r in selected}),
        "average_score": _num(sum(percentages) / len(percentages)) if percentages else None,
        "highest_score": _num(max(percentages)) if percentages else None,
        "lowest_score": _num(min(percentages)) if percentages else None,
        "pass_rate": _num(100 * passed / len(graded_rows)) if graded_rows else None,
        "passed_count": passed,
        "failed_count": len(graded_rows) - passed,
        "score_distribution": score_distribution(percentages),
        "statistics": {key: (_num(v, 4) if isinstance(v, float) else v) for key, v in summary.as_dict().items()},
        "question_statistics": question_statistics,
        "student_performance": [
            {
                "attempt_id": r["id"],
                "student": _student_ref(r["student_id"], r["student__user__name"], r["student__registration_number"]),
                "attempt_number": r["attempt_number"],
                "score": _num(r["score"]),
                "total_marks": r["total_marks"],
                "percentage": _num(r["percentage"]),
                "passed": r["passed"],
                "status": r["status"],
                "violations": r["total_violations"],
                "auto_submitted_due_to_violations": r["auto_submitted_due_to_violations"],
                "submitted_at": r["submitted_at"],
            }
            for r in selected
        ],
        "violation_summary": {
            "total_violations": sum(by_type.values()),
            "by_type": dict(by_type.most_common()),
            "labels": {t: ViolationType(t).label for t in by_type if t in ViolationType.values},
            "attempts_with_violations": sum(1 for r in selected if r["total_violations"]),
            "auto_submitted_due_to_violations": sum(1 for r in selected if r["auto_submitted_due_to_violations"]),
        },
    }


def quiz_results_rows(quiz: Quiz) -> tuple[list[str], list[list]]:
    """The guide's quiz results export (section 9.2): one row per attempt, every attempt of the quiz."""
    headers = [
        "Student Name",
        "Registration Number",
        "Quiz Title",
        "Attempt Number",
        "Score",
        "Total Marks",
        "Percentage",
        "Status",
        "Passed",
        "Violations",
        "Submitted At",
    ]
    rows = []
    values = (
        QuizAttempt.objects.filter(quiz=quiz)
        .order_by("student__user__name", "student__registration_number", "attempt_number")
        .values_list(
            "student__user__name",
            "student__registration_number",
            "attempt_number",
            "score",
            "total_marks",
            "percentage",
            "status",
            "passed",
            "total_violations",
            "submitted_at",
        )
    )
    for name, reg, number, score, total, percentage, status, passed, violations, submitted_at in values:
        rows.append(
            [
                name,
                reg,
                quiz.title,
                number,
                score if score is not None else 0,
                total,
                f"{percentage:.2f}%" if percentage is not None else "N/A",
                AttemptStatus(status).label,
                "Yes" if passed else ("Pending" if passed is None and status in PENDING_STATUSES else "No"),
                violations,
                timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M:%S") if submitted_at else "N/A",
            ]
        )
    return headers, rows


def attempt_report(attempt: QuizAttempt, *, viewer) -> dict:
    """Everything the attempt report (printable page and PDF) shows to `viewer`.

    Who sees what is decided by the attempts app, the same rules as GET /attempts/{id} and the result page:
    staff see every question with the correct answer; the student sees their questions and answers once the
    attempt is finished and the quiz allows review, and the correct answers only when it also shows answers after
    submission. Questions come in the order this student saw them."""
    quiz = attempt.quiz
    show_questions = can_review(attempt, viewer)
    show_correct = reveals_answers(attempt, viewer)
    items = []
    if show_questions:
        answers = {a.question_id: a for a in StudentAnswer.objects.filter(attempt=attempt)}
        for number, qq in enumerate(ordered_quiz_questions(attempt), start=1):
            q = qq.question
            a = answers.get(q.pk)
            options = q.options if isinstance(q.options, list) else []
            given = None
            if a is not None:
                if a.answer_option is not None:
                    given = options[a.answer_option] if 0 <= a.answer_option < len(options) else f"#{a.answer_option}"
                elif (a.answer_text or "").strip():
                    given = a.answer_text
            correct = None
            if show_correct:
                if q.correct_answer is not None and 0 <= q.correct_answer < len(options):
                    correct = options[q.correct_answer]
                elif q.accepted_answers:
                    correct = " / ".join(str(x) for x in q.accepted_answers)
                elif q.sample_answer:
                    correct = q.sample_answer
            items.append(
                {
                    "number": number,
                    "text": q.text,
                    "type": q.get_type_display(),
                    "options": options,
                    "given": given,
                    "correct": correct,
                    "marks": qq.marks,
                    "marks_awarded": _num(a.marks_awarded) if a and a.marks_awarded is not None else None,
                    "feedback": a.feedback if a else "",
                }
            )
    violations = list(attempt.violations.order_by("detected_at"))
    return {
        "attempt": attempt,
        "quiz": quiz,
        "student": attempt.student,
        "items": items,
        "show_questions": show_questions,
        "show_correct": show_correct,
        "violations": violations,
        "generated_at": timezone.now(),
    }
