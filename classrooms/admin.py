from django.contrib import admin
from django.db.models import Count
from import_export.admin import ImportExportModelAdmin

from accounts.models import Student
from classrooms.models import SchoolClass, TeacherClass
from classrooms.resources import StudentResource


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
