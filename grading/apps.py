from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grading.services import question_answer_key_changed
        from quizzes.signals import answer_key_changed

        answer_key_changed.connect(question_answer_key_changed, dispatch_uid="grading.regrade_question")
