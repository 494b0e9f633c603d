"""What the quizzes app announces to the apps above it (STYLE.md: a lower app never imports upward).

    announce_results_changed(quiz_id)  # an attempt was submitted, graded or regraded, or the pass mark moved
    announce_answer_key_changed(question_id, by_id)  # a question's key changed while attempts that used it exist
    announce_overrides_changed(quiz_id)  # issue 17: a quiz's per-student or per-class override changed

analytics connects to `quiz_results_changed` (drops its cached figures of the quiz) and grading to
`answer_key_changed` (re-marks the submitted attempts), each in its AppConfig.ready(). Both are sent after the
transaction that made the change commits (at once outside a transaction); a receiver's failure is logged and never
fails the request that caused it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

quiz_results_changed = Signal()  # quiz_id=...
answer_key_changed = Signal()  # question_id=..., by_id=...
quiz_overrides_changed = Signal()  # quiz_id=... (attempts moves the running attempts' deadlines)


def _send_after_commit(signal: Signal, **kwargs) -> None:
    def send():
        for receiver, outcome in signal.send_robust(sender=None, **kwargs):
            if isinstance(outcome, Exception):
                logger.error("%s failed for %s", receiver, kwargs, exc_info=outcome)

    transaction.on_commit(send, robust=True)


def announce_results_changed(quiz_id) -> None:
    _send_after_commit(quiz_results_changed, quiz_id=quiz_id)


def announce_answer_key_changed(question_id, by_id) -> None:
    _send_after_commit(answer_key_changed, question_id=question_id, by_id=by_id)


def announce_overrides_changed(quiz_id) -> None:
    _send_after_commit(quiz_overrides_changed, quiz_id=quiz_id)
