"""The three dashboards: the school's (admins), a teacher's and a student's.

Each runs a fixed number of queries whatever the number of attempts (counts and averages are aggregated in SQL)
and is cached under the site-wide version key (analytics.cache), which every submitted or graded attempt bumps.
Whose dashboard a user may open is decided by the views through the scoped querysets
(Teacher.objects.manageable_by, Student.objects.visible_to).
"""

from __future__ import annotations

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import AuditLog, Role, Student, Teacher, User
from analytics.cache import analytics_cache_key, cached
from analytics.selectors.common import PENDING_STATUSES, attempt_row, finished_attempts, student_ref
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt
from classrooms.models import TeacherClass
from quizsite.api.fields import score_number
from quizzes.models import Quiz, QuizStatus

RECENT_LIMIT = 10
DASHBOARD_CACHE_SECONDS = 120


# --- Admin --------------------------------------------------------------------------------------------------------


def admin_analytics() -> dict:
    return cached(analytics_cache_key("admin"), DASHBOARD_CACHE_SECONDS, _admin_analytics)


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
    for a in finished_attempts().select_related("quiz", "student__user").order_by("-submitted_at")[:RECENT_LIMIT]:
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
            "student": student_ref(r["user_id"], r["user__name"], r["registration_number"]),
            "class_name": r["school_class__name"],
            "graded_attempts": r["n"],
            "average_score": score_number(r["avg"]),
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
                finished_attempts().filter(quiz__created_by=OuterRef("pk")).order_by(), "quiz__created_by"
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
            "average_score": score_number(t.average),
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
        "average_score": score_number(attempts["average"]),
        "active_quizzes": quizzes["active"],
        "recent_activity": activity[:RECENT_LIMIT],
        "top_students": top_students,
        "teacher_stats": teacher_stats,
    }


# --- Teacher ------------------------------------------------------------------------------------------------------


def teacher_analytics(teacher: Teacher) -> dict:
    return cached(
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
            "average_score": score_number(q.average),
            "pass_rate": score_number(100 * q.passed_count / q.graded_count) if q.graded_count else None,
            "total_violations": q.violation_count,
        }
        for q in performance
    ]
    recent = (
        finished_attempts()
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
        "recent_attempts": [attempt_row(a) for a in recent],
        "quiz_performance": quiz_performance,
    }


# --- Student ------------------------------------------------------------------------------------------------------


def student_analytics(student: Student) -> dict:
    return cached(
        analytics_cache_key("student", student.pk), DASHBOARD_CACHE_SECONDS, lambda: _student_analytics(student)
    )


def _student_analytics(student: Student) -> dict:
    graded = Q(status=AttemptStatus.GRADED)
    mine = finished_attempts().filter(student=student)
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
            **student_ref(student.pk, student.user.name, student.registration_number),
            "class_name": str(student.school_class) if student.school_class_id else None,
        },
        "total_attempts": totals["total"],
        "graded_attempts": totals["graded"],
        "pending_grading": totals["total"] - totals["graded"],
        "average_score": score_number(totals["average"]),
        "quizzes_passed": totals["n_passed"],
        "quizzes_failed": totals["n_failed"],
        "recent_results": [attempt_row(a) for a in recent],
        "performance_by_subject": [
            {
                "subject": r["quiz__subject"],
                "attempts": r["n"],
                "graded_attempts": r["n_graded"],
                "average_score": score_number(r["avg"]),
                "passed": r["n_passed"],
                "failed": r["n_failed"],
            }
            for r in by_subject
        ],
    }
