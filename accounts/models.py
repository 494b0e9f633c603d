"""Users and their profiles, password reset codes, the audit log and notifications (guide section 3.1).

Refresh tokens: the guide's refresh_tokens table is served by simplejwt's token_blacklist app
(OutstandingToken + BlacklistedToken), which records every issued refresh token and its revocation.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone

# The guide's CHECK uses `[A-Z|a-z]{2,}`, where `|` is a literal inside a bracket (it would accept "a@b.|x").
EMAIL_REGEX = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"


def normalize_email(email: str) -> str:
    # The guide stores e-mail lower-case and logs in case-insensitively, so the whole address is folded,
    # not only the domain as Django's BaseUserManager.normalize_email does.
    return (email or "").strip().lower()


def normalize_registration_number(value: str) -> str:
    return (value or "").strip().upper()


def active_user(user) -> User | None:
    """The signed-in, active User behind `user` (a User, or a Teacher/Student profile), or None.

    Every scoping method below starts here, so an anonymous or deactivated caller always gets an empty queryset."""
    user = getattr(user, "user", user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user


def by_role(queryset, user, *, admin=None, teacher=None, student=None):
    """The one shape of every scoping rule: `admin`, `teacher`, `student` say what that role gets, as a function of
    the active user returning a queryset; a role not named gets nothing, and so does an anonymous or deactivated
    caller. `everything` is the rule "all rows"."""
    user = active_user(user)
    if user is None:
        return queryset.none()
    rule = admin if user.is_admin else teacher if user.is_teacher else student if user.is_student else None
    return rule(user) if rule else queryset.none()


def everything(queryset):
    """The rule "every row": by_role(qs, user, admin=everything(qs))."""
    return lambda user: queryset


class UserQuerySet(models.QuerySet):
    """Scoped querysets (STYLE.md): one method per verb, the only place that says who may see which rows."""

    def visible_to(self, user):
        """User management is for administrators only; everyone else sees no user rows."""
        return by_role(self, user, admin=everything(self))

    def admins(self):
        return self.filter(role=Role.ADMIN)

    def teachers(self):
        return self.filter(role=Role.TEACHER)

    def students(self):
        return self.filter(role=Role.STUDENT)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        email = normalize_email(email)
        if not email:
            raise ValueError("An e-mail address is required")
        extra.setdefault("name", email.split("@")[0])
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            # Never a hash of an empty string: an account without a password cannot log in at all.
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("role", Role.STUDENT)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["role"] = Role.ADMIN
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=255, unique=True)
    # The guide's column is password_hash; Django's attribute keeps its name so the auth machinery works.
    password = models.CharField("password", max_length=255, db_column="password_hash")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    is_email_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "users"
        ordering = ["name"]
        indexes = [models.Index(fields=["role"], name="idx_users_role")]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="users_role_valid"),
            models.CheckConstraint(condition=Q(email__regex=EMAIL_REGEX), name="users_email_format"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="users_email_lowercase"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    # Django admin access follows the school role: admins are staff, nobody else is.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    def has_perm(self, perm, obj=None) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_teacher_or_admin(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class TeacherQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins see every teacher; teachers the profiles of active colleagues; students none."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(user__is_active=True))

    def manageable_by(self, user):
        """Teachers whose own pages (dashboard, students) `user` may open in full: admins all, a teacher themself."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(pk=u.pk))


