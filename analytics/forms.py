"""Forms of the analytics app."""

from django import forms

from analytics.selectors import ATTEMPT_MODES

ATTEMPT_MODE_LABELS = {
    "all": "All attempts",
    "first": "First attempt of each student",
    "best": "Best attempt of each student",
    "last": "Last attempt of each student",
}


class AttemptsModeForm(forms.Form):
    """The quiz analytics page's "which attempts" selector (a GET form)."""

    attempts = forms.ChoiceField(
        choices=[(m, ATTEMPT_MODE_LABELS[m]) for m in ATTEMPT_MODES],
        required=False,
        label="Attempts to analyse",
        help_text="Item analysis assumes one attempt per student: when retakes are allowed, the first attempt is "
        "the statistically sound choice (Moodle's default).",
    )

    def mode(self) -> str:
        if self.is_valid():
            return self.cleaned_data.get("attempts") or "all"
        return "all"
