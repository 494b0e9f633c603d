"""Forms of the quizzes pages. They only parse what a browser sends; the rules are in the services and in
Question.clean(), whose errors quizsite.pages.apply_errors puts next to the right field. The choices they offer
come from the same scoped querysets the services check against."""

from __future__ import annotations

from django import forms

from accounts.models import Teacher
from classrooms.models import SchoolClass
from quizzes.models import (
    OPTION_TYPES,
    QUESTION_TEXT_MAX_LENGTH,
    QUIZ_DESCRIPTION_MAX_LENGTH,
    RUBRIC_MAX_LENGTH,
    SAMPLE_ANSWER_MAX_LENGTH,
    Difficulty,
    QuestionType,
)
from quizzes.selectors import quiz_class_choices
from quizzes.services import QUIZ_SETTINGS


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class OwnerMixin:
    """Admins act for a teacher: they pick whose bank or quiz it is."""

    def add_owner_field(self, user, *, required: bool = True) -> None:
        if user.is_admin:
            self.fields["owner"] = forms.ModelChoiceField(
                queryset=Teacher.objects.manageable_by(user).select_related("user").order_by("user__name"),
                required=required,
                label="Teacher",
                help_text="Administrators create questions and quizzes on behalf of a teacher.",
            )

    def owner_id(self):
        """The picked teacher's id, for the service to resolve (None: the signed-in teacher)."""
        owner = self.cleaned_data.get("owner")
        return owner.pk if owner else None


class QuestionForm(OwnerMixin, forms.Form):
    type = forms.ChoiceField(choices=QuestionType.choices, widget=forms.Select(attrs={"data-question-type": ""}))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Question", max_length=QUESTION_TEXT_MAX_LENGTH
    )
    topic = forms.CharField(max_length=100, required=False, help_text="Free text, e.g. “Fractions”.")
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.MEDIUM)
    marks = forms.IntegerField(min_value=1, max_value=1000, initial=1)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-types": "mcq"}),
        label="Options",
        help_text="Multiple choice: one option per line, 2 to 10 options.",
    )
    correct_option = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10,
        label="Correct option",
        help_text="Multiple choice: the number of the correct line (1 = first option).",
        widget=forms.NumberInput(attrs={"data-types": "mcq"}),
    )
    true_false_answer = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("0", "True"), ("1", "False")],
        label="Correct answer",
        help_text="True / false questions only.",
        widget=forms.Select(attrs={"data-types": "true_false"}),
    )
    accepted_answers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-types": "short_answer"}),
        help_text="Short answer: one accepted answer per line. Matching ignores extra spaces and, unless "
        "case-sensitive, letter case; * matches anything (e.g. <code>photo*</code>).",
    )
    case_sensitive = forms.BooleanField(
        required=False,
        help_text="Short answer only.",
        widget=forms.CheckboxInput(attrs={"data-types": "short_answer"}),
    )
    sample_answer = forms.CharField(
        required=False,
        max_length=SAMPLE_ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-types": "short_answer descriptive"}),
        help_text="Descriptive: a model answer for whoever marks it. Short answer: counts as the accepted answer "
        "when no list is given.",
    )
    marking_rubric = forms.CharField(
        required=False,
        max_length=RUBRIC_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-types": "descriptive"}),
        help_text="Descriptive only: how marks are awarded.",
    )

    def __init__(self, *args, user=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:  # the owner of an existing question does not change
            self.add_owner_field(user)

    @classmethod
    def initial_for(cls, question) -> dict:
        initial = {
            "type": question.type,
            "text": question.text,
            "topic": question.topic,
            "difficulty": question.difficulty,
            "marks": question.marks,
            "accepted_answers": "\n".join(question.accepted_answers or []),
            "case_sensitive": question.case_sensitive,
            "sample_answer": question.sample_answer,
            "marking_rubric": question.marking_rubric,
        }
        if question.type == QuestionType.MCQ:
            initial["options"] = "\n".join(question.options or [])
            if question.correct_answer is not None:
                initial["correct_option"] = question.correct_answer + 1
        elif question.type == QuestionType.TRUE_FALSE and question.correct_answer is not None:
            initial["true_false_answer"] = str(question.correct_answer)
        return initial

    def service_data(self) -> dict:
        """Only the fields of the chosen type: a browser without JavaScript sends every box, filled or not."""
        d = self.cleaned_data
        qtype = d["type"]
        data = {k: d[k] for k in ("type", "text", "topic", "difficulty", "marks")}
        if qtype == QuestionType.MCQ:
            data["options"] = _lines(d.get("options"))
            data["correct_answer"] = d["correct_option"] - 1 if d.get("correct_option") else None
        elif qtype == QuestionType.TRUE_FALSE:
            data["options"] = ["True", "False"]
            data["correct_answer"] = int(d["true_false_answer"]) if d.get("true_false_answer") != "" else None
        else:
            data["options"] = None
            data["correct_answer"] = None
        if qtype == QuestionType.SHORT_ANSWER:
            data["accepted_answers"] = _lines(d.get("accepted_answers"))
            data["case_sensitive"] = bool(d.get("case_sensitive"))
        else:
            data["accepted_answers"] = []
            data["case_sensitive"] = False
        data["sample_answer"] = d.get("sample_answer", "") if qtype not in OPTION_TYPES else ""
        data["marking_rubric"] = d.get("marking_rubric", "") if qtype == QuestionType.DESCRIPTIVE else ""
        return data

    def error_map(self) -> dict:
        qtype = self.cleaned_data.get("type")
        return {"correct_answer": "true_false_answer" if qtype == QuestionType.TRUE_FALSE else "correct_option"}


class QuestionImportForm(OwnerMixin, forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8, comma or semicolon separated) or XLSX, at most 5 MB.")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run", help_text="Check the file and show what would happen."
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_owner_field(user)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


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
        help_text="Tab switches, leaving fullscreen and similar events after which the attempt is submitted "
        "automatically.",
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
    SETTINGS = tuple(name for name in QUIZ_SETTINGS if name != "grace_period_seconds")

    def __init__(self, *args, user=None, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.add_owner_field(user)
        self.fields["classes"].queryset = quiz_class_choices(user=user)

    @classmethod
    def initial_for(cls, quiz) -> dict:
        initial = {k: getattr(quiz, k) for k in cls.SETTINGS}
        initial["classes"] = list(quiz.classes.all())
        return initial

    def clean_negative_marking_percent(self):
        return self.cleaned_data.get("negative_marking_percent") or 0  # empty means off

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.SETTINGS}

    def class_ids(self) -> list:
        return [c.pk for c in self.cleaned_data.get("classes") or []]


class BankFilterForm(forms.Form):
    """The question bank's filters (GET), shared by the bank page and the quiz builder."""

    search = forms.CharField(required=False)
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *QuestionType.choices])
    topic = forms.CharField(required=False)
    difficulty = forms.ChoiceField(required=False, choices=[("", "Any difficulty"), *Difficulty.choices])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")  # the labels in quizzes/_bank_filters.html point at these ids
        super().__init__(*args, **kwargs)
