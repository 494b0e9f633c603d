"""Template filters of the grading pages."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as the live board shows them: `45 s`, `3 min 20 s`; a dash when there is nothing to show."""
    if seconds is None or seconds == "":
        return "–"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
