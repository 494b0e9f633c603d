"""Shared by the question and quiz forms: the owner field an admin fills in, and the datetime widget."""

from __future__ import annotations

from django import forms

from accounts.models import Teacher


class OwnerMixin:
    """Admins act for a teacher: they pick whose bank or quiz it is."""

    def add_owner_field(self, user, *, required: bool = True) -> None:
        if user.is_admin:
            self.fields["owner"] = forms.ModelChoiceField(
                queryset=Teacher.objects.manageable_by(user).select_related("user").order_by("user__name"),
                required=required,
                label="Teacher",
                help_text="Administrators create questions and quizzes on behalf of a teacher.",
            )

    def owner_id(self):
        """The picked teacher's id, for the service to resolve (None: the signed-in teacher)."""
        owner = self.cleaned_data.get("owner")
        return owner.pk if owner else None


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)
