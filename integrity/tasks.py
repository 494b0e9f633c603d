"""Celery tasks of the integrity app, gathered here where Celery's autodiscovery looks for them (declared next to
the services that queue and run them, as in grading.tasks)."""

from celery import shared_task

from integrity import services
from integrity.services import compute_collusion_leads


@shared_task(name="integrity.tasks.analyse_closed_quizzes")
def analyse_closed_quizzes() -> int:
    """Every ten minutes (CELERY_BEAT_SCHEDULE): the collusion leads of each quiz that has just closed."""
    return services.collusion_analyse_closed()


__all__ = ["analyse_closed_quizzes", "compute_collusion_leads"]
