from django.apps import AppConfig


class AttemptsConfig(AppConfig):
    name = "attempts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Issue 17: a running attempt's deadline follows its student's overrides and accommodation.
        from accounts.signals import accommodation_changed
        from attempts.services import on_accommodation_changed, on_overrides_changed
        from quizzes.signals import quiz_overrides_changed

        accommodation_changed.connect(on_accommodation_changed, dispatch_uid="attempts.follow_accommodation")
        quiz_overrides_changed.connect(on_overrides_changed, dispatch_uid="attempts.follow_overrides")
