from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (use from an LMS)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Grade passback: attempts and grading announce every submit, hand mark and regrade through
        # quizzes.signals (after commit); this app listens, so no lower app needs to know LTI exists.
        from lti.passback import on_results_changed
        from quizzes.signals import quiz_results_changed

        quiz_results_changed.connect(on_results_changed, dispatch_uid="lti.grade_passback")
