"""Quizzes, the question bank and what ties them together (guide section 3.1: quizzes, quiz_classes, questions,
quiz_questions)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import by_role, everything
from quizsite.text import control_character_error, validate_no_control_characters
from quizzes import types as question_types

# No look-alikes: 0/O, 1/I/L are left out so a code read off a projector is typed right the first time.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 8


def generate_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def normalize_access_code(code: str) -> str:
    # Codes are stored upper-case; students type them however they like, with stray spaces or a dash.
    return "".join((code or "").split()).replace("-", "").upper()


# How much text a question or quiz may hold: far beyond any real exam, far below what slows a page or a list down
# (a question once held 5.5 MB per field and GET /questions?limit=100 answered 20 MB). The fields' validators and
# Question.clean() enforce them, so the API, the pages, the import and the admin agree; the API's serializers and
# the page forms repeat them only to answer early and to tell the browser.
QUESTION_TEXT_MAX_LENGTH = 10_000
SAMPLE_ANSWER_MAX_LENGTH = 20_000
RUBRIC_MAX_LENGTH = 20_000
QUIZ_DESCRIPTION_MAX_LENGTH = 5_000
OPTION_MAX_LENGTH = 1_000
MAX_OPTIONS = 10
ACCEPTED_ANSWER_MAX_LENGTH = 500
MAX_ACCEPTED_ANSWERS = 20
GENERAL_FEEDBACK_MAX_LENGTH = 5_000
# Issue 16: tags on questions (many per question, besides topic and difficulty), stored trimmed and lower-case.
TAG_MAX_LENGTH = 50
MAX_TAGS = 20


def normalize_tags(tags) -> list[str]:
    """Tags as stored: trimmed, lower-case, inner spaces collapsed, duplicates and blanks dropped, order kept.
    A comma-separated string (the bank form) is split."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def _text_validators(max_length: int | None = None) -> list:
    limit = [MaxLengthValidator(max_length)] if max_length else []
    return [*limit, validate_no_control_characters]


class QuizStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ViolationAction(models.TextChoices):
    """Issue 17: what reaching the violation threshold does."""

    FLAG = "flag", "Flag the attempt for the teacher"
    AUTO_SUBMIT = "auto_submit", "Submit the attempt automatically"


class QuestionType(models.TextChoices):
    MCQ = "mcq", "Multiple choice"
    TRUE_FALSE = "true_false", "True / false"
    SHORT_ANSWER = "short_answer", "Short answer"
    DESCRIPTIVE = "descriptive", "Descriptive"
    # Issue 15: the types a school's subjects need (data shapes and scoring rules: quizzes/types/__init__.py).
    MULTIPLE_RESPONSE = "multiple_response", "Multiple response"
    NUMERIC = "numeric", "Numeric"
    MATCHING = "matching", "Matching"
    ORDERING = "ordering", "Ordering"
    CLOZE = "cloze", "Fill in the blanks"


