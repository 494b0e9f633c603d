"""Celery tasks of the grading app, gathered here where Celery's autodiscovery looks for them.

Each is declared next to the service that queues it and the service it runs (grading.services.regrade,
grading.services.marking): a task there is thin (load by id, call the service), and neither module has to import
the other, which a tasks module calling services that queue its tasks would need."""

from grading.services.marking import send_attempt_graded_email
from grading.services.regrade import regrade_question

__all__ = ["regrade_question", "send_attempt_graded_email"]
