"""Attempts, answers and violations (guide section 3.1: quiz_attempts, student_answers, violations)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import by_role, everything


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"  # awaiting hand-marking of descriptive answers
    GRADED = "graded", "Graded"
    AUTO_SUBMITTED = "auto_submitted", "Auto-submitted"


FINISHED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED, AttemptStatus.AUTO_SUBMITTED)


class SubmitReason(models.TextChoices):
    """Not in the guide: why an attempt ended, kept after grading turns the status into `graded`."""

    STUDENT = "student", "Submitted by the student"
    DEADLINE = "deadline", "Time ran out"
    VIOLATIONS = "violations", "Too many violations"
    TEACHER = "teacher", "Submitted by the teacher"


class ViolationType(models.TextChoices):
    TAB_SWITCH = "tab_switch", "Tab switch"
    FULLSCREEN_EXIT = "fullscreen_exit", "Left fullscreen"
    COPY_ATTEMPT = "copy_attempt", "Copy attempt"
    PASTE_ATTEMPT = "paste_attempt", "Paste attempt"
    RIGHT_CLICK = "right_click", "Right click"
    FOCUS_LOST = "focus_lost", "Window lost focus"
    MULTIPLE_WINDOWS = "multiple_windows", "Multiple windows"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class QuizAttemptQuerySet(models.QuerySet):
    """Scoped querysets (STYLE.md): the one place that says whose attempts a user may see, grade or print."""

    def for_student(self, user):
        """The attempts of `user` as a student (none for staff)."""
        return by_role(self, user, student=lambda u: self.filter(student_id=u.pk))

    def gradable_by(self, user):
        """Attempts `user` may grade, watch live and act on: admins all, a teacher the attempts of their quizzes."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(quiz__created_by_id=u.pk))

    def visible_to(self, user):
        """Staff see the attempts they may grade; a student their own (in progress included)."""
        return by_role(self, user, admin=self.gradable_by, teacher=self.gradable_by, student=self.for_student)

    def reportable_by(self, user):
        """Attempts whose report (PDF, printable page) `user` may open: staff as for grading, a student only their
        own finished attempts."""
        return by_role(
            self,
            user,
            admin=self.gradable_by,
            teacher=self.gradable_by,
            student=lambda u: self.for_student(u).filter(status__in=FINISHED_STATUSES),
        )

    def overdue(self, now=None):
        """In progress with the deadline passed (the grace period is checked per quiz by the caller)."""
        return self.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=now or timezone.now())


class QuizAttempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey("accounts.Student", on_delete=models.CASCADE, related_name="attempts")
    attempt_number = models.PositiveSmallIntegerField(default=1)

    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    # Not in the guide: the server-side deadline fixed at start = min(start + time limit, quiz end date).
    # Every time check compares against this, never against the client's clock; a teacher's extension moves it.
    deadline = models.DateTimeField()
    submit_reason = models.CharField(max_length=20, choices=SubmitReason.choices, blank=True, default="")
    # Issue 17: the deadline the student's effective settings (quizzes.effective) gave at start, or at their last
    # change. When an override or accommodation changes during the attempt, `deadline` moves by the difference, so a
    # teacher's extension from the board is kept. NULL for attempts started before issue 17 (never moved).
    scheduled_deadline = models.DateTimeField(null=True, blank=True)

    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    total_marks = models.PositiveIntegerField(null=True, blank=True)
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    total_violations = models.PositiveIntegerField(default=0)
    # Not in the guide: violations counted before the teacher last reinstated the attempt. The quiz's threshold
    # applies to total_violations - violation_baseline, so a reinstated student gets a fresh allowance while the
    # lifetime count stays on record.
    violation_baseline = models.PositiveIntegerField(default=0)
    auto_submitted_due_to_violations = models.BooleanField(default=False)
    # Issue 17: when the violations reached the threshold of a quiz whose action is "flag for the teacher" (the
    # attempt runs on), and the student's own words about it (after a flag or a violations auto-submit).
    flagged_at = models.DateTimeField(null=True, blank=True)
    violation_explanation = models.TextField(blank=True, default="")
    explained_at = models.DateTimeField(null=True, blank=True)
    # Issue 17, one active session per attempt (quizzes with single_session): the SHA-256 of the token the first
    # browser was given, and when another browser was last refused (the board shows it; a teacher releases it).
    session_token_hash = models.CharField(max_length=64, blank=True, default="")
    session_refused_at = models.DateTimeField(null=True, blank=True)
    # Issue 17: started outside the quiz's networks with its network password: the network rule no longer applies.
    network_bypass = models.BooleanField(default=False)

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True, default="")

    # Not in the guide: this attempt's own order when the quiz randomizes, fixed at start and kept on resume.
    # question_order: [question_id, ...]; option_order: {question_id: [original option index, ...]} so the
    # student's displayed choice i means original option option_order[qid][i] (grading maps it back).
    question_order = models.JSONField(default=list, blank=True)
    option_order = models.JSONField(default=dict, blank=True)
    # Not in the guide: {question_id: {"type": ..., "options": n}} fixed at start, so an autosave validates the
    # answer against the question's type without another query (the save path is the exam's hot path).
    question_meta = models.JSONField(default=dict, blank=True)
    # Issue 16: the questions the student flagged for review ([question_id, ...], in the attempt's order), saved by
    # attempts.services.attempt_flag (POST /attempts/{id}/flags), shown in the navigator and the summary.
    review_flags = models.JSONField(default=list, blank=True)

    objects = QuizAttemptQuerySet.as_manager()

    class Meta:
        db_table = "quiz_attempts"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["quiz"], name="idx_attempts_quiz"),
            models.Index(fields=["student"], name="idx_attempts_student"),
            models.Index(fields=["status"], name="idx_attempts_status"),
            # The beat task's scan for expired attempts.
            models.Index(fields=["deadline"], condition=Q(status="in_progress"), name="idx_attempts_open_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "attempt_number"], name="attempts_number_uniq"),
            # At most one attempt in progress per student and quiz: concurrent "start" clicks create one attempt.
            models.UniqueConstraint(
                fields=["quiz", "student"], condition=Q(status="in_progress"), name="attempts_one_in_progress"
            ),
            models.CheckConstraint(condition=Q(status__in=AttemptStatus.values), name="attempts_status_valid"),
            models.CheckConstraint(condition=Q(attempt_number__gt=0), name="attempts_number_positive"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="attempts_score_nonneg"),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | (Q(percentage__gte=0) & Q(percentage__lte=100)),
                name="attempts_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="attempts_finished_has_submitted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.quiz} #{self.attempt_number}"

    @property
    def is_finished(self) -> bool:
        return self.status != AttemptStatus.IN_PROGRESS

    def seconds_remaining(self, now=None) -> int:
        now = now or timezone.now()
        return max(0, int((self.deadline - now).total_seconds()))


class StudentAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="answers")

    answer_text = models.TextField(null=True, blank=True)
    # For mcq/true_false, always the ORIGINAL option index (a shuffled display index is mapped back on save).
    answer_option = models.IntegerField(null=True, blank=True)

    marks_awarded = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(blank=True, default="")
    # The guide references teachers(id); an admin may grade too and has no teacher row, so this points at users.
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="graded_answers",
        db_column="graded_by",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    is_final = models.BooleanField(default=False)
    # Not in the guide: the client's sequence number of the save stored here; an older retry arriving late is
    # acknowledged but does not overwrite a newer answer.
    client_seq = models.BigIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "student_answers"
        ordering = ["answered_at"]
        indexes = [models.Index(fields=["question"], name="idx_answers_question")]
        constraints = [
            # The guide's UNIQUE(attempt_id, question_id, is_final) allows a draft row and a final row per question,
            # which autosave would then have to reconcile. One row per (attempt, question), updated in place.
            models.UniqueConstraint(fields=["attempt", "question"], name="answers_attempt_question_uniq"),
            models.CheckConstraint(
                condition=Q(marks_awarded__isnull=True) | Q(marks_awarded__gte=0), name="answers_marks_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} / {self.question_id}"


class Violation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="violations")
    violation_type = models.CharField(max_length=50, choices=ViolationType.choices)
    detected_at = models.DateTimeField(default=timezone.now)
    question_index = models.IntegerField(null=True, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.MEDIUM)
    # The guide's column is `metadata`, a name its SQLAlchemy models reserve (Base.metadata). The column keeps
    # the guide's name; the attribute is `details`; the API field stays `metadata`.
    details = models.JSONField(null=True, blank=True, db_column="metadata")
    # Issue 17: how long focus was lost (as the page measured it), and whether the event counted against the
    # threshold: a blip under the quiz's tolerance, a type weighted 0 and an exempt student's events are logged only.
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    counted = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        db_table = "violations"
        ordering = ["detected_at"]
        indexes = [
            models.Index(fields=["attempt"], name="idx_violations_attempt"),
            models.Index(fields=["violation_type"], name="idx_violations_type"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(violation_type__in=ViolationType.values), name="violations_type_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="violations_severity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_violation_type_display()} at {self.detected_at:%H:%M:%S}"


class DrawnQuestion(models.Model):
    """Issue 16: a question a random slot (quizzes.models.QuizSlot) drew for this attempt, fixed at start with the
    marks it is worth, so resume, reload, regrade, grading, review and analytics all see the same questions
    (attempts.questions.attempt_questions is the one place that lists an attempt's questions)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="drawn_questions")
    # PROTECT: a drawn question is part of a student's record (the bank's delete refuses it with a clear error).
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT, related_name="draws")
    slot = models.ForeignKey("quizzes.QuizSlot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField()
    marks = models.PositiveIntegerField()

    class Meta:
        db_table = "attempt_drawn_questions"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="drawn_questions_attempt_question_uniq"),
            models.CheckConstraint(condition=Q(marks__gt=0), name="drawn_questions_marks_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} drew {self.question_id}"
