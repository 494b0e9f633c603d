from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from accounts.claim_codes import claim_code_needed, new_claim_code
from accounts.models import Student
from classrooms import services
from classrooms.models import SchoolClass, TeacherClass
from classrooms.resources import StudentResource
from classrooms.views import remember_claim_code


class TeacherClassInline(admin.TabularInline):
    model = TeacherClass
    extra = 0
    autocomplete_fields = ("teacher",)


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("name", "section", "academic_year", "student_count", "created_at")
    list_filter = ("academic_year",)
    search_fields = ("name", "section", "academic_year")
    inlines = [TeacherClassInline]
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_student_count=Count("students"))

    @admin.display(description="Students", ordering="_student_count")
    def student_count(self, obj):
        return obj._student_count


@admin.register(TeacherClass)
class TeacherClassAdmin(admin.ModelAdmin):
    list_display = ("teacher", "school_class", "assigned_at")
    list_filter = ("school_class",)
    search_fields = ("teacher__user__name", "school_class__name")
    list_select_related = ("teacher__user", "school_class")
    autocomplete_fields = ("teacher", "school_class")


# Student is an accounts model, but its admin lives here: rosters and their spreadsheet import are the classrooms
# app's, and accounts (below classrooms) must not import classrooms.resources.
@admin.register(Student)
class StudentAdmin(ImportExportModelAdmin):
    # Import/export through the same service as the API and `manage.py import_students` (classrooms.resources).
    resource_classes = [StudentResource]
    list_display = ("registration_number", "user", "school_class", "is_account_claimed", "claimed_at")
    list_filter = ("is_account_claimed", "school_class")
    search_fields = ("registration_number", "user__name", "user__email")
    list_select_related = ("user", "school_class")
    autocomplete_fields = ("user", "school_class")
    exclude = ("claim_code_hash",)

    def save_model(self, request, obj, form, change):
        # A student added here without a date of birth gets a claim code, as one created on the pages or the API
        # does: otherwise their registration number alone would be enough to claim the account.
        code = None
        if not change and not obj.is_account_claimed and claim_code_needed(date_of_birth=obj.date_of_birth):
            code, obj.claim_code_hash = new_claim_code()
        super().save_model(request, obj, form, change)
        if code:
            remember_claim_code(request, services.claim_slip(obj, code))
            url = reverse("classrooms:student_claim_code", args=[obj.pk])
            messages.warning(
                request,
                format_html('A claim code was issued to {}: <a href="{}">show it and print the slip</a>.', obj, url),
            )

    def process_result(self, result, request):
        # Rows without a date of birth got claim codes: link the import's slips (kept for their creator a while).
        job = getattr(result, "claim_codes_job", None)
        if job is not None:
            url = reverse("classrooms:import_job", args=[job.pk])
            messages.warning(
                request,
                format_html(
                    '{} students got a claim code: <a href="{}">print their claim slips</a>.', len(job.claim_codes), url
                ),
            )
        return super().process_result(result, request)
