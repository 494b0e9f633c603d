"""Filters of the grading app: the grading queues (API and pages share them) and notifications."""

import django_filters

from accounts.models import Notification
from attempts.models import QuizAttempt


class GradingQueueFilter(django_filters.FilterSet):
    quiz_id = django_filters.UUIDFilter(field_name="quiz_id")
    class_id = django_filters.UUIDFilter(field_name="student__school_class_id")
    student_id = django_filters.UUIDFilter(field_name="student_id")

    class Meta:
        model = QuizAttempt
        fields = ["quiz_id", "class_id", "student_id"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread")
    is_read = django_filters.BooleanFilter(field_name="is_read")
    type = django_filters.CharFilter(field_name="type")

    class Meta:
        model = Notification
        fields = ["unread", "is_read", "type"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(is_read=not value)
