"""Forms of the attempts app (see STYLE.md)."""

from django import forms


class AccessCodeForm(forms.Form):
    # Taken as typed: quizzes.selectors.quiz_get_by_access_code normalises it (case, spaces, dashes) for the page and
    # the API alike.
    access_code = forms.CharField(
        label="Access code",
        max_length=20,
        help_text="The code your teacher gave you, e.g. MATH2345. Upper or lower case both work.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
    )
