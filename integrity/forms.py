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
    """One fix of a question: the button pressed (`choice`, "accept_option:2" or "drop"), the answer text typed for
    a short-answer fix (`value`) and the reason."""

    choice = forms.CharField(max_length=40)
    value = forms.CharField(required=False, max_length=255)
    reason = forms.CharField(max_length=500, label="Why (the students are told)")

    def clean(self):
        data = super().clean()
        action, _, option = (data.get("choice") or "").partition(":")
        if action not in FixAction.values:
            raise forms.ValidationError("Choose one of the listed fixes.")
        data["action"] = action
        data["value"] = option if option else data.get("value")
        return data
