from django.contrib import admin
from django.db.models import Count

from quizzes.models import Question, Quiz, QuizClass, QuizQuestion


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    autocomplete_fields = ("question",)
    ordering = ("order_index",)


class QuizClassInline(admin.TabularInline):
    model = QuizClass
    extra = 0
    autocomplete_fields = ("school_class",)


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "subject",
        "status",
        "access_code",
        "created_by",
        "question_count",
        "start_date",
        "end_date",
    )
    list_filter = ("status", "subject")
    search_fields = ("title", "subject", "access_code", "created_by__user__name")
    list_select_related = ("created_by__user",)
    autocomplete_fields = ("created_by",)
    inlines = [QuizClassInline, QuizQuestionInline]
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("quiz_questions"))

    @admin.display(description="Questions", ordering="_question_count")
    def question_count(self, obj):
        return obj._question_count


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("short_text", "type", "topic", "difficulty", "marks", "created_by")
    list_filter = ("type", "difficulty", "topic")
    search_fields = ("text", "topic")
    list_select_related = ("created_by__user",)
    autocomplete_fields = ("created_by",)

    @admin.display(description="Question")
    def short_text(self, obj):
        return str(obj)


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    list_display = ("quiz", "order_index", "question", "marks_override")
    list_filter = ("quiz",)
    search_fields = ("quiz__title", "question__text")
    list_select_related = ("quiz", "question")
    autocomplete_fields = ("quiz", "question")


@admin.register(QuizClass)
class QuizClassAdmin(admin.ModelAdmin):
    list_display = ("quiz", "school_class", "assigned_at")
    search_fields = ("quiz__title", "school_class__name")
    list_select_related = ("quiz", "school_class")
    autocomplete_fields = ("quiz", "school_class")
