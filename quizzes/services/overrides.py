"""Issue 17: a quiz's settings changed for one student or one class (dates, time limit, attempts, access code).

The quiz is resolved through Quiz.objects.manageable_by(by); the student or class must be one the quiz is assigned
to. What an override does is quizzes.effective's; running attempts follow (quizzes.signals.quiz_overrides_changed).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import Student, User
from accounts.services import audit_record
from classrooms.models import SchoolClass
from quizzes.models import Quiz, QuizOverride, normalize_access_code
from quizzes.services.base import QuizError
from quizzes.signals import announce_overrides_changed

OVERRIDE_FIELDS = ("start_date", "end_date", "time_limit_minutes", "max_attempts", "access_code")
MAX_TIME_LIMIT = 24 * 60
MAX_ATTEMPTS = 100


def _manageable(quiz: Quiz, by: User) -> Quiz:
    found = Quiz.objects.manageable_by(by).filter(pk=quiz.pk).first()
    if found is None:
        raise QuizError("Not found.", status_code=404)
    return found


def _snapshot(o: QuizOverride) -> dict:
    return {
        "student_id": o.student_id,
        "class_id": o.school_class_id,
        **{f: getattr(o, f) for f in OVERRIDE_FIELDS},
        "reason": o.reason,
    }


def _clean_values(quiz: Quiz, values: dict) -> dict:
    out = {f: values.get(f) for f in OVERRIDE_FIELDS}
    out["access_code"] = normalize_access_code(out["access_code"] or "")
    if not any(v not in (None, "") for v in out.values()):
        raise QuizError("Change at least one setting: dates, time limit, attempts or access code.")
    limit, attempts = out["time_limit_minutes"], out["max_attempts"]
    if limit is not None and not (isinstance(limit, int) and 1 <= limit <= MAX_TIME_LIMIT):
        raise QuizError(f"The time limit must be between 1 and {MAX_TIME_LIMIT} minutes.")
    if attempts is not None and not (isinstance(attempts, int) and 1 <= attempts <= MAX_ATTEMPTS):
        raise QuizError(f"Attempts must be between 1 and {MAX_ATTEMPTS}.")
    start = out["start_date"] or quiz.start_date
    end = out["end_date"] or quiz.end_date
    if start and end and end <= start:
        raise QuizError("The close date must be after the open date.")
    code = out["access_code"]
    if code:
        if not 4 <= len(code) <= 20 or not code.isalnum():
            raise QuizError("An access code has 4 to 20 letters and digits.")
        taken = Quiz.objects.filter(access_code=code).exists() or (
            QuizOverride.objects.filter(access_code=code).exclude(quiz=quiz).exists()
        )
        if taken:
            raise QuizError("This access code is already used by another quiz; choose another.", code="code_taken")
    return out


@transaction.atomic
def override_set(
    *,
    quiz: Quiz,
    by: User,
    student: Student | None = None,
    school_class: SchoolClass | None = None,
    reason: str = "",
    request=None,
    **values,
) -> QuizOverride:
    """Create or replace the override of `quiz` for `student` or for `school_class` (exactly one). A field left
    None keeps the class's or the quiz's value."""
    quiz = _manageable(quiz, by)
    unknown = set(values) - set(OVERRIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown override fields: {sorted(unknown)}")
    if (student is None) == (school_class is None):
        raise QuizError("Choose one student or one class.")
    assigned = quiz.classes.values_list("pk", flat=True)
    if school_class is not None and school_class.pk not in set(assigned):
        raise QuizError("This class is not assigned to the quiz.", status_code=400)
    if student is not None and student.school_class_id not in set(assigned):
        raise QuizError("This student is not in a class the quiz is assigned to.", status_code=400)
    cleaned = _clean_values(quiz, values)
    reason = (reason or "").strip()[:500]
    target = {"student": student} if student is not None else {"school_class": school_class}
    old = QuizOverride.objects.select_for_update().filter(quiz=quiz, **target).first()
    before = _snapshot(old) if old else None
    try:
        with transaction.atomic():
            override, _ = QuizOverride.objects.update_or_create(
                quiz=quiz, **target, defaults={**cleaned, "reason": reason, "created_by": by}
            )
    except IntegrityError:
        raise QuizError("The override could not be saved; check the dates.") from None
    audit_record(action="quiz.override_set", by=by, entity=quiz, old=before, new=_snapshot(override), request=request)
    announce_overrides_changed(quiz.pk)
    return override


@transaction.atomic
def override_delete(*, override: QuizOverride, by: User, request=None) -> None:
    """Remove an override: the student or class gets the quiz's (or their class's) settings again."""
    found = QuizOverride.objects.manageable_by(by).select_for_update().filter(pk=override.pk).first()
    if found is None:
        raise QuizError("Not found.", status_code=404)
    before = _snapshot(found)
    quiz_id = found.quiz_id
    found.delete()
    audit_record(
        action="quiz.override_delete", by=by, entity_type="quiz", entity_id=quiz_id, old=before, request=request
    )
    announce_overrides_changed(quiz_id)
