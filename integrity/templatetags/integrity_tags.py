from django import template

from integrity.quality import option_letter as _letter

register = template.Library()


@register.filter
def option_letter(value):
    """0 -> A, 1 -> B: an option as the student saw it."""
    try:
        return _letter(int(value))
    except (TypeError, ValueError):
        return value