OBJECTIVE_TYPES = (
    QuestionType.MCQ,
    QuestionType.TRUE_FALSE,
    QuestionType.SHORT_ANSWER,
    QuestionType.MULTIPLE_RESPONSE,
    QuestionType.NUMERIC,
    QuestionType.MATCHING,
    QuestionType.ORDERING,
    QuestionType.CLOZE,
)
# Answered by choosing ONE option (answer_option); multiple_response has options too but a list answer.
OPTION_TYPES = (QuestionType.MCQ, QuestionType.TRUE_FALSE)
HAS_OPTIONS = (*OPTION_TYPES, QuestionType.MULTIPLE_RESPONSE)


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class OwnedQuerySet(models.QuerySet):
    """A teacher's quizzes and question bank are theirs (`created_by`); admins manage every teacher's."""

    def manageable_by(self, user):
        """Rows `user` may edit (and for quizzes publish, watch live, grade and analyse): admins all, a teacher
        their own, students none."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(created_by_id=u.pk))


def _assigned_to_class_of(user) -> models.Exists:
    return models.Exists(QuizClass.objects.filter(quiz=models.OuterRef("pk"), school_class__students=user.pk))


class QuizQuerySet(OwnedQuerySet):
    """Scoped querysets (STYLE.md): the one place that says which quizzes a user may see or manage."""

    def assigned_to(self, user):
        """Quizzes assigned to the class of `user`, a student (in any status)."""
        return by_role(self, user, student=lambda u: self.filter(_assigned_to_class_of(u)))

    def visible_to(self, user):
        """Admins see all, teachers their own, students the published quizzes assigned to their class plus the
        published or archived quizzes they have attempted (their results)."""

        def students(user):
            # The attempts app sits above this one: reach its rows through the reverse relation, not an import.
            attempts = self.model._meta.get_field("attempts").related_model
            attempted = attempts.objects.filter(quiz=models.OuterRef("pk"), student_id=user.pk)
            return self.filter(
                (Q(status=QuizStatus.PUBLISHED) & _assigned_to_class_of(user))
                | (Q(status__in=[QuizStatus.PUBLISHED, QuizStatus.ARCHIVED]) & models.Exists(attempted))
            )

        return by_role(self, user, admin=self.manageable_by, teacher=self.manageable_by, student=students)


class QuestionQuerySet(OwnedQuerySet):
    def visible_to(self, user):
        """The bank is seen by those who manage it: students never see it."""
        return self.manageable_by(user)


class Quiz(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=255, validators=_text_validators())
    subject = models.CharField(max_length=100, validators=_text_validators())
    description = models.TextField(blank=True, default="", validators=_text_validators(QUIZ_DESCRIPTION_MAX_LENGTH))
    # Stored upper-case; looked up with the code upper-cased, so "abcd2345" finds ABCD2345.
    access_code = models.CharField(max_length=20, unique=True, default=generate_access_code)
    time_limit_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=QuizStatus.choices, default=QuizStatus.DRAFT)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Teacher", on_delete=models.CASCADE, related_name="quizzes", db_column="created_by"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    passing_percentage = models.PositiveSmallIntegerField(default=40)
    max_attempts = models.PositiveSmallIntegerField(default=1)
    show_answers_after_submission = models.BooleanField(default=False)
    randomize_questions = models.BooleanField(default=False)
    randomize_options = models.BooleanField(default=False)
    allow_review = models.BooleanField(default=True)
    # Not in the guide (which hard-codes 3 in its violation service): violations that auto-submit an attempt.
    violation_threshold = models.PositiveSmallIntegerField(default=settings.DEFAULT_VIOLATION_THRESHOLD)
    # Not in the guide: seconds after the deadline during which saves in flight are still accepted.
    # NULL means the site-wide ATTEMPT_GRACE_SECONDS.
    grace_period_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Issue 17, the violation policy. Focus losses shorter than the tolerance are logged, not counted; each type
    # counts its weight ({"copy_attempt": 0, ...}; a missing type weighs 1); at the threshold the attempt is
    # flagged for the teacher or auto-submitted. Quizzes created before issue 17 were migrated to tolerance 0 and
    # auto-submit, so nothing changed for them.
    violation_tolerance_seconds = models.DecimalField(max_digits=4, decimal_places=1, default=2)
    violation_weights = models.JSONField(default=dict, blank=True)
    violation_action = models.CharField(max_length=20, choices=ViolationAction.choices, default=ViolationAction.FLAG)
    # Issue 17, access rules (attempts.access checks them on start, the exam page, answers and submit). Empty lists
    # and False: no rule. Networks are CIDRs (IPv4/IPv6) of the client address quizsite.clientip gives; Safe Exam
    # Browser keys are the 64-hex config keys / browser exam keys of Moodle's quizaccess_seb.
    allowed_networks = models.JSONField(default=list, blank=True)
    seb_config_keys = models.JSONField(default=list, blank=True)
    seb_browser_exam_keys = models.JSONField(default=list, blank=True)
    single_session = models.BooleanField(default=False)
    # "On the school network OR with this password" (Canvas testing centres): a student outside the networks may
    # start with it, and that attempt is then accepted from anywhere. Empty: the networks only.
    network_password = models.CharField(max_length=64, blank=True, default="")

    # Not in the guide (issue 15): negative marking, the percentage of a question's marks deducted for each answered
    # objective question that scored 0 (0 = off, the default). attempts.scoring applies it; a total never goes
    # below 0.
    negative_marking_percent = models.PositiveSmallIntegerField(default=0)

    classes = models.ManyToManyField("classrooms.SchoolClass", through="QuizClass", related_name="quizzes", blank=True)
    questions = models.ManyToManyField("Question", through="QuizQuestion", related_name="quizzes", blank=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        db_table = "quizzes"
        verbose_name_plural = "quizzes"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by"], name="idx_quizzes_created_by"),
            models.Index(fields=["status"], name="idx_quizzes_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_minutes__gt=0), name="quizzes_time_limit_positive"),
            models.CheckConstraint(condition=Q(status__in=QuizStatus.values), name="quizzes_status_valid"),
            models.CheckConstraint(
                condition=Q(passing_percentage__gte=0) & Q(passing_percentage__lte=100),
                name="quizzes_passing_percentage_range",
            ),
            models.CheckConstraint(condition=Q(max_attempts__gt=0), name="quizzes_max_attempts_positive"),
            models.CheckConstraint(condition=Q(violation_threshold__gt=0), name="quizzes_violation_threshold_positive"),
            models.CheckConstraint(
                condition=Q(negative_marking_percent__lte=100), name="quizzes_negative_marking_percent_range"
            ),
            # The guide's CHECK (end_date IS NULL OR end_date > start_date) spelled out for a NULL start date.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="quizzes_end_after_start",
            ),
            models.CheckConstraint(condition=Q(access_code=Upper("access_code")), name="quizzes_access_code_upper"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def grace_seconds(self) -> int:
        if self.grace_period_seconds is not None:
            return self.grace_period_seconds
        return settings.ATTEMPT_GRACE_SECONDS


class QuizClass(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="class_links")
    school_class = models.ForeignKey(
        "classrooms.SchoolClass", on_delete=models.CASCADE, related_name="quiz_links", db_column="class_id"
    )
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "quiz_classes"
        constraints = [models.UniqueConstraint(fields=["quiz", "school_class"], name="quiz_classes_uniq")]

    def __str__(self) -> str:
        return f"{self.quiz_id} → {self.school_class_id}"


class Question(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    text = models.TextField(validators=_text_validators(QUESTION_TEXT_MAX_LENGTH))
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    topic = models.CharField(max_length=100, blank=True, default="", db_index=True, validators=_text_validators())
    difficulty = models.CharField(max_length=20, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    marks = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        "accounts.Teacher", on_delete=models.CASCADE, related_name="questions", db_column="created_by"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # mcq / true_false: the options and the 0-based index of the correct one.
    options = models.JSONField(null=True, blank=True)
    correct_answer = models.IntegerField(null=True, blank=True)
    # Issue 20: options accepted as correct besides correct_answer (a teacher's fix of an ambiguous question, made
    # through integrity's quality loop and undone the same way).
    also_correct_options = models.JSONField(default=list, blank=True)
    # short_answer: the guide is silent on how a short answer is marked. A list of accepted answers, matched
    # trimmed, Unicode-normalised, case-insensitive unless case_sensitive, with `*` as a wildcard (as Moodle).
    accepted_answers = models.JSONField(default=list, blank=True)
    case_sensitive = models.BooleanField(default=False)
    # descriptive (and optionally short_answer): what the teacher marks against.
    sample_answer = models.TextField(blank=True, default="", validators=_text_validators(SAMPLE_ANSWER_MAX_LENGTH))
    marking_rubric = models.TextField(blank=True, default="", validators=_text_validators(RUBRIC_MAX_LENGTH))
    # Issue 15: what a type needs beyond the guide's columns (the table in quizzes/types/__init__.py), and the
    # feedback every student sees at review once the answers are revealed.
    details = models.JSONField(default=dict, blank=True)
    general_feedback = models.TextField(
        blank=True, default="", validators=_text_validators(GENERAL_FEEDBACK_MAX_LENGTH)
    )
    # Issue 16: free tags ("algebra", "term 2", "calculator"), filtered with ?tag= and drawn from by random slots.
    tags = ArrayField(models.CharField(max_length=TAG_MAX_LENGTH, blank=True), default=list, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        db_table = "questions"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by"], name="idx_questions_created_by"),
            models.Index(fields=["type"], name="idx_questions_type"),
            models.Index(fields=["difficulty"], name="idx_questions_difficulty"),
            GinIndex(fields=["tags"], name="idx_questions_tags"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=QuestionType.values), name="questions_type_valid"),
            models.CheckConstraint(condition=Q(difficulty__in=Difficulty.values), name="questions_difficulty_valid"),
            models.CheckConstraint(condition=Q(marks__gt=0), name="questions_marks_positive"),
            models.CheckConstraint(
                condition=~Q(type__in=OPTION_TYPES) | (Q(correct_answer__isnull=False) & Q(correct_answer__gte=0)),
                name="questions_option_types_have_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        """The rules of each question type, in one place for the API, the forms and the CSV import.

        Normalises as it checks (strips options and accepted answers, gives true/false its default options) and
        raises a ValidationError keyed by the offending field.
        """
        super().clean()
        errors: dict[str, str] = {}
        self.text = (self.text or "").strip()
        self.topic = (self.topic or "").strip()
        if not isinstance(self.tags, (list, tuple, str, type(None))):
            errors["tags"] = "Tags must be a list of texts."
        else:
            self.tags = normalize_tags(self.tags)
            if len(self.tags) > MAX_TAGS:
                errors["tags"] = f"A question may have at most {MAX_TAGS} tags."
            elif problem := _list_problem(self.tags, TAG_MAX_LENGTH, "A tag"):
                errors["tags"] = problem
        if not self.text:
            errors["text"] = "The question text is required."
        if self.marks is None or self.marks <= 0:
            errors["marks"] = "Marks must be a whole number greater than 0."
        if self.type not in QuestionType.values:
            errors["type"] = f"Type must be one of: {', '.join(QuestionType.values)}."
            raise ValidationError(errors)

        def has(value) -> bool:
            return value not in (None, "", [], {})

        if self.details is None:
            self.details = {}
        if not isinstance(self.details, dict):
            errors["details"] = "Details must be an object."
            raise ValidationError(errors)
        self.details = dict(self.details)
        self.general_feedback = (self.general_feedback or "").strip()

        if self.type in HAS_OPTIONS:
            if self.type == QuestionType.TRUE_FALSE and not has(self.options):
                self.options = ["True", "False"]
            options = self.options
            if not isinstance(options, list) or not all(isinstance(o, (str, int, float)) for o in options):
                errors["options"] = "Options must be a list of texts."
            else:
                self.options = options = [str(o).strip() for o in options]
                if any(not o for o in options):
                    errors["options"] = "Options must not be empty."
                elif problem := _list_problem(options, OPTION_MAX_LENGTH, "An option"):
                    errors["options"] = problem
                elif self.type != QuestionType.TRUE_FALSE and not 2 <= len(options) <= MAX_OPTIONS:
                    kind = self.get_type_display().lower()
                    errors["options"] = f"A {kind} question needs 2 to {MAX_OPTIONS} options."
                elif self.type == QuestionType.TRUE_FALSE and len(options) != 2:
                    errors["options"] = "A true/false question has exactly 2 options."
                elif len({o.casefold() for o in options}) != len(options):
                    errors["options"] = "Options must be different from each other."
        elif has(self.options):
            errors["options"] = "Only multiple-choice, true/false and multiple-response questions have options."

        if self.type in OPTION_TYPES:
            if self.correct_answer is None:
                errors["correct_answer"] = "Choose the correct option (its 0-based index)."
            elif "options" not in errors and not 0 <= self.correct_answer < len(self.options):
                errors["correct_answer"] = (
                    f"The correct answer must be an option index from 0 to {len(self.options) - 1}."
                )
            elif "options" not in errors and (problem := _option_details_problem(self)):
                errors["details"] = problem
        elif self.correct_answer is not None:
            errors["correct_answer"] = "Only multiple-choice and true/false questions have one correct option" + (
                " (multiple response: details.correct)." if self.type == QuestionType.MULTIPLE_RESPONSE else "."
            )

        if self.type == QuestionType.SHORT_ANSWER:
            accepted = self.accepted_answers if self.accepted_answers is not None else []
            if not isinstance(accepted, list) or not all(isinstance(a, (str, int, float)) for a in accepted):
                errors["accepted_answers"] = "Accepted answers must be a list of texts."
            else:
                self.accepted_answers = [str(a).strip() for a in accepted if str(a).strip()]
                if not self.accepted_answers and not (self.sample_answer or "").strip():
                    errors["accepted_answers"] = "Give at least one accepted answer (or a sample answer)."
                elif len(self.accepted_answers) > MAX_ACCEPTED_ANSWERS:
                    errors["accepted_answers"] = (
                        f"At most {MAX_ACCEPTED_ANSWERS} accepted answers (use * as a wildcard to cover more)."
                    )
                elif problem := _list_problem(self.accepted_answers, ACCEPTED_ANSWER_MAX_LENGTH, "An answer"):
                    errors["accepted_answers"] = problem
        else:
            if has(self.accepted_answers):
                errors["accepted_answers"] = "Only short-answer questions have accepted answers."
            if self.case_sensitive:
                errors["case_sensitive"] = "Only short-answer questions can be case-sensitive."
        if has(self.sample_answer) and self.type not in (QuestionType.SHORT_ANSWER, QuestionType.DESCRIPTIVE):
            errors["sample_answer"] = "Only short-answer and descriptive questions have a sample answer."
        if has(self.marking_rubric) and self.type != QuestionType.DESCRIPTIVE:
            errors["marking_rubric"] = "Only descriptive questions have a marking rubric."

        module = question_types.module_for(self.type)
        if module is not None:
            if "options" not in errors and "text" not in errors:
                for key, message in module.validate(self).items():
                    errors.setdefault(key, message)
        elif self.type not in OPTION_TYPES and has(self.details):
            errors["details"] = f"A {self.get_type_display().lower()} question has no details."
        if self.accepted_answers is None:
            self.accepted_answers = []
        if errors:
            raise ValidationError(errors)

    @property
    def is_objective(self) -> bool:
        return self.type in OBJECTIVE_TYPES


def _option_details_problem(question: Question) -> str | None:
    """mcq / true_false details: optional per-option fractions (the correct option earns all the marks) and
    per-option feedback (quizzes/types/__init__.py)."""
    details, count = question.details, len(question.options)
    unknown = set(details) - {"fractions", "feedback"}
    if unknown:
        return f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."
    fractions = details.get("fractions")
    if fractions in (None, []):
        details.pop("fractions", None)
    else:
        if not isinstance(fractions, list) or len(fractions) != count:
            return "Give one fraction per option (0 for a wrong option, 1 for the correct one)."
        if any(isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 <= f <= 1 for f in fractions):
            return "Option fractions must be numbers from 0 to 1."
        fractions = [float(f) for f in fractions]
        fractions[question.correct_answer] = 1.0
        if any(f == 1 for i, f in enumerate(fractions) if i != question.correct_answer):
            return "Only the correct option earns all the marks (fraction 1); give near answers less."
        if any(fractions[i] for i in range(count) if i != question.correct_answer):
            details["fractions"] = fractions
        else:
            details.pop("fractions", None)
    feedback, problem = question_types.base.feedback_list(details.get("feedback"), count)
    if problem:
        return problem
    if feedback:
        details["feedback"] = feedback
    else:
        details.pop("feedback", None)
    return None


def _list_problem(texts: list[str], max_length: int, what: str) -> str | None:
    """The first thing wrong with one of a question's options or accepted answers (too long, a control character)."""
    for text in texts:
        if len(text) > max_length:
            return f"{what} may be at most {max_length} characters long."
        if message := control_character_error(text):
            return message
    return None


