from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analytics.cache import invalidate_on_results_changed
        from quizzes.signals import quiz_results_changed

        quiz_results_changed.connect(invalidate_on_results_changed, dispatch_uid="analytics.invalidate_quiz")
