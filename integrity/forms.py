from django import forms

from integrity.models import Conclusion


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(choices=Conclusion.choices, label="Your conclusion")
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="Note (what you checked, what the students said)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
