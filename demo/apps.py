from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo school of `make run` (`manage.py seed_demo`). Top-level: it may call every app's services, and no
    app imports it."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