class QuestionAdjustment(models.TextChoices):
    NONE = "", "None"
    FULL_MARKS = "full_marks", "Full marks for everyone"
    DROPPED = "dropped", "Dropped from the total"


class QuizQuestion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="quiz_links")
    order_index = models.PositiveIntegerField()
    marks_override = models.PositiveIntegerField(null=True, blank=True)
    # Issue 20: a teacher's fix of a flawed question in this quiz (integrity's quality loop): everyone gets full
    # marks, or the question is left out of the total. attempts.scoring applies it.
    adjustment = models.CharField(max_length=20, choices=QuestionAdjustment.choices, blank=True, default="")

    class Meta:
        db_table = "quiz_questions"
        ordering = ["order_index"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quiz_questions_quiz_question_uniq"),
            models.UniqueConstraint(fields=["quiz", "order_index"], name="quiz_questions_quiz_order_uniq"),
            models.CheckConstraint(
                condition=Q(marks_override__isnull=True) | Q(marks_override__gt=0),
                name="quiz_questions_marks_override_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.order_index} {self.question_id}"

    @property
    def marks(self) -> int:
        return self.marks_override if self.marks_override is not None else self.question.marks


class QuizSlot(models.Model):
    """Issue 16: a random slot. Besides its fixed questions (QuizQuestion) a quiz may hold slots "`count` questions
    drawn from the quiz owner's bank where topic / tag / difficulty / type match" (a blank criterion matches
    anything), each drawn question worth `marks`. The draw happens once per attempt at start and is stored with the
    attempt (attempts.models.DrawnQuestion); quizzes.selectors.slot_pool is the one definition of a slot's pool."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    order_index = models.PositiveIntegerField()
    count = models.PositiveSmallIntegerField()
    marks = models.PositiveIntegerField(default=1)
    topic = models.CharField(max_length=100, blank=True, default="", validators=_text_validators())
    tag = models.CharField(max_length=TAG_MAX_LENGTH, blank=True, default="", validators=_text_validators())
    difficulty = models.CharField(max_length=20, blank=True, default="", choices=Difficulty.choices)
    type = models.CharField(max_length=20, blank=True, default="", choices=QuestionType.choices)

    class Meta:
        db_table = "quiz_slots"
        ordering = ["order_index"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "order_index"], name="quiz_slots_quiz_order_uniq"),
            models.CheckConstraint(condition=Q(count__gt=0), name="quiz_slots_count_positive"),
            models.CheckConstraint(condition=Q(marks__gt=0), name="quiz_slots_marks_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def criteria(self) -> str:
        parts = []
        if self.topic:
            parts.append(f"topic “{self.topic}”")
        if self.tag:
            parts.append(f"tag “{self.tag}”")
        if self.difficulty:
            parts.append(self.get_difficulty_display().lower())
        if self.type:
            parts.append(self.get_type_display().lower())
        return ", ".join(parts) or "any question of the bank"

    @property
    def label(self) -> str:
        """How errors and pages name the slot: "Random slot 2 (3 × topic “Fractions”, easy)"."""
        return f"Random slot {self.order_index + 1} ({self.count} × {self.criteria})"


# --- issue 18: large question files are imported by a Celery worker ------------------------------------------------


class QuestionImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import's file and report are its uploader's (admins see every one)."""
        return by_role(self, user, admin=everything(self), teacher=lambda u: self.filter(created_by_id=u.pk))


class QuestionImportJob(models.Model):
    """One question file (Moodle XML, GIFT, Aiken, QTI) too large to import in the request: the file until a worker
    has imported it, then the per-question report (the shape of quizzes.services.question_file_import's result)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_import_jobs"
    )
    owner = models.ForeignKey("accounts.Teacher", on_delete=models.CASCADE, related_name="question_import_jobs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(max_length=255, blank=True, default="")
    format = models.CharField(max_length=20, blank=True, default="")
    # The uploaded bytes (at most 5 MB, the upload limit); emptied once the import has run.
    content = models.BinaryField(blank=True, default=b"")
    import_valid = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionImportJobQuerySet.as_manager()

    class Meta:
        db_table = "question_import_jobs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="idx_question_import_jobs_by")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="question_import_jobs_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

class QuizOverrideQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """Issue 17: the overrides of the quizzes `user` manages (Quiz.objects.manageable_by's rule)."""
        return self.filter(quiz__in=Quiz.objects.manageable_by(user))


class QuizOverride(models.Model):
    """Issue 17: one quiz's settings changed for one student or one class (Moodle's user and group overrides).
    A NULL field keeps what the next level says; a student's override beats their class's, which beats the quiz.
    quizzes.effective.effective_settings is the one place that merges them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="overrides")
    student = models.ForeignKey(
        "accounts.Student", null=True, blank=True, on_delete=models.CASCADE, related_name="quiz_overrides"
    )
    school_class = models.ForeignKey(
        "classrooms.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, related_name="quiz_overrides"
    )
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    access_code = models.CharField(max_length=20, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizOverrideQuerySet.as_manager()

    class Meta:
        db_table = "quiz_overrides"
        ordering = ["updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(student__isnull=False) & Q(school_class__isnull=True))
                | (Q(student__isnull=True) & Q(school_class__isnull=False)),
                name="quiz_overrides_one_target",
            ),
            models.UniqueConstraint(
                fields=["quiz", "student"], condition=Q(student__isnull=False), name="quiz_overrides_student_uniq"
            ),
            models.UniqueConstraint(
                fields=["quiz", "school_class"],
                condition=Q(school_class__isnull=False),
                name="quiz_overrides_class_uniq",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gt=0),
                name="quiz_overrides_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gt=0), name="quiz_overrides_attempts_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="quiz_overrides_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(access_code=Upper("access_code")), name="quiz_overrides_access_code_upper"
            ),
        ]

    def __str__(self) -> str:
        return f"Override of {self.quiz_id} for {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.student_id:
            return str(self.student)
        return str(self.school_class)

# --- issue 15: images in questions --------------------------------------------------------------------------------


def _question_image_path(instance, filename) -> str:
    # Never the uploader's file name: a random name, the extension of the format it was re-encoded to.
    return f"question-images/{instance.question_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class QuestionImageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may load an image: those who manage its question (admins, the owner), and a student only for a
        question of a quiz they have an attempt at (in progress or finished): never the bank, never before."""

        def students(user):
            # The attempts app sits above this one: reach its rows through the reverse relation, not an import.
            attempts = Quiz._meta.get_field("attempts").related_model
            taken = attempts.objects.filter(
                student_id=user.pk, quiz__quiz_questions__question_id=models.OuterRef("question_id")
            )
            # Issue 16: or a question a random slot drew for one of their attempts.
            drawn = attempts.objects.filter(
                student_id=user.pk, drawn_questions__question_id=models.OuterRef("question_id")
            )
            return self.filter(models.Exists(taken) | models.Exists(drawn))

        return by_role(
            self,
            user,
            admin=everything(self),
            teacher=lambda u: self.filter(question__created_by_id=u.pk),
            student=students,
        )


class QuestionImage(models.Model):
    """An image shown with a question (issue 15). Stored through Django's storage API (STORAGES["default"]:
    local files, or S3-compatible storage from the environment); uploaded files are re-encoded by
    quizzes.services.images, so what is stored is pixels only; served by quizzes.views.question_image to those
    QuestionImage.objects.visible_to allows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to=_question_image_path, max_length=255)
    content_type = models.CharField(max_length=20)
    alt_text = models.CharField(max_length=300, validators=_text_validators())
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = QuestionImageQuerySet.as_manager()

    class Meta:
        db_table = "question_images"
        ordering = ["position", "created_at"]
        constraints = [models.CheckConstraint(condition=~Q(alt_text=""), name="question_images_alt_text_required")]

    def __str__(self) -> str:
        return self.alt_text

    @property
    def url(self) -> str:
        return f"/quizzes/images/{self.pk}/"


# --- issue 15: the question as the student saw it -----------------------------------------------------------------

# What a student reads of a question: kept per version once attempts exist. The key (correct answer, accepted
# answers, numeric values, scoring) is not versioned: a key fix reaches earlier attempts only through the regrade
# path (quizzes.signals.announce_answer_key_changed), as before.
WORDING_FIELDS = ("text", "options", "general_feedback")


class QuestionVersion(models.Model):
    """The wording a question had until `replaced_at`, kept when a question that students have attempted is
    edited (quizzes.services.bank.question_update). quizzes.selectors.questions_as_seen gives a finished attempt
    the wording it was submitted with (an exam in progress shows the current wording, so a typo fixed mid-exam
    reaches the student)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()  # 1 = the first wording; the question itself is number + 1
    text = models.TextField()
    options = models.JSONField(null=True, blank=True)
    option_feedback = models.JSONField(default=list, blank=True)
    general_feedback = models.TextField(blank=True, default="")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "question_versions"
        ordering = ["question_id", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="question_versions_number_uniq")]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"
