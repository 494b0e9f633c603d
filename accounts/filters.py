"""Filters of the accounts app: the guide's query parameters (`role`, `search`, ...) for the API and the pages."""

from __future__ import annotations

import django_filters

from accounts import selectors
from accounts.models import AuditLog, Role, Teacher, User


class UserFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Search")
    role = django_filters.ChoiceFilter(choices=Role.choices, label="Role")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = User
        fields = ["search", "role", "is_active"]

    def filter_search(self, qs, name, value):
        return selectors.users_search(qs, search=value)


class TeacherFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = Teacher
        fields = ["search"]

    def filter_search(self, qs, name, value):
        return selectors.teachers_search(qs, search=value)


class AuditLogFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action", label="Action")
    user = django_filters.CharFilter(method="filter_user", label="User (name or e-mail)")
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditLog
        fields = ["action", "user", "date_from", "date_to"]

    def filter_user(self, qs, name, value):
        return selectors.audit_logs_search(qs, user=value)
