"""Reads of the grading app: the grading queues and their filter menus, one attempt for grading, the live board's
status. Who may see what is the models' managers' rule (QuizAttempt.objects.gradable_by,
Quiz.objects.manageable_by); these compose them and never restate it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Student
from attempts.models import (
    FINISHED_STATUSES,
    AttemptStatus,
    DrawnQuestion,
    QuizAttempt,
    StudentAnswer,
    SubmitReason,
    Violation,
)
from attempts.questions import attempt_questions
from classrooms.models import SchoolClass
from quizsite.live import seen_many
from quizzes import types as question_types
from quizzes.models import OBJECTIVE_TYPES, OPTION_TYPES, QuestionType, Quiz, QuizQuestion
from quizzes.selectors import questions_as_seen, quiz_question_count

# Attempts a teacher may hand back to the student: ended by the clock, by violations or by a teacher, never a
# student's own submit.
REINSTATABLE_REASONS = (SubmitReason.DEADLINE, SubmitReason.VIOLATIONS, SubmitReason.TEACHER)
AWAITING_GRADING = (AttemptStatus.SUBMITTED, AttemptStatus.AUTO_SUBMITTED)
NOT_STARTED = "not_started"  # the board's status for a student who has no attempt yet


# --- Grading queues -------------------------------------------------------------------------------------------
def _quiz_marks():
    return Coalesce("marks_override", "question__marks")


def _annotate_grading_figures(qs: QuerySet[QuizAttempt]) -> QuerySet[QuizAttempt]:
    """Adds descriptive_questions_count, auto_graded_score, pending_marks and pending_answers as correlated
    subqueries: one query for a page of attempts however many answers they hold."""
    descriptive = (
        QuizQuestion.objects.filter(quiz=OuterRef("quiz"), question__type=QuestionType.DESCRIPTIVE)
        .values("quiz")
        .annotate(n=Count("pk"))
        .values("n")
    )
    auto_score = (
        StudentAnswer.objects.filter(attempt=OuterRef("pk"), question__type__in=OBJECTIVE_TYPES)
        .values("attempt")
        .annotate(s=Sum("marks_awarded"))
        .values("s")
    )
    pending = (
        QuizQuestion.objects.filter(
            quiz=OuterRef("quiz"),
            question__answers__attempt=OuterRef("pk"),
            question__answers__marks_awarded__isnull=True,
        )
        .values("quiz")
        .annotate(s=Sum(_quiz_marks()), n=Count("pk"))
    )
    # Issue 16: the questions random slots drew for this attempt, at the slot's marks.
    drawn_descriptive = (
        DrawnQuestion.objects.filter(attempt=OuterRef("pk"), question__type=QuestionType.DESCRIPTIVE)
        .values("attempt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    drawn_pending = (
        DrawnQuestion.objects.filter(
            attempt=OuterRef("pk"),
            question__answers__attempt=OuterRef("pk"),
            question__answers__marks_awarded__isnull=True,
        )
        .values("attempt")
        .annotate(s=Sum("marks"), n=Count("pk"))
    )
    decimal = DecimalField(max_digits=9, decimal_places=2)
    return qs.annotate(
        descriptive_questions_count=Coalesce(Subquery(descriptive, output_field=IntegerField()), 0)
        + Coalesce(Subquery(drawn_descriptive, output_field=IntegerField()), 0),
        auto_graded_score=Coalesce(Subquery(auto_score, output_field=decimal), Value(Decimal(0)), output_field=decimal),
        pending_marks=Coalesce(Subquery(pending.values("s"), output_field=IntegerField()), 0)
        + Coalesce(Subquery(drawn_pending.values("s"), output_field=IntegerField()), 0),
        pending_answers=Coalesce(Subquery(pending.values("n"), output_field=IntegerField()), 0)
        + Coalesce(Subquery(drawn_pending.values("n"), output_field=IntegerField()), 0),
    )


def attempts_for_grading(user) -> QuerySet[QuizAttempt]:
    """The attempts `user` may grade, with what the grading pages and the API show of each one."""
    return QuizAttempt.objects.gradable_by(user).select_related("quiz", "student__user", "student__school_class")


def pending_attempts(user) -> QuerySet[QuizAttempt]:
    """Finished attempts with at least one answer awaiting a teacher's marks, oldest submission first."""
    qs = attempts_for_grading(user).filter(status__in=AWAITING_GRADING)
    return _annotate_grading_figures(qs).order_by("submitted_at", "pk")


