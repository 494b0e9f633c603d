"""Reads of the quizzes app. Every list starts from a scoped queryset (`visible_to(user)`), so the API and the pages
show the same things to the same people."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from classrooms.models import SchoolClass
from quizzes.models import Question, Quiz, QuizQuestion


def _total_marks_subquery():
    per_quiz = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(total=Sum(Coalesce("marks_override", "question__marks")))
        .values("total")
    )
    return Coalesce(Subquery(per_quiz, output_field=IntegerField()), Value(0))


def _question_count_subquery():
    per_quiz = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk")).order_by().values("quiz").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_quiz, output_field=IntegerField()), Value(0))


def quiz_list(*, user) -> QuerySet[Quiz]:
    """Quizzes the user may see, with `question_count` and `total_marks` annotated and classes prefetched:
    a constant number of queries however many quizzes there are. Filtering: quizzes.filters.QuizFilter."""
    return (
        Quiz.objects.visible_to(user)
        .select_related("created_by__user")
        .annotate(question_count=_question_count_subquery(), total_marks=_total_marks_subquery())
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("name", "section")))
        .order_by("-created_at")
    )


def quiz_detail_queryset(*, user) -> QuerySet[Quiz]:
    """For one quiz with its ordered questions (and each question's row) in a fixed number of queries."""
    return quiz_list(user=user).prefetch_related(
        Prefetch(
            "quiz_questions",
            queryset=QuizQuestion.objects.select_related("question").order_by("order_index"),
            to_attr="ordered_links",
        )
    )


def quiz_get_by_access_code(*, user, code: str) -> Quiz | None:
    """A published quiz assigned to the student's class, by its access code in any letter case."""
    from quizzes.models import QuizStatus, normalize_access_code

    code = normalize_access_code(code)
    if not code or not getattr(user, "is_student", False):
        return None
    return (
        quiz_list(user=user)
        .filter(access_code=code, status=QuizStatus.PUBLISHED, class_links__school_class__students=user.pk)
        .first()
    )


def question_list(*, user) -> QuerySet[Question]:
    """The question bank the user may see. Filtering: quizzes.filters.QuestionFilter."""
    return Question.objects.visible_to(user).select_related("created_by__user").order_by("-created_at")


def question_topics(*, user) -> list[str]:
    return list(
        Question.objects.visible_to(user).exclude(topic="").order_by("topic").values_list("topic", flat=True).distinct()
    )


def ordered_quiz_questions(quiz: Quiz) -> list[QuizQuestion]:
    links = getattr(quiz, "ordered_links", None)
    if links is None:
        links = list(quiz.quiz_questions.select_related("question").order_by("order_index"))
    return links
