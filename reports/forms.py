"""Forms of the report pages: they only parse choices; the service checks the quiz and class against the user's
scoped querysets (an id another teacher owns is "not found" there)."""

from django import forms

from analytics.selectors import ATTEMPT_MODES
from reports.models import ReportJob
from reports.selectors import PACK_MODES

ATTEMPT_LABELS = {"all": "Every attempt", "first": "First attempt", "best": "Best attempt", "last": "Last attempt"}


class ReportStartForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportJob.Kind.choices, widget=forms.HiddenInput)
    quiz_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    class_id = forms.UUIDField(required=False)
    attempts = forms.ChoiceField(
        choices=[(m, ATTEMPT_LABELS[m]) for m in sorted(set(ATTEMPT_MODES) | set(PACK_MODES))], required=False
    )
    format = forms.ChoiceField(choices=[("pdf", "pdf"), ("zip", "zip")], required=False)
    view = forms.ChoiceField(choices=[("student", "student"), ("teacher", "teacher")], required=False)
    email_when_done = forms.BooleanField(required=False)
    student_id = forms.UUIDField(required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


class ResultsEmailForm(forms.Form):
    include_parents = forms.BooleanField(required=False, label="Also e-mail the parent e-mail on record")
