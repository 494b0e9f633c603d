"""Reads of the reports app: which attempts a class pack or a results e-mail covers, built on the attempts app's
scoped querysets (QuizAttempt.objects.gradable_by: the quiz's teacher and admins), never restating who may see what.
"""

from __future__ import annotations

from datetime import date

from accounts.models import Student
from analytics.selectors import REPORT_RELATED
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt
from classrooms.models import SchoolClass
from quizzes.models import Quiz

PACK_MODES = ("last", "best", "first", "all")


def _choose(attempts: list[QuizAttempt], mode: str) -> list[QuizAttempt]:
    if mode == "all":
        return attempts
    chosen: dict = {}
    for a in attempts:
        current = chosen.get(a.student_id)
        if current is None:
            chosen[a.student_id] = a
        elif mode == "first":
            chosen[a.student_id] = a if a.attempt_number < current.attempt_number else current
        elif mode == "last":
            chosen[a.student_id] = a if a.attempt_number > current.attempt_number else current
        else:
            mine, theirs = (
                a.percentage if a.percentage is not None else -1,
                (current.percentage if current.percentage is not None else -1),
            )
            better = mine > theirs or (mine == theirs and a.attempt_number < current.attempt_number)
            chosen[a.student_id] = a if better else current
    return [a for a in attempts if chosen.get(a.student_id) is a]


def finished_attempts_of(
    *, quiz: Quiz, by, school_class: SchoolClass | None = None, mode: str = "last", graded_only: bool = False
) -> list[QuizAttempt]:
    """The finished attempts of `quiz` that `by` may report on (one per student unless mode is "all"), of the
    students now in `school_class` when given, ordered by student name then registration number: the order of a
    pack handed back in class."""
    statuses = (AttemptStatus.GRADED,) if graded_only else FINISHED_STATUSES
    qs = (
        QuizAttempt.objects.gradable_by(by)
        .filter(quiz=quiz, status__in=statuses)
        .select_related(*REPORT_RELATED)
        .order_by("student__user__name", "student__registration_number", "attempt_number")
    )
    if school_class is not None:
        qs = qs.filter(student__school_class=school_class)
    return _choose(list(qs), mode)


def report_card(*, student: Student, by, start: date | None = None, end: date | None = None) -> dict:
    """A student's report card over a term: for each quiz they finished between `start` and `end` (submission
    dates, both included) that `by` may report on (a teacher: their own quizzes; an admin: every quiz), the best
    attempt, in the order the quizzes were taken, and the average of those percentages."""
    qs = (
        QuizAttempt.objects.gradable_by(by)
        .filter(student=student, status__in=FINISHED_STATUSES)
        .select_related("quiz")
        .order_by("submitted_at", "attempt_number")
    )
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    best: dict = {}
    for a in qs:
        current = best.get(a.quiz_id)
        mine = a.percentage if a.percentage is not None else -1
        if current is None or mine > (current.percentage if current.percentage is not None else -1):
            best[a.quiz_id] = a
    rows = sorted(best.values(), key=lambda a: a.submitted_at)
    scored = [float(a.percentage) for a in rows if a.percentage is not None]
    return {
        "student": student,
        "rows": rows,
        "average": round(sum(scored) / len(scored), 2) if scored else None,
        "passed": sum(1 for a in rows if a.passed),
        "start": start,
        "end": end,
    }
