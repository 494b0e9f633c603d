"""Issue 17: THE effective settings of one quiz for one student, and the deadline they give an attempt.

One function (`effective_settings`) merges, field by field, the quiz's own settings, the override for the student's
class, the override for the student (the most specific wins) and then the student's accommodation. Starting an
attempt, the intro page, the quiz page, the access-code lookup and the running attempts' deadline all call it; the
attempt stores the deadline it gives (`QuizAttempt.deadline`), and the timer, the server's deadline + grace, the
overdue job, the board's "time left" and the API's `time_remaining_seconds` all read that one column.

The arithmetic of an accommodation (time limit L minutes, multiplier m, extra minutes e):
  - the student's time limit is ceil(L x 60 x m) + 60 x e seconds ("no time limit": none at all);
  - the student's close time moves by the same extra time (L x (m - 1) + e minutes; by L for "no time limit"),
    for them and not for the class, so the extra time is never eaten by the window: a x1.5 student on a 60-minute
    quiz who starts 5 minutes before the close has 5 + 30 minutes, where a classmate starting then has 5;
  - the deadline of an attempt started at t is min(t + limit, close); with neither, t + NO_LIMIT_HOURS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from accounts.models import Accommodation, Student
from quizzes.models import Quiz, QuizOverride

# An attempt always has a deadline (the overdue job needs one): "no time limit" on a quiz without a close date
# still ends a day after the start.
NO_LIMIT_HOURS = 24

_UNSET = object()


@dataclass(frozen=True)
class EffectiveSettings:
    quiz: Quiz
    start_date: datetime | None
    end_date: datetime | None  # the student's own close time (accommodation included)
    window_end_date: datetime | None  # the close the quiz and its overrides say, before the accommodation
    time_limit_seconds: int | None  # None: no time limit
    window_time_limit_minutes: int  # the time limit the quiz and its overrides say, before the accommodation
    max_attempts: int
    access_code: str
    exempt_from_focus_violations: bool
    student_override: QuizOverride | None = None
    class_override: QuizOverride | None = None
    accommodation: Accommodation | None = None

    @property
    def time_limit_minutes(self) -> int | None:
        """For display: whole minutes, rounded up."""
        return None if self.time_limit_seconds is None else math.ceil(self.time_limit_seconds / 60)

    @property
    def is_personalised(self) -> bool:
        return bool(self.student_override or self.class_override or self.accommodation)

    def deadline_for(self, started_at: datetime) -> datetime:
        candidates = []
        if self.time_limit_seconds is not None:
            candidates.append(started_at + timedelta(seconds=self.time_limit_seconds))
        if self.end_date is not None:
            candidates.append(self.end_date)
        return min(candidates) if candidates else started_at + timedelta(hours=NO_LIMIT_HOURS)

    def sources(self) -> list[str]:
        """Where the settings differ from the quiz's, in words (the intro page and the quiz page say it)."""
        out = []
        if self.class_override is not None:
            out.append(f"class override ({self.class_override.school_class})")
        if self.student_override is not None:
            out.append("personal override")
        if self.accommodation is not None:
            out.append("accommodation: " + self.accommodation.summary())
        return out


def _pick(field: str, quiz: Quiz, *overrides: QuizOverride | None):
    for override in overrides:
        if override is not None:
            value = getattr(override, field)
            if value not in (None, ""):
                return value
    return getattr(quiz, field)


def applicable_overrides(quiz: Quiz, student: Student) -> tuple[QuizOverride | None, QuizOverride | None]:
    """(the student's override, their class's override) of `quiz`: one query."""
    rows = list(
        QuizOverride.objects.filter(quiz=quiz).filter(
            Q(student_id=student.pk) | Q(school_class_id=student.school_class_id, school_class__isnull=False)
        )
    )
    mine = next((o for o in rows if o.student_id == student.pk), None)
    theirs = next((o for o in rows if o.school_class_id is not None), None)
    return mine, theirs


def accommodation_of(student: Student) -> Accommodation | None:
    return Accommodation.objects.filter(student_id=student.pk).first()


def effective_settings(
    *, quiz: Quiz, student: Student, accommodation=_UNSET, overrides: tuple | None = None
) -> EffectiveSettings:
    """THE effective window, time limit, attempts and access code of `quiz` for `student`. Two queries, none when
    the caller passes the student's `accommodation` (or None) and `overrides` (student's, class's) it already has."""
    own, of_class = overrides if overrides is not None else applicable_overrides(quiz, student)
    acc = accommodation_of(student) if accommodation is _UNSET else accommodation
    window_limit = int(_pick("time_limit_minutes", quiz, own, of_class))
    window_end = _pick("end_date", quiz, own, of_class)
    limit_seconds: int | None = window_limit * 60
    shift = 0
    if acc is not None:
        if acc.no_time_limit:
            limit_seconds, shift = None, window_limit * 60
        else:
            limit_seconds = math.ceil(window_limit * 60 * Decimal(acc.time_multiplier)) + acc.extra_minutes * 60
            shift = limit_seconds - window_limit * 60
    return EffectiveSettings(
        quiz=quiz,
        start_date=_pick("start_date", quiz, own, of_class),
        end_date=window_end + timedelta(seconds=shift) if window_end is not None else None,
        window_end_date=window_end,
        time_limit_seconds=limit_seconds,
        window_time_limit_minutes=window_limit,
        max_attempts=int(_pick("max_attempts", quiz, own, of_class)) + (acc.extra_attempts if acc else 0),
        access_code=_pick("access_code", quiz, own, of_class),
        exempt_from_focus_violations=bool(acc and acc.exempt_from_focus_violations),
        student_override=own,
        class_override=of_class,
        accommodation=acc,
    )
