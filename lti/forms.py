from django import forms
from django.db import models

from lti.models import Platform


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # an LMS address typed without a scheme is https
    return field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        label="Deployment ids",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. The LMS shows it after you add the tool (Moodle: 'Deployment ID'; Canvas: the "
        "deployment id on the app's settings).",
    )

    class Meta:
        model = Platform
        formfield_callback = _https_urls
        fields = [
            "name",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "auth_audience",
            "jwks_url",
            "create_users",
            "trust_admin_role",
            "is_active",
        ]
        help_texts = {
            "issuer": "The LMS's 'Platform ID' (Moodle: your site's address; Canvas: https://canvas.instructure.com).",
            "auth_audience": "Leave empty unless the LMS asks for one (then the token URL is not the audience).",
        }


class DeepLinkForm(forms.Form):
    quiz = forms.ChoiceField(label="Quiz")
    school_class = forms.ChoiceField(
        label="Class the course's students join",
        required=False,
        help_text="Learners who launch this quiz and have no class yet join it; a roster sync fills it.",
    )

    def __init__(self, *args, quizzes, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].choices = [(str(q.pk), f"{q.title} ({q.get_status_display()})") for q in quizzes]
        self.fields["school_class"].choices = [("", "— none —")] + [(str(c.pk), str(c)) for c in classes]
