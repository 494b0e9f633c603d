"""The quiz forms: settings (QuizForm) and per-student or per-class overrides (issue 17)."""

from __future__ import annotations

from django import forms

from accounts.models import Student
from classrooms.models import SchoolClass
from quizzes.forms.common import DateTimeLocalInput, OwnerMixin
from quizzes.models import (
    QUIZ_DESCRIPTION_MAX_LENGTH,
    ViolationAction,
)
from quizzes.selectors import quiz_class_choices
from quizzes.services import QUIZ_SETTINGS


class QuizForm(OwnerMixin, forms.Form):
    title = forms.CharField(max_length=255)
    subject = forms.CharField(max_length=100)
    description = forms.CharField(
        required=False, max_length=QUIZ_DESCRIPTION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    classes = forms.ModelMultipleChoiceField(
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Students of these classes can take the quiz once it is published.",
    )
    time_limit_minutes = forms.IntegerField(
        min_value=1,
        max_value=24 * 60,
        initial=30,
        label="Time limit (minutes)",
        help_text="Each student's timer; the attempt is submitted automatically when it runs out.",
    )
    start_date = forms.DateTimeField(
        required=False, widget=DateTimeLocalInput(), help_text="Optional: students cannot start before this."
    )
    end_date = forms.DateTimeField(
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Optional: no attempt can run past this; an attempt started late gets less time.",
    )
    passing_percentage = forms.IntegerField(min_value=0, max_value=100, initial=40, label="Pass mark (%)")
    max_attempts = forms.IntegerField(
        min_value=1, max_value=100, initial=1, help_text="How many times each student may take the quiz."
    )
    violation_threshold = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=3,
        help_text="Tab switches, leaving fullscreen and similar events after which the attempt is flagged for you "
        "or submitted automatically (below).",
    )
    violation_action = forms.ChoiceField(
        required=False,
        choices=ViolationAction.choices,
        initial=ViolationAction.FLAG,
        label="At the violation threshold",
        help_text="Flagging lets the student finish and shows you the attempt; auto-submit ends it.",
    )
    violation_tolerance_seconds = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=60,
        decimal_places=1,
        initial=2,
        label="Focus-loss tolerance (seconds)",
        help_text="Shorter losses of focus (a notification, a screen reader) are logged but not counted.",
    )
    allowed_networks = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Allowed networks",
        help_text="Optional: IP addresses or CIDR ranges (IPv4 or IPv6), one per line; students elsewhere cannot "
        "start or answer.",
    )
    seb_config_keys = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Safe Exam Browser config keys",
        help_text="Optional: one per line; the quiz then opens only in Safe Exam Browser with that configuration.",
    )
    seb_browser_exam_keys = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Safe Exam Browser browser exam keys"
    )
    network_password = forms.CharField(
        required=False,
        max_length=64,
        label="Network password",
        help_text="Optional, with allowed networks: a student elsewhere may start with this password.",
    )
    single_session = forms.BooleanField(
        required=False,
        label="One browser per attempt",
        help_text="Answers from a second browser or device are refused until you release the attempt on the board.",
    )
    negative_marking_percent = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        initial=0,
        label="Negative marking (%)",
        help_text="Deduct this share of a question's marks for each wrong answer to an automatically marked "
        "question (blank answers cost nothing). 0 = off. A total never goes below 0.",
    )
    randomize_questions = forms.BooleanField(
        required=False, help_text="Each student gets the questions in their own order."
    )
    randomize_options = forms.BooleanField(
        required=False, help_text="Each student gets the options in their own order."
    )
    allow_review = forms.BooleanField(
        required=False, initial=True, help_text="Students may look at their submitted answers and marks."
    )
    show_answers_after_submission = forms.BooleanField(
        required=False,
        help_text="With review allowed: also show the correct answers after submission. Without it, and with more than "
        "one attempt allowed, students see their total score but not the marks of each automatically marked "
        "question, which would tell them which answers were right before their next attempt.",
    )

    # The service's settings, less the grace period, which the page leaves to the site-wide default.
    # Per-type violation weights are set through the API only.
    SETTINGS = tuple(name for name in QUIZ_SETTINGS if name not in ("grace_period_seconds", "violation_weights"))
    LIST_SETTINGS = ("allowed_networks", "seb_config_keys", "seb_browser_exam_keys")

    def __init__(self, *args, user=None, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.add_owner_field(user)
        self.fields["classes"].queryset = quiz_class_choices(user=user)

    def clean_violation_action(self):
        return self.cleaned_data.get("violation_action") or None  # empty: the quiz's (or the model's) default

    def _lines(self, name):
        return [
            line.strip() for line in (self.cleaned_data.get(name) or "").replace(",", "\n").splitlines() if line.strip()
        ]

    def clean_allowed_networks(self):
        return self._lines("allowed_networks")

    def clean_seb_config_keys(self):
        return self._lines("seb_config_keys")

    def clean_seb_browser_exam_keys(self):
        return self._lines("seb_browser_exam_keys")

    @classmethod
    def initial_for(cls, quiz) -> dict:
        initial = {k: getattr(quiz, k) for k in cls.SETTINGS}
        for name in cls.LIST_SETTINGS:
            initial[name] = "\n".join(initial.get(name) or [])
        initial["classes"] = list(quiz.classes.all())
        return initial

    def clean_negative_marking_percent(self):
        return self.cleaned_data.get("negative_marking_percent") or 0  # empty means off

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.SETTINGS}

    def class_ids(self) -> list:
        return [c.pk for c in self.cleaned_data.get("classes") or []]


class OverrideForm(forms.Form):
    """Issue 17: a quiz's settings for one student or one class (quizzes.services.override_set validates)."""

    target = forms.ChoiceField(label="For", help_text="One student or one of the quiz's classes.")
    start_date = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label="Opens")
    end_date = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label="Closes")
    time_limit_minutes = forms.IntegerField(required=False, min_value=1, max_value=1440, label="Time limit (minutes)")
    max_attempts = forms.IntegerField(required=False, min_value=1, max_value=100, label="Attempts")
    access_code = forms.CharField(required=False, max_length=20, label="Access code")
    reason = forms.CharField(required=False, max_length=500, help_text="e.g. ill on the exam day.")

    def __init__(self, *args, quiz, **kwargs):
        super().__init__(*args, **kwargs)
        classes = list(quiz.classes.order_by("name", "section"))
        students = Student.objects.filter(school_class__in=classes).select_related("user").order_by("user__name")
        self.fields["target"].choices = [
            ("", "Choose a student or class"),
            ("Classes", [(f"class:{c.pk}", str(c)) for c in classes]),
            ("Students", [(f"student:{s.pk}", f"{s.user.name} ({s.registration_number})") for s in students]),
        ]
        self._classes = {str(c.pk): c for c in classes}
        self._students = {str(s.pk): s for s in students}

    def target_kwargs(self) -> dict:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        if kind == "class":
            return {"school_class": self._classes[pk]}
        return {"student": self._students[pk]}
