"""Forms of the classrooms pages. They parse input only; the services validate and write."""

from django import forms

from classrooms import selectors
from classrooms.models import SchoolClass


class ClassForm(forms.Form):
    name = forms.CharField(max_length=100)
    section = forms.CharField(max_length=50, required=False)
    academic_year = forms.CharField(max_length=20, required=False, help_text="e.g. 2026-2027")


class AssignTeacherForm(forms.Form):
    teacher = forms.ModelChoiceField(queryset=None, empty_label="Choose a teacher")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = selectors.teachers_for_assignment(user)


class AddStudentsForm(forms.Form):
    registration_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "STU2026001, STU2026002 …"}),
        help_text="Registration numbers, separated by commas, spaces or new lines.",
    )

    def clean_registration_numbers(self):
        raw = self.cleaned_data["registration_numbers"].replace(",", " ").replace(";", " ")
        numbers = sorted({n.strip().upper() for n in raw.split() if n.strip()})
        if not numbers:
            raise forms.ValidationError("Enter at least one registration number.")
        if len(numbers) > 2000:
            raise forms.ValidationError("At most 2000 at a time; use the import for more.")
        return numbers


class StudentForm(forms.Form):
    name = forms.CharField(max_length=255)
    email = forms.CharField(max_length=255, widget=forms.EmailInput)
    registration_number = forms.CharField(max_length=50)
    school_class = forms.ModelChoiceField(queryset=None, required=False, label="Class", empty_label="No class")
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    parent_email = forms.CharField(max_length=255, required=False, widget=forms.EmailInput)
    parent_phone = forms.CharField(max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.manageable_by(user).order_by("name", "section")
        if not user.is_admin:
            self.fields["school_class"].required = True
            self.fields["school_class"].empty_label = None


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (UTF-8, comma or semicolon) or XLSX, up to 5 MB and 20,000 rows. Columns: name, email, "
        "registration_number, class_name; optional section, academic_year, date_of_birth, parent_email, "
        "parent_phone.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    issue_claim_codes = forms.BooleanField(
        required=False,
        label="Also give a claim code to students who have a date of birth",
        help_text="Students without a date of birth always get a one-time claim code, which they need to claim "
        "their account; the codes (and printable slips) are shown right after the import only.",
    )


class AccommodationForm(forms.Form):
    """Issue 17: a student's exam accommodations (accounts.services.accommodation_set validates)."""

    time_multiplier = forms.DecimalField(
        min_value=1, max_value=5, decimal_places=2, initial=1, help_text="e.g. 1.25, 1.5 or 2 (1 = no change)."
    )
    extra_minutes = forms.IntegerField(min_value=0, max_value=1440, initial=0, help_text="Added after the multiplier.")
    no_time_limit = forms.BooleanField(required=False, help_text="The student works until their close time.")
    extra_attempts = forms.IntegerField(min_value=0, max_value=20, initial=0)
    exempt_from_focus_violations = forms.BooleanField(
        required=False,
        label="Exempt from focus-loss violations",
        help_text="For assistive technology: focus losses are logged for you, never counted against the student.",
    )
    reason = forms.CharField(max_length=500, help_text="The plan it comes from (IEP, 504, reasonable adjustment).")
