from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    """Collusion leads: above attempts (it reads answers, their autosave times, violations and IPs), beside grading
    and analytics; nothing below imports it."""

    name = "integrity"
    default_auto_field = "django.db.models.BigAutoField"