def graded_attempts(user) -> QuerySet[QuizAttempt]:
    qs = attempts_for_grading(user).filter(status=AttemptStatus.GRADED).annotate(graded_at=Max("answers__graded_at"))
    return _annotate_grading_figures(qs).order_by("-submitted_at", "pk")


def queue_quizzes(user) -> QuerySet[Quiz]:
    """The grading queue's quiz menu: the quizzes whose attempts `user` may grade."""
    return Quiz.objects.manageable_by(user).order_by("title")


def queue_classes(user) -> QuerySet[SchoolClass]:
    """The grading queue's class menu: the classes the attempts `user` may grade come from."""
    return SchoolClass.objects.filter(pk__in=QuizAttempt.objects.gradable_by(user).values("student__school_class_id"))


@dataclass
class GradingItem:
    answer: StudentAnswer
    quiz_question: QuizQuestion | None
    position: int
    marks: int

    @property
    def question(self):
        return self.answer.question

    @property
    def needs_marks(self) -> bool:
        return self.answer.marks_awarded is None

    @property
    def is_objective(self) -> bool:
        return self.answer.question.type in OBJECTIVE_TYPES

    @property
    def response(self):
        """Issue 15's types: the structured answer (quizzes/types)."""
        return question_types.response_of(self.answer.question.type, self.answer.answer_text)

    @property
    def student_answer(self) -> str | None:
        """What the student answered, as text: the chosen option's text for choice questions."""
        a, q = self.answer, self.answer.question
        if question_types.module_for(q.type) is not None:
            return question_types.answer_display(q, answer_text=a.answer_text) or None
        if q.type in OPTION_TYPES:
            if a.answer_option is None:
                return None
            options = q.options or []
            return options[a.answer_option] if 0 <= a.answer_option < len(options) else str(a.answer_option)
        return a.answer_text

    @property
    def key_in_words(self) -> str | None:
        """The key as the grading page writes it next to the question (the options list shows mcq's own)."""
        return None if self.answer.question.type in OPTION_TYPES else self.correct_answer_text

    @property
    def correct_answer_text(self) -> str | None:
        q = self.answer.question
        if question_types.module_for(q.type) is not None:
            return question_types.key_display(q)
        if q.type in OPTION_TYPES and q.correct_answer is not None:
            options = q.options or []
            return options[q.correct_answer] if 0 <= q.correct_answer < len(options) else None
        if q.type == QuestionType.SHORT_ANSWER:
            return ", ".join(q.accepted_answers or ([q.sample_answer] if q.sample_answer else []))
        return None


def attempt_grading_items(attempt: QuizAttempt) -> list[GradingItem]:
    """Every answer of the attempt with its question and its marks in this quiz, in the quiz's order.
    Two queries, whatever the number of questions."""
    # Issue 16: the attempt's own questions (random slots' draws included, at the slot's marks).
    quiz_questions = {qq.question_id: qq for qq in attempt_questions(attempt)}
    answers = list(
        StudentAnswer.objects.filter(attempt=attempt).select_related("question").prefetch_related("question__images")
    )
    order = {qid: i for i, qid in enumerate(str(q) for q in (attempt.question_order or []))}
    seen = questions_as_seen({a.question_id: a.question for a in answers}.values(), attempt.submitted_at)
    for a in answers:
        a.question = seen[a.question_id]  # the wording the attempt was taken with (issue 15)

    def sort_key(a: StudentAnswer):
        qq = quiz_questions.get(a.question_id)
        return (order.get(str(a.question_id), 10_000), qq.order_index if qq else 10_000, a.answered_at)

    items = []
    for position, answer in enumerate(sorted(answers, key=sort_key), start=1):
        qq = quiz_questions.get(answer.question_id)
        if qq is not None:
            qq.question = answer.question  # marks_override falls back to the question's marks without a query
        marks = qq.marks if qq is not None else answer.question.marks
        items.append(GradingItem(answer=answer, quiz_question=qq, position=position, marks=marks))
    return items


