"""Filters of the quizzes app: the guide's query parameters, shared by the API lists and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from quizzes.models import Difficulty, Question, QuestionType, Quiz, QuizStatus, normalize_tags


class QuizFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=QuizStatus.choices)
    teacher_id = django_filters.UUIDFilter(field_name="created_by_id")
    class_id = django_filters.UUIDFilter(field_name="class_links__school_class_id")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Quiz
        fields = ["status", "teacher_id", "class_id", "search"]

    def filter_search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(title__icontains=term)
            | Q(subject__icontains=term)
            | Q(description__icontains=term)
            | Q(access_code__iexact=term)
        )


class QuestionFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=QuestionType.choices)
    topic = django_filters.CharFilter(field_name="topic", lookup_expr="iexact")
    difficulty = django_filters.ChoiceFilter(choices=Difficulty.choices)
    teacher_id = django_filters.UUIDFilter(field_name="created_by_id")
    search = django_filters.CharFilter(method="filter_search")
    # Issue 16: questions carrying this tag (matched as stored: trimmed, lower-case).
    tag = django_filters.CharFilter(method="filter_tag")

    class Meta:
        model = Question
        fields = ["type", "topic", "difficulty", "teacher_id", "search", "tag"]

    def filter_tag(self, queryset, name, value):
        tags = normalize_tags([value])
        return queryset.filter(tags__contains=tags) if tags else queryset

    def filter_search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(text__icontains=term) | Q(topic__icontains=term))
