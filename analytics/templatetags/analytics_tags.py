"""Number formatting for the analytics pages and reports: undefined statistics show a dash, never 0."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def num(value, places=2):
    if value is None or value == "":
        return "—"
    return floatformat(value, f"-{places}")


@register.filter
def pct(value, places=1):
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, f'-{places}')}%"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
