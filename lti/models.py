"""LTI 1.3: the LMSs (platforms) registered with us, our signing keys, who is who, which LMS link opens which quiz,
the grades sent back and the rosters synced (issue 19).

Everything an LMS says about a user is keyed by (issuer, sub): the LTI spec makes `sub` unique per issuer, never
across issuers, so a launch from another platform with the same `sub` is a different person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import by_role, everything


class ToolKeyQuerySet(models.QuerySet):
    def published(self, now=None):
        """The keys the JWKS URL shows: the current one and those retired less than LTI_KEY_RETIRED_SECONDS ago
        (a platform that fetched our JWKS before a rotation may still check a token signed with the old key)."""
        now = now or timezone.now()
        grace = timezone.timedelta(seconds=settings.LTI_KEY_RETIRED_SECONDS)
        return self.filter(Q(retired_at__isnull=True) | Q(retired_at__gt=now - grace)).order_by("-created_at")


class ToolKey(models.Model):
    """Our RSA key pair: signs deep-linking responses and the client_credentials assertions of AGS/NRPS calls.
    The private key never leaves the database (no page or API shows it); one key is current at a time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kid = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    public_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ToolKeyQuerySet.as_manager()

    class Meta:
        db_table = "lti_tool_keys"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["retired_at"], condition=Q(retired_at__isnull=True), name="lti_one_current_key"
            )
        ]

    def __str__(self) -> str:
        return f"key {self.kid[:12]}…{' (retired)' if self.retired_at else ''}"


class PlatformQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """Registering an LMS is a school-wide decision: administrators only."""
        return by_role(self, user, admin=everything(self))


class Platform(models.Model):
    """One registration of our tool in an LMS: what the LMS told us (issuer, client id, its URLs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField("OIDC authorization URL", max_length=500)
    auth_token_url = models.URLField("OAuth2 access token URL", max_length=500)
    auth_audience = models.CharField("token audience", max_length=500, blank=True, default="")
    jwks_url = models.URLField("public keyset (JWKS) URL", max_length=500)
    create_users = models.BooleanField(
        "create accounts for new LMS users",
        default=False,
        help_text="Off: only LMS users already linked to an account may launch; the others see a refusal.",
    )
    trust_admin_role = models.BooleanField(
        "LMS administrators become administrators here",
        default=False,
        help_text="Off: an LMS Administrator gets the next role the LMS gives them (teacher, else student).",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        db_table = "lti_platforms"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_issuer_client")]

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "lti_deployments"
        ordering = ["deployment_id"]
        constraints = [models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_deployment_unique")]

    def __str__(self) -> str:
        return self.deployment_id


class Identity(models.Model):
    """An LMS user (issuer + sub) is this account of ours."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=500)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "lti_identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "sub"], name="lti_identity_issuer_sub")]

    def __str__(self) -> str:
        return f"{self.sub} @ {self.issuer}"


class Context(models.Model):
    """An LMS course, and the class of ours its learners join (chosen by a teacher when deep linking or syncing)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True, default="")
    school_class = models.ForeignKey(
        "classrooms.SchoolClass", null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_contexts"
    )
    memberships_url = models.URLField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "lti_contexts"
        constraints = [models.UniqueConstraint(fields=["platform", "context_id"], name="lti_context_unique")]

    def __str__(self) -> str:
        return self.title or self.context_id


class QuizLinkQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """Links to quizzes `user` manages (the quiz's rule, quizzes.models.OwnedQuerySet)."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(quiz__created_by_id=u.pk))


class QuizLink(models.Model):
    """A quiz placed in an LMS course by deep linking: its resource link (known from the first launch) and the
    gradebook line item its scores go to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="quiz_links")
    deployment_id = models.CharField(max_length=255)
    context = models.ForeignKey(Context, null=True, blank=True, on_delete=models.SET_NULL, related_name="quiz_links")
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="lti_links")
    resource_link_id = models.CharField(max_length=255, blank=True, default="")
    lineitem_url = models.URLField(max_length=1000, blank=True, default="")
    ags_scopes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = QuizLinkQuerySet.as_manager()

    class Meta:
        db_table = "lti_quiz_links"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"],
                condition=~Q(resource_link_id=""),
                name="lti_quiz_link_resource_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} in {self.platform}"


class GradeStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class GradeSync(models.Model):
    """The score of one attempt (the one that counts for its student) on its way to one LMS line item."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(QuizLink, on_delete=models.CASCADE, related_name="grade_syncs")
    attempt = models.ForeignKey("attempts.QuizAttempt", on_delete=models.CASCADE, related_name="lti_grade_syncs")
    lms_user_id = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=GradeStatus.choices, default=GradeStatus.WAITING)
    score_given = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    score_maximum = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    fully_graded = models.BooleanField(default=False)  # False: sent as PendingManual (written answers await marks)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "lti_grade_syncs"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["link", "attempt"], name="lti_grade_sync_unique"),
            models.CheckConstraint(condition=Q(status__in=GradeStatus.values), name="lti_grade_sync_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} -> {self.link_id}: {self.status}"


class UsedNonce(models.Model):
    """Every id_token nonce we accepted, so the same token cannot be played twice (the library checks that the
    nonce is one we issued, this row that it is used once)."""

    issuer = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "lti_used_nonces"
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_once")]

    def __str__(self) -> str:
        return f"nonce {self.nonce[:12]}… of {self.issuer}"


class RosterSync(models.Model):
    """One NRPS roster sync and its report (what was created, linked, moved, left alone)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="roster_syncs")
    school_class = models.ForeignKey("classrooms.SchoolClass", on_delete=models.CASCADE, related_name="lti_syncs")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "lti_roster_syncs"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"roster sync of {self.context_id} at {self.created_at:%Y-%m-%d %H:%M}"
