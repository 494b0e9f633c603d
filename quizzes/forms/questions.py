"""The question bank's forms: the type-adaptive question editor, its images, the bank filter, and question files
in and out."""

from __future__ import annotations

import re

from django import forms

from quizzes import types as question_types
from quizzes.forms.common import OwnerMixin
from quizzes.interchange import FORMATS as IMPORT_FORMATS
from quizzes.interchange.export import EXPORT_FORMATS
from quizzes.models import (
    GENERAL_FEEDBACK_MAX_LENGTH,
    QUESTION_TEXT_MAX_LENGTH,
    RUBRIC_MAX_LENGTH,
    SAMPLE_ANSWER_MAX_LENGTH,
    Difficulty,
    QuestionType,
    normalize_tags,
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _raw_lines(text: str) -> list[str]:
    """Lines kept in place (an empty line means "none" for that option), trailing empty ones dropped."""
    lines = [line.strip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _fmt_number(value) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _type_initial(question) -> dict:
    """The new types' fields as the form writes them (the reverse of QuestionForm._details)."""
    d = question.details or {}
    initial: dict = {"general_feedback": question.general_feedback}
    if d.get("feedback"):
        initial["option_feedback"] = "\n".join(d["feedback"])
    if d.get("fractions"):
        initial["near_answers"] = "\n".join(
            f"{i + 1} = {_fmt_number(f * 100)}%" for i, f in enumerate(d["fractions"]) if 0 < f < 1
        )
    if question.type == QuestionType.MULTIPLE_RESPONSE:
        initial["correct_options"] = ", ".join(str(i + 1) for i in d.get("correct") or [])
        initial["mr_scoring"] = d.get("scoring", "partial")
    elif question.type == QuestionType.NUMERIC:
        initial["numeric_answers"] = "\n".join(
            f"{_fmt_number(a['value'])} ± {_fmt_number(a.get('tolerance', 0))}"
            + (f" = {_fmt_number(a['fraction'] * 100)}%" if a.get("fraction", 1) != 1 else "")
            for a in d.get("answers") or []
        )
        initial["unit"] = d.get("unit", "")
    elif question.type == QuestionType.MATCHING:
        initial["pairs"] = "\n".join(f"{p['prompt']} -> {p['answer']}" for p in d.get("pairs") or [])
        initial["distractors"] = "\n".join(d.get("distractors") or [])
    elif question.type == QuestionType.ORDERING:
        initial["order_items"] = "\n".join(d.get("items") or [])
        initial["order_scoring"] = d.get("scoring", "partial")
    elif question.type == QuestionType.CLOZE:
        initial["blanks"] = "\n".join(
            f"{b['id']}" + (f" ({b['marks']})" if b.get("marks", 1) != 1 else "") + ": " + " | ".join(b["answers"])
            for b in d.get("blanks") or []
        )
    return initial


class QuestionForm(OwnerMixin, forms.Form):
    type = forms.ChoiceField(choices=QuestionType.choices, widget=forms.Select(attrs={"data-question-type": ""}))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Question", max_length=QUESTION_TEXT_MAX_LENGTH
    )
    topic = forms.CharField(max_length=100, required=False, help_text="Free text, e.g. “Fractions”.")
    # Issue 16: many per question, separated by commas; Question.clean normalises and checks them.
    tags = forms.CharField(
        max_length=1100, required=False, help_text="Separated by commas, e.g. “algebra, term 2”."
    )
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.MEDIUM)
    marks = forms.IntegerField(min_value=1, max_value=1000, initial=1)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-types": "mcq multiple_response"}),
        label="Options",
        help_text="One option per line, 2 to 10 options.",
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
    # Issue 15: the new types' fields (shapes: quizzes/types/__init__.py). Each is shown only for its types.
    correct_options = forms.CharField(
        required=False,
        label="Correct options",
        help_text="The numbers of the correct lines, e.g. 1, 3 (all may be correct).",
        widget=forms.TextInput(attrs={"data-types": "multiple_response", "inputmode": "numeric"}),
    )
    mr_scoring = forms.ChoiceField(
        required=False,
        label="Scoring",
        choices=list(question_types.choice.SCORING_LABELS.items()),
        initial="partial",
        widget=forms.Select(attrs={"data-types": "multiple_response"}),
    )
    near_answers = forms.CharField(
        required=False,
        label="Partial credit",
        help_text="Optional: a near answer earns part of the marks, one per line as "
        "<code>option number = percent</code>, e.g. <code>2 = 50%</code>.",
        widget=forms.Textarea(attrs={"rows": 2, "data-types": "mcq"}),
    )
    option_feedback = forms.CharField(
        required=False,
        label="Feedback per option",
        help_text="Optional, shown at review next to the chosen option: one line per option, in the options' order "
        "(an empty line for none).",
        widget=forms.Textarea(attrs={"rows": 4, "data-types": "mcq true_false multiple_response"}),
    )
    numeric_answers = forms.CharField(
        required=False,
        label="Accepted values",
        help_text="One per line: <code>value ± tolerance</code>, optionally <code>= percent</code> for a near miss, "
        "e.g. <code>9.81 ± 0.01</code> and <code>9.81 ± 0.2 = 50%</code>. Students may type 3,5 or 3.5 or 1.2e3.",
        widget=forms.Textarea(attrs={"rows": 3, "data-types": "numeric"}),
    )
    unit = forms.CharField(
        required=False,
        max_length=50,
        help_text="Optional, shown next to the answer box (e.g. m/s²).",
        widget=forms.TextInput(attrs={"data-types": "numeric"}),
    )
    pairs = forms.CharField(
        required=False,
        label="Pairs",
        help_text="One per line: <code>prompt -> answer</code> (2 to 10). Two prompts may share an answer.",
        widget=forms.Textarea(attrs={"rows": 4, "data-types": "matching"}),
    )
    distractors = forms.CharField(
        required=False,
        help_text="Optional: extra answers that match no prompt, one per line.",
        widget=forms.Textarea(attrs={"rows": 2, "data-types": "matching"}),
    )
    order_items = forms.CharField(
        required=False,
        label="Items in the right order",
        help_text="One per line, first to last (2 to 10); each student gets them shuffled.",
        widget=forms.Textarea(attrs={"rows": 4, "data-types": "ordering"}),
    )
    order_scoring = forms.ChoiceField(
        required=False,
        label="Scoring",
        choices=list(question_types.ordering.SCORING_LABELS.items()),
        initial="partial",
        widget=forms.Select(attrs={"data-types": "ordering"}),
    )
    blanks = forms.CharField(
        required=False,
        label="Blanks",
        help_text="Write the blanks into the question as [[1]], [[2]], … Here, one line per blank: "
        "<code>1: answer | other accepted answer</code>; <code>1 (2): …</code> makes it worth 2 marks. "
        "Matching as for short answers (* is a wildcard).",
        widget=forms.Textarea(attrs={"rows": 3, "data-types": "cloze"}),
    )
    general_feedback = forms.CharField(
        required=False,
        max_length=GENERAL_FEEDBACK_MAX_LENGTH,
        label="General feedback",
        help_text="Optional, any type: shown to students at review when the answers are shown.",
        widget=forms.Textarea(attrs={"rows": 2}),
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
            "tags": ", ".join(question.tags or []),
            "difficulty": question.difficulty,
            "marks": question.marks,
            "accepted_answers": "\n".join(question.accepted_answers or []),
            "case_sensitive": question.case_sensitive,
            "sample_answer": question.sample_answer,
            "marking_rubric": question.marking_rubric,
        }
        initial.update(_type_initial(question))
        if question.type in (QuestionType.MCQ, QuestionType.MULTIPLE_RESPONSE):
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
        data["tags"] = normalize_tags(d.get("tags") or "")
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
        data["sample_answer"] = (
            d.get("sample_answer", "") if qtype in (QuestionType.SHORT_ANSWER, QuestionType.DESCRIPTIVE) else ""
        )
        data["marking_rubric"] = d.get("marking_rubric", "") if qtype == QuestionType.DESCRIPTIVE else ""
        if qtype == QuestionType.MULTIPLE_RESPONSE:
            data["options"] = _lines(d.get("options"))
        data["details"] = self._details(qtype)
        data["general_feedback"] = d.get("general_feedback") or ""
        return data

    def _details(self, qtype: str) -> dict:
        d = self.cleaned_data
        details: dict = {}
        if qtype in (QuestionType.MCQ, QuestionType.TRUE_FALSE, QuestionType.MULTIPLE_RESPONSE):
            feedback = _raw_lines(d.get("option_feedback"))
            if any(feedback):
                details["feedback"] = feedback
        if qtype == QuestionType.MCQ and d.get("near_answers"):
            count = len(_lines(d.get("options")))
            fractions = [0.0] * count
            for number, percent in d["near_answers"]:
                if 1 <= number <= count:
                    fractions[number - 1] = percent / 100
            correct = d.get("correct_option")
            if correct and 1 <= correct <= count:
                fractions[correct - 1] = 1.0
            details["fractions"] = fractions
        if qtype == QuestionType.MULTIPLE_RESPONSE:
            details["correct"] = [n - 1 for n in d.get("correct_options") or []]
            details["scoring"] = d.get("mr_scoring") or "partial"
        elif qtype == QuestionType.NUMERIC:
            details["answers"] = d.get("numeric_answers") or []
            if d.get("unit"):
                details["unit"] = d["unit"]
        elif qtype == QuestionType.MATCHING:
            details["pairs"] = d.get("pairs") or []
            if _lines(d.get("distractors")):
                details["distractors"] = _lines(d.get("distractors"))
        elif qtype == QuestionType.ORDERING:
            details["items"] = _lines(d.get("order_items"))
            details["scoring"] = d.get("order_scoring") or "partial"
        elif qtype == QuestionType.CLOZE:
            details["blanks"] = d.get("blanks") or []
        return details

    # What each line-based field means, parsed here; the rules (counts, ranges, duplicates) are the type's.
    def clean_correct_options(self):
        if self.cleaned_data.get("type") != QuestionType.MULTIPLE_RESPONSE:
            return []  # another type's box, hidden on the page: ignored
        raw = self.cleaned_data.get("correct_options") or ""
        try:
            return [int(part) for part in re.split(r"[\s,;]+", raw.strip()) if part]
        except ValueError:
            raise forms.ValidationError("Give the numbers of the correct lines, e.g. 1, 3.") from None

    def clean_near_answers(self):
        if self.cleaned_data.get("type") != QuestionType.MCQ:
            return []  # another type's box, hidden on the page: ignored
        out = []
        for line in _lines(self.cleaned_data.get("near_answers")):
            m = re.fullmatch(r"(\d+)\s*[=:]\s*(\d+(?:[.,]\d+)?)\s*%?", line)
            if not m:
                raise forms.ValidationError(f"“{line}”: write it as option number = percent, e.g. 2 = 50%.")
            out.append((int(m.group(1)), float(m.group(2).replace(",", "."))))
        return out

    def clean_numeric_answers(self):
        if self.cleaned_data.get("type") != QuestionType.NUMERIC:
            return []  # another type's box, hidden on the page: ignored
        out = []
        for line in _lines(self.cleaned_data.get("numeric_answers")):
            m = re.fullmatch(
                r"(?P<value>[^±=]+?)\s*(?:(?:±|\+/-|\+-)\s*(?P<tol>[^=]+?))?\s*(?:=\s*(?P<pct>[\d.,]+)\s*%)?", line
            )
            value = question_types.numeric.parse_number(m.group("value")) if m else None
            tolerance = question_types.numeric.parse_number(m.group("tol")) if m and m.group("tol") else 0
            if value is None or tolerance is None:
                raise forms.ValidationError(f"“{line}”: write it as value ± tolerance, e.g. 9.81 ± 0.01.")
            fraction = float(m.group("pct").replace(",", ".")) / 100 if m.group("pct") else 1
            out.append({"value": float(value), "tolerance": float(tolerance), "fraction": fraction})
        return out

    def clean_pairs(self):
        if self.cleaned_data.get("type") != QuestionType.MATCHING:
            return []  # another type's box, hidden on the page: ignored
        out = []
        for line in _lines(self.cleaned_data.get("pairs")):
            prompt, sep, answer = line.partition("->") if "->" in line else line.partition("→")
            if not sep:
                raise forms.ValidationError(f"“{line}”: write it as prompt -> answer.")
            out.append({"prompt": prompt.strip(), "answer": answer.strip()})
        return out

    def clean_blanks(self):
        if self.cleaned_data.get("type") != QuestionType.CLOZE:
            return []  # another type's box, hidden on the page: ignored
        out = []
        for line in _lines(self.cleaned_data.get("blanks")):
            m = re.fullmatch(r"\[*(\d+)\]*\s*(?:\((\d+)\))?\s*:\s*(.+)", line)
            if not m:
                raise forms.ValidationError(f"“{line}”: write it as 1: answer | other answer.")
            answers = [a.strip() for a in m.group(3).split("|") if a.strip()]
            out.append({"id": int(m.group(1)), "answers": answers, "marks": int(m.group(2) or 1)})
        return out

    def error_map(self) -> dict:
        qtype = self.cleaned_data.get("type")
        details_field = {
            QuestionType.MCQ: "option_feedback",
            QuestionType.TRUE_FALSE: "option_feedback",
            QuestionType.MULTIPLE_RESPONSE: "correct_options",
            QuestionType.NUMERIC: "numeric_answers",
            QuestionType.MATCHING: "pairs",
            QuestionType.ORDERING: "order_items",
            QuestionType.CLOZE: "blanks",
        }.get(qtype)
        return {
            "correct_answer": "true_false_answer" if qtype == QuestionType.TRUE_FALSE else "correct_option",
            "details": details_field or "type",
        }


