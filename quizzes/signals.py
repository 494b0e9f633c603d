"""What the quizzes app announces to the apps above it (STYLE.md: a lower app never imports upward).

    announce_results_changed(quiz_id)   # an attempt was submitted, graded or regraded, or the pass mark moved

analytics connects to `quiz_results_changed` in its AppConfig.ready() and drops its cached figures of the quiz.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with quiz_id=..., after the transaction that changed the results commits (at once outside a transaction).
quiz_results_changed = Signal()


def announce_results_changed(quiz_id) -> None:
    # A receiver's failure (a cache outage) must never fail the submit or grade that caused it.
    transaction.on_commit(lambda: quiz_results_changed.send_robust(sender=None, quiz_id=quiz_id), robust=True)
