from django.contrib import admin
from django.db.models import Count

from classrooms.models import SchoolClass, TeacherClass


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
