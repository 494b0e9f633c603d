"""Tasks of the attempts app (see STYLE.md): thin, they call a service."""

from celery import shared_task

from attempts import services


@shared_task(name="attempts.tasks.expire_overdue_attempts")
def expire_overdue_attempts() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): auto-submit attempts whose deadline plus grace has passed, dated at
    their deadline, even when the student never comes back."""
    return services.expire_overdue_attempts()