class QuestionImportForm(OwnerMixin, forms.Form):
    file = forms.FileField(
        help_text="Moodle XML, GIFT, Aiken, a QTI package (.zip), or CSV/XLSX (UTF-8, comma or semicolon "
        "separated); at most 5 MB."
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "Detect from the file"), *IMPORT_FORMATS.items()],
        label="Format",
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run", help_text="Check the file and show what would happen."
    )
    import_valid = forms.BooleanField(
        required=False,
        label="Import what is valid",
        help_text="When some questions cannot be imported, import the others anyway (otherwise nothing is imported).",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_owner_field(user)


class QuestionExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(k, v[0]) for k, v in EXPORT_FORMATS.items()], label="Export format")


class BankFilterForm(forms.Form):
    """The question bank's filters (GET), shared by the bank page and the quiz builder."""

    search = forms.CharField(required=False)
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *QuestionType.choices])
    topic = forms.CharField(required=False)
    tag = forms.CharField(required=False)  # issue 16
    difficulty = forms.ChoiceField(required=False, choices=[("", "Any difficulty"), *Difficulty.choices])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")  # the labels in quizzes/_bank_filters.html point at these ids
        super().__init__(*args, **kwargs)


class QuestionImageForm(forms.Form):
    """Issue 15: an image for the question (the checks and the re-encoding are quizzes.services.images')."""

    file = forms.FileField(
        label="Image", help_text="PNG, JPEG or GIF, at most 2 MB and 4000 × 4000 pixels.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )  # fmt: skip
    alt_text = forms.CharField(
        max_length=300,
        label="Alt text",
        help_text="Required: what the image shows, read aloud to students using a screen reader.",
    )
