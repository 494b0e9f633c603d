"""Collusion leads of a quiz (issue 20): each computation of the answer-copying index is a run; a run keeps the
pairs worth a teacher's look; the teacher's conclusion about a pair of students outlives the runs (a recomputation
after a late submission must not erase what a teacher recorded)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import by_role, everything


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CollusionRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff who manage the quiz; never a student (leads are never shown to students)."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(quiz__created_by_id=u.pk))


class CollusionRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="collusion_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    students = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    lead_threshold = models.FloatField(null=True, blank=True)
    # Why the run ranks nothing (too few students or questions for the index to mean anything); "" when it ranks.
    too_small = models.CharField(max_length=300, blank=True, default="")
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    objects = CollusionRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["quiz", "-created_at"], name="idx_collusion_runs_quiz")]
        constraints = [models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="collusion_run_status")]

    def __str__(self) -> str:
        return f"Collusion run of {self.quiz_id} ({self.status})"


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the run: the quiz's teacher and admins; students never."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(run__quiz__created_by_id=u.pk))


class CollusionLead(models.Model):
    """A pair of attempts whose agreement is unusual: a lead for a teacher to look at, never a verdict."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(CollusionRun, on_delete=models.CASCADE, related_name="leads")
    rank = models.PositiveIntegerField()
    attempt_a = models.ForeignKey("attempts.QuizAttempt", on_delete=models.CASCADE, related_name="+")
    attempt_b = models.ForeignKey("attempts.QuizAttempt", on_delete=models.CASCADE, related_name="+")
    # True: below the quiz's lead threshold (statistically unusual on its own); False: weaker agreement kept
    # because something else (a rarely shared IP address, answers changed at the same moments) points the same way.
    significant = models.BooleanField(default=True)
    p_value = models.FloatField()
    matches = models.PositiveIntegerField()
    expected_matches = models.FloatField()
    identical_wrong = models.PositiveIntegerField()
    rare_matches = models.PositiveIntegerField()
    timing_matches = models.PositiveIntegerField(default=0)
    same_order = models.BooleanField(default=False)
    shared_ip = models.BooleanField(default=False)
    ip_shared_by = models.PositiveIntegerField(default=0)
    same_device = models.BooleanField(default=False)
    violations_near = models.PositiveIntegerField(default=0)
    explanation = models.JSONField(default=list)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["run", "rank"], name="collusion_lead_rank_uniq")]

    def __str__(self) -> str:
        return f"Lead #{self.rank} ({self.attempt_a_id} / {self.attempt_b_id})"


class Conclusion(models.TextChoices):
    OPEN = "open", "Not looked at yet"
    NO_CONCERN = "no_concern", "No concern"
    EXPLAINED = "explained", "Explained (e.g. they studied together)"
    FOLLOW_UP = "follow_up", "Following up"
    MISCONDUCT = "misconduct", "Misconduct established"


class LeadConclusionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(quiz__created_by_id=u.pk))


class LeadConclusion(models.Model):
    """The teacher's conclusion about two students on one quiz (student_a has the smaller id)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="+")
    student_a = models.ForeignKey("accounts.Student", on_delete=models.CASCADE, related_name="+")
    student_b = models.ForeignKey("accounts.Student", on_delete=models.CASCADE, related_name="+")
    conclusion = models.CharField(max_length=20, choices=Conclusion.choices, default=Conclusion.OPEN)
    note = models.TextField(blank=True, default="", max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    objects = LeadConclusionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student_a", "student_b"], name="lead_conclusion_pair_uniq"),
            models.CheckConstraint(condition=Q(conclusion__in=Conclusion.values), name="lead_conclusion_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_conclusion_display()} ({self.student_a_id} / {self.student_b_id})"


class FixAction(models.TextChoices):
    ACCEPT_OPTION = "accept_option", "Accept another option as also correct"
    ACCEPT_TEXT = "accept_text", "Accept another answer as also correct"
    FULL_MARKS = "full_marks", "Give everyone full marks"
    DROP = "drop", "Drop the question from the total"
    CORRECT_OPTION = "correct_option", "Correct the key: another option is the right one"
    CORRECT_TEXT = "correct_text", "Correct the key: replace the accepted answers"


class QuestionFixQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins all; a teacher the fixes made in their quizzes or to their questions (the bank's history)."""
        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=lambda u: self.filter(Q(quiz__created_by_id=u.pk) | Q(question__created_by_id=u.pk)),
        )


class QuestionFix(models.Model):
    """A teacher's fix of a flawed question in a quiz (issue 20's quality loop), with what it replaced so that it can
    be undone, the flags the question had, and what the regrade changed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="question_fixes")
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="fixes")
    action = models.CharField(max_length=20, choices=FixAction.choices)
    value = models.JSONField(null=True, blank=True)  # the option index or the answer text
    reason = models.CharField(max_length=500)
    flags = models.JSONField(default=list, blank=True)  # the question's flags in this quiz when it was fixed
    before = models.JSONField(default=dict)  # the fields it changed, as they were
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = QuestionFixQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["question", "-created_at"], name="idx_question_fixes_question")]
        constraints = [models.CheckConstraint(condition=Q(action__in=FixAction.values), name="question_fix_action")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.question_id} in {self.quiz_id})"

    @property
    def active(self) -> bool:
        return self.undone_at is None
