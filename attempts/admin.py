from django.contrib import admin

from attempts.models import QuizAttempt, StudentAnswer, Violation


class StudentAnswerInline(admin.TabularInline):
    model = StudentAnswer
    extra = 0
    fields = ("question", "answer_option", "answer_text", "marks_awarded", "feedback", "graded_by", "updated_at")
    readonly_fields = ("question", "answer_option", "answer_text", "updated_at")
    autocomplete_fields = ("graded_by",)


class ViolationInline(admin.TabularInline):
    model = Violation
    extra = 0
    readonly_fields = ("violation_type", "detected_at", "question_index", "severity", "details")
    can_delete = False


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "student",
        "quiz",
        "attempt_number",
        "status",
        "score",
        "percentage",
        "passed",
        "total_violations",
        "started_at",
        "submitted_at",
    )
    list_filter = ("status", "passed", "auto_submitted_due_to_violations", "submit_reason")
    search_fields = ("student__registration_number", "student__user__name", "quiz__title", "quiz__access_code")
    list_select_related = ("student__user", "quiz")
    autocomplete_fields = ("student", "quiz")
    date_hierarchy = "started_at"
    inlines = [StudentAnswerInline, ViolationInline]
    readonly_fields = ("question_order", "option_order", "question_meta", "ip_address", "user_agent")


@admin.register(StudentAnswer)
class StudentAnswerAdmin(admin.ModelAdmin):
    list_display = ("attempt", "question", "answer_option", "marks_awarded", "graded_by", "updated_at")
    list_filter = ("question__type",)
    search_fields = ("attempt__student__registration_number", "question__text")
    list_select_related = ("attempt__student__user", "attempt__quiz", "question", "graded_by")
    autocomplete_fields = ("attempt", "question", "graded_by")


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ("attempt", "violation_type", "severity", "question_index", "detected_at")
    list_filter = ("violation_type", "severity")
    search_fields = ("attempt__student__registration_number", "attempt__student__user__name")
    list_select_related = ("attempt__student__user", "attempt__quiz")
    autocomplete_fields = ("attempt",)
    date_hierarchy = "detected_at"