def answers_awaiting_marks(attempt: QuizAttempt) -> int:
    return attempt.answers.filter(marks_awarded__isnull=True).count()


def next_pending_attempt(user, *, after: QuizAttempt) -> QuizAttempt | None:
    """The next attempt in the grading queue after `after` (same quiz first, then any)."""
    qs = QuizAttempt.objects.gradable_by(user).filter(status__in=AWAITING_GRADING).exclude(pk=after.pk)
    return (
        qs.filter(quiz_id=after.quiz_id).order_by("submitted_at", "pk").first()
        or qs.order_by("submitted_at", "pk").first()
    )


# --- The live board -------------------------------------------------------------------------------------------
@dataclass
class BoardRow:
    """One student on the live board: their latest attempt, or `not_started`."""

    id: str  # the student's id
    attempt_id: str | None
    name: str
    registration_number: str
    current_question: int
    total_questions: int
    answered: int
    progress: int  # percent of the questions answered
    violations: int
    time_elapsed_minutes: int
    status: str
    submit_reason: str
    can_reinstate: bool
    time_left_seconds: int | None
    deadline: datetime | None
    seconds_since_last_save: int | None
    score: Decimal | None
    # Issue 17: flagged for the teacher at the violation threshold, and the student's explanation.
    flagged: bool = False
    explanation: str = ""
    # Issue 17, one active session: the attempt is tied to a browser, and another one was refused.
    session_locked: bool = False
    session_refused: bool = False
    accommodation: str = ""  # issue 17: the student's accommodation in a few words, for the teacher
    # The student's exam page (its socket, quizsite.live.mark_seen): "online", "offline" or None (never heard
    # from), and seconds since it was last heard from (online) or since it went away (offline).
    connection: str | None = None
    heartbeat_age_seconds: int | None = None

    @property
    def status_label(self) -> str:
        return "Not started" if self.status == NOT_STARTED else AttemptStatus(self.status).label


@dataclass
class BoardStatus:
    """The board's `quiz_status` (guide 5.11): counts and one row per student, in-progress students first."""

    quiz_id: str
    active_attempts: int
    completed_attempts: int
    not_started: int
    total_questions: int
    generated_at: datetime
    students: list[BoardRow]


def _minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def _attempt_row(attempt: QuizAttempt, *, total_questions: int, now: datetime) -> BoardRow:
    order = [str(q) for q in (attempt.question_order or [])]
    current = 0
    if attempt.last_question_id is not None and str(attempt.last_question_id) in order:
        current = order.index(str(attempt.last_question_id)) + 1
    elif attempt.answered:
        current = min(attempt.answered, total_questions)
    in_progress = attempt.status == AttemptStatus.IN_PROGRESS
    end = now if in_progress else (attempt.submitted_at or now)
    return BoardRow(
        id=str(attempt.student_id),
        attempt_id=str(attempt.pk),
        name=attempt.student.user.name,
        registration_number=attempt.student.registration_number,
        current_question=current,
        total_questions=total_questions,
        answered=attempt.answered,
        progress=round(attempt.answered * 100 / total_questions) if total_questions else 0,
        violations=attempt.total_violations,
        time_elapsed_minutes=_minutes_between(attempt.started_at, end),
        status=attempt.status,
        submit_reason=attempt.submit_reason,
        can_reinstate=(not in_progress) and attempt.submit_reason in REINSTATABLE_REASONS,
        time_left_seconds=attempt.seconds_remaining(now) if in_progress else None,
        deadline=attempt.deadline,
        seconds_since_last_save=(
            max(0, int((now - attempt.last_saved_at).total_seconds())) if attempt.last_saved_at else None
        ),
        score=attempt.score,
        flagged=attempt.flagged_at is not None,
        explanation=attempt.violation_explanation,
        session_locked=bool(attempt.session_token_hash),
        session_refused=attempt.session_refused_at is not None,
        accommodation=_accommodation_summary(attempt.student),
    )