class Teacher(models.Model):
    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, db_column="id", related_name="teacher"
    )
    subject = models.CharField(max_length=100, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    department = models.CharField(max_length=100, blank=True, default="")
    bio = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TeacherQuerySet.as_manager()

    class Meta:
        db_table = "teachers"
        ordering = ["user__name"]

    def __str__(self) -> str:
        return self.user.name

    @property
    def id(self):
        return self.user_id


class StudentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins see every student, a teacher the students of the classes they teach, a student only themself."""
        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=lambda u: self.filter(school_class__teacher_links__teacher_id=u.pk),
            student=lambda u: self.filter(user_id=u.pk),
        )

    def assignable_by(self, user):
        """Students `user` may put into a class: any for admins; for a teacher, the students of their own classes and
        students without a class (a teacher must not take a student out of another teacher's class)."""
        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=lambda u: self.filter(
                Q(school_class__isnull=True) | Q(school_class__teacher_links__teacher_id=u.pk)
            ),
        )


class Student(models.Model):
    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, db_column="id", related_name="student"
    )
    # Stored upper-case and stripped (normalize_registration_number), so "stu2024001" logs in as STU2024001.
    registration_number = models.CharField(max_length=50, unique=True)
    # The guide's CREATE TABLE students references classes before that table exists; here the classrooms app's
    # migration runs first and a later migration adds this column.
    school_class = models.ForeignKey(
        "classrooms.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="students",
        db_column="class_id",
    )
    date_of_birth = models.DateField(null=True, blank=True)
    parent_email = models.EmailField(max_length=255, blank=True, default="")
    parent_phone = models.CharField(max_length=20, blank=True, default="")
    is_account_claimed = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Not in the guide: a hashed one-time claim code. Registration numbers are guessable, so when a school
    # hands out claim slips the code must accompany the claim (accounts issue).
    claim_code_hash = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = StudentQuerySet.as_manager()

    class Meta:
        db_table = "students"
        ordering = ["registration_number"]
        indexes = [models.Index(fields=["school_class"], name="idx_students_class_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_number=Upper("registration_number")) & ~Q(registration_number=""),
                name="students_reg_number_normalized",
            ),
            models.CheckConstraint(
                condition=Q(is_account_claimed=False) | Q(claimed_at__isnull=False),
                name="students_claimed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.name} ({self.registration_number})"

    @property
    def id(self):
        return self.user_id


class AccommodationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Issue 17: a student's accommodations are seen by the teachers of the student's class and by admins,
        never by students (not even their own profile: the student meets it as a longer timer)."""
        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=lambda u: self.filter(student__in=Student.objects.visible_to(u)),
        )


class Accommodation(models.Model):
    """Issue 17: a student's exam accommodations (IEP/504 plans, reasonable adjustments). They apply to every quiz
    the student takes, including quizzes created later; quizzes.effective.effective_settings turns them into the
    student's time limit, close time and attempts. Written only by accounts.services.accommodations (audited)."""

    student = models.OneToOneField(Student, primary_key=True, on_delete=models.CASCADE, related_name="accommodation")
    # Time limit x multiplier + extra minutes (either or both); no_time_limit wins over both.
    time_multiplier = models.DecimalField(max_digits=3, decimal_places=2, default=1)
    extra_minutes = models.PositiveIntegerField(default=0)
    no_time_limit = models.BooleanField(default=False)
    extra_attempts = models.PositiveSmallIntegerField(default=0)
    # Assistive technology takes focus: focus/tab/fullscreen events are logged for the teacher, never counted.
    exempt_from_focus_violations = models.BooleanField(default=False)
    reason = models.CharField(max_length=500)
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccommodationQuerySet.as_manager()

    class Meta:
        db_table = "student_accommodations"
        constraints = [
            models.CheckConstraint(
                condition=Q(time_multiplier__gte=1) & Q(time_multiplier__lte=5), name="accommodations_multiplier_range"
            ),
            models.CheckConstraint(condition=Q(extra_minutes__lte=1440), name="accommodations_extra_minutes_range"),
            models.CheckConstraint(condition=Q(extra_attempts__lte=20), name="accommodations_extra_attempts_range"),
        ]

    def __str__(self) -> str:
        return f"Accommodation of {self.student_id}"

    @property
    def changes_time(self) -> bool:
        return self.no_time_limit or self.time_multiplier != 1 or self.extra_minutes > 0

    def summary(self) -> str:
        """One line for the roster, the quiz page and the board."""
        parts = []
        if self.no_time_limit:
            parts.append("no time limit")
        else:
            if self.time_multiplier != 1:
                parts.append(f"time x{self.time_multiplier.normalize():f}")
            if self.extra_minutes:
                parts.append(f"+{self.extra_minutes} min")
        if self.extra_attempts:
            parts.append(f"+{self.extra_attempts} attempt(s)")
        if self.exempt_from_focus_violations:
            parts.append("focus-loss exempt")
        return ", ".join(parts) or "none"


class PasswordResetToken(models.Model):
    """A 6-digit reset code. The guide stores the code itself (VARCHAR(6)); here only its hash is kept, with a
    count of wrong tries, so a database leak or a brute force does not reset anyone's password."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_tokens")
    code_hash = models.CharField(max_length=128, db_index=True)
    expires_at = models.DateTimeField()
    is_used = models.BooleanField(default=False)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "password_reset_tokens"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user"], name="idx_reset_tokens_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="reset_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"reset code for {self.user_id}"


class AuditLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The audit log is for administrators only."""
        return by_role(self, user, admin=everything(self))


class AuditLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_logs")
    action = models.CharField(max_length=100)
    entity_type = models.CharField(max_length=50, blank=True, default="")
    entity_id = models.UUIDField(null=True, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        db_table = "audit_logs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], name="idx_audit_user"),
            models.Index(fields=["action"], name="idx_audit_action"),
            models.Index(fields=["created_at"], name="idx_audit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.entity_type} {self.entity_id or ''}".strip()


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A notification is its recipient's alone (admins included)."""
        user = getattr(user, "user", user)
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=50)
    title = models.CharField(max_length=255)
    message = models.TextField()
    link = models.CharField(max_length=500, blank=True, default="")
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], name="idx_notifications_user"),
            models.Index(fields=["is_read"], name="idx_notifications_read"),
            # The bell's unread count: one index-only lookup per page.
            models.Index(fields=["user", "is_read"], name="idx_notifications_user_unread"),
        ]

    def __str__(self) -> str:
        return self.title
