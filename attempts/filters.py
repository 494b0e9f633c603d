"""Filters of the attempts app (see STYLE.md)."""

import django_filters

from attempts.models import AttemptStatus, QuizAttempt


class AttemptFilter(django_filters.FilterSet):
    quiz_id = django_filters.UUIDFilter(field_name="quiz_id")
    student_id = django_filters.UUIDFilter(field_name="student_id")
    status = django_filters.ChoiceFilter(choices=AttemptStatus.choices)

    class Meta:
        model = QuizAttempt
        fields = ["quiz_id", "student_id", "status"]