def _accommodation_summary(student: Student) -> str:
    acc = getattr(student, "accommodation", None)  # loaded with the row; a missing one raises AttributeError
    return acc.summary() if acc is not None else ""


def _not_started_row(student: Student, *, total_questions: int) -> BoardRow:
    return BoardRow(
        id=str(student.pk),
        attempt_id=None,
        name=student.user.name,
        registration_number=student.registration_number,
        current_question=0,
        total_questions=total_questions,
        answered=0,
        progress=0,
        violations=0,
        time_elapsed_minutes=0,
        status=NOT_STARTED,
        submit_reason="",
        can_reinstate=False,
        time_left_seconds=None,
        deadline=None,
        seconds_since_last_save=None,
        score=None,
    )


def _add_presence(rows: list[BoardRow], quiz_id, now: datetime) -> None:
    """Each in-progress student's connection state, from the cache (one round trip, no query)."""
    live = [r for r in rows if r.attempt_id and r.status == AttemptStatus.IN_PROGRESS]
    seen = seen_many(quiz_id, [r.attempt_id for r in live])
    for row in live:
        if row.attempt_id in seen:
            online, when = seen[row.attempt_id]
            row.connection = "online" if online else "offline"
            row.heartbeat_age_seconds = max(0, int(now.timestamp() - when))


def quiz_monitor_status(quiz: Quiz, *, now: datetime | None = None) -> BoardStatus:
    """The live board of a quiz the caller has loaded through Quiz.objects.manageable_by: one row per student,
    their latest attempt or `not_started` for a student of an assigned class who has not begun. Three queries
    whatever the class size (pinned in grading/tests/test_board_live.py), plus one cache read for presence."""
    now = now or timezone.now()
    total_questions = quiz_question_count(quiz)  # issue 16: random slots included

    answered_count = (
        StudentAnswer.objects.filter(attempt=OuterRef("pk"))
        .filter(Q(answer_option__isnull=False) | (Q(answer_text__isnull=False) & ~Q(answer_text="")))
        .values("attempt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_save = StudentAnswer.objects.filter(attempt=OuterRef("pk")).order_by("-updated_at")
    attempts = list(
        QuizAttempt.objects.filter(quiz=quiz)
        .select_related("student__user", "student__accommodation")
        .annotate(
            answered=Coalesce(Subquery(answered_count, output_field=IntegerField()), 0),
            last_saved_at=Subquery(last_save.values("updated_at")[:1]),
            last_question_id=Subquery(last_save.values("question_id")[:1]),
        )
        .order_by("student_id", "-attempt_number")
    )
    roster = list(
        Student.objects.filter(school_class__quiz_links__quiz=quiz)
        .select_related("user")
        .order_by("user__name")
        .distinct()
    )

    latest: dict = {}
    for attempt in attempts:
        latest.setdefault(attempt.student_id, attempt)  # ordered by -attempt_number: the first is the latest
    rows = [_attempt_row(a, total_questions=total_questions, now=now) for a in latest.values()]
    rows += [_not_started_row(s, total_questions=total_questions) for s in roster if s.pk not in latest]
    _add_presence(rows, quiz.pk, now)
    rows.sort(key=lambda r: (r.status != AttemptStatus.IN_PROGRESS, r.status == NOT_STARTED, r.name))
    return BoardStatus(
        quiz_id=str(quiz.pk),
        active_attempts=sum(1 for a in attempts if a.status == AttemptStatus.IN_PROGRESS),
        completed_attempts=sum(1 for a in attempts if a.status in FINISHED_STATUSES),
        not_started=sum(1 for r in rows if r.status == NOT_STARTED),
        total_questions=total_questions,
        generated_at=now,
        students=rows,
    )


def recent_violations(quiz: Quiz, *, limit: int = 30) -> list[Violation]:
    return list(
        Violation.objects.filter(attempt__quiz=quiz)
        .select_related("attempt__student__user")
        .order_by("-detected_at")[:limit]
    )
