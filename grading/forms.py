"""Forms of the grading app's pages. Limits mirror the services (which check them again)."""

from __future__ import annotations

from django import forms

from grading.services import MAX_EXTENSION_MINUTES


class MinutesForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=MAX_EXTENSION_MINUTES, initial=5)


class ReinstateForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"placeholder": "Why the attempt reopens"}))
    minutes = forms.IntegerField(
        min_value=1,
        max_value=MAX_EXTENSION_MINUTES,
        required=False,
        help_text="Leave empty to give back the time the student had left.",
    )


class GradeForm(forms.Form):
    """One marks and one feedback field per answer (`marks_<answer_id>`, `feedback_<answer_id>`). A blank marks
    field means "not graded now" (partial grading); an unchanged row is not sent at all."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            answer = item.answer
            self.fields[f"marks_{answer.pk}"] = forms.DecimalField(
                label=f"Marks for question {item.position} (out of {item.marks})",
                required=False,
                min_value=0,
                max_value=item.marks,
                decimal_places=2,
                max_digits=6,
                initial=answer.marks_awarded,
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "marks-input", "inputmode": "decimal"}),
            )
            self.fields[f"feedback_{answer.pk}"] = forms.CharField(
                label=f"Feedback for question {item.position}",
                required=False,
                max_length=5000,
                initial=answer.feedback,
                widget=forms.Textarea(attrs={"rows": 2, "class": "feedback-input"}),
            )

    def rows(self):
        for item in self.items:
            yield item, self[f"marks_{item.answer.pk}"], self[f"feedback_{item.answer.pk}"]

    def grades(self) -> list[dict]:
        grades = []
        for item in self.items:
            marks = self.cleaned_data.get(f"marks_{item.answer.pk}")
            feedback = self.cleaned_data.get(f"feedback_{item.answer.pk}", "")
            if marks is None:
                continue
            if marks == item.answer.marks_awarded and feedback == (item.answer.feedback or ""):
                continue  # unchanged: re-sending an automatic mark would turn it into a teacher's override
            grades.append(
                {
                    "answer_id": item.answer.pk,
                    "marks_awarded": marks,
                    "feedback": feedback,
                }
            )
        return grades
