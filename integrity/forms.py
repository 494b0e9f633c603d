from django import forms

from integrity.models import Conclusion, FixAction


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(choices=Conclusion.choices, label="Your conclusion")
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="Note (what you checked, what the students said)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FixForm(forms.Form):
    """One fix of a question; `value` is the option index or the answer text, depending on the action."""

    action = forms.ChoiceField(choices=FixAction.choices)
    value = forms.CharField(required=False, max_length=255)
    reason = forms.CharField(max_length=500, label="Why (the students are told)")
