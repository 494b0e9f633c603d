"""Forms of the accounts app. They only parse input: the rules live in accounts.services."""

from __future__ import annotations

from django import forms

from accounts.models import Role


def _password(label: str, autocomplete: str = "new-password", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        required=required,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label="E-mail or registration number",
        max_length=255,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        required=False,  # an unclaimed student is told to claim, whatever they typed
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ClaimAccountForm(forms.Form):
    registration_number = forms.CharField(
        label="Registration number", max_length=50, widget=forms.TextInput(attrs={"autocapitalize": "characters"})
    )
    claim_code = forms.CharField(
        label="Claim code",
        max_length=64,
        required=False,
        help_text="From the slip your teacher gave you. No slip? Ask your teacher for a claim code.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only if you have no claim code and the school has your date of birth on record.",
    )
    password = _password("New password")
    confirm_password = _password("Confirm the new password")


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class VerifyCodeForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="6-digit code",
        error_messages={"invalid": "The code has 6 digits."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class ResetPasswordForm(forms.Form):
    new_password = _password("New password")
    confirm_password = _password("Confirm the new password")


class PasswordChangeForm(forms.Form):
    old_password = _password("Current password", autocomplete="current-password")
    new_password = _password("New password")
    confirm_password = _password("Confirm the new password")


class UserFilterForm(forms.Form):
    search = forms.CharField(label="Search", required=False)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *Role.choices])
    is_active = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), ("true", "Active"), ("false", "Inactive")]
    )


class UserCreateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=255)
    email = forms.EmailField(label="E-mail", max_length=255)
    role = forms.ChoiceField(
        label="Role",
        choices=[(Role.TEACHER, "Teacher"), (Role.ADMIN, "Admin")],
        help_text="Students are added to a class with their registration number (Classes page).",
    )
    subject = forms.CharField(label="Subject (teachers)", max_length=100, required=False)
    department = forms.CharField(label="Department (teachers)", max_length=100, required=False)
    password = _password("Initial password", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "Leave empty to let the user set one with 'Forgot password'."


class UserEditForm(forms.Form):
    name = forms.CharField(label="Name", max_length=255)
    email = forms.EmailField(label="E-mail", max_length=255)
    subject = forms.CharField(label="Subject", max_length=100, required=False)
    department = forms.CharField(label="Department", max_length=100, required=False)
    phone = forms.CharField(label="Phone", max_length=20, required=False)
    password = _password("New password", required=False)

    def __init__(self, *args, is_teacher: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "Leave empty to keep the current password."
        if not is_teacher:
            for f in ("subject", "department", "phone"):
                del self.fields[f]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False)
    user = forms.CharField(label="User", required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *((a, a) for a in actions)]
