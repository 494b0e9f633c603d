"""The receiver of quizzes.signals.quiz_results_changed (connected in LtiConfig.ready): sent after the commit of
every submit, hand mark and regrade, it queues the scores the LMS gradebook does not have yet."""

from __future__ import annotations

from django.db import transaction

from lti.services.grades import grades_queue_for_quiz
from lti.tasks import send_grade


def on_results_changed(sender=None, quiz_id=None, **kwargs) -> None:
    for sync in grades_queue_for_quiz(quiz_id):
        transaction.on_commit(lambda pk=str(sync.pk): send_grade.delay(pk))
