"""Load shedding: under overload refuse early with 503 + Retry-After instead of queueing until clients time out.

At most SERVER_MAX_INFLIGHT requests are inside Django at once per server process; a request that finds no slot
waits up to SERVER_ADMISSION_WAIT_MS for one, then is answered at once with 503 and `Retry-After:
SERVER_RETRY_AFTER` (seconds) without touching the database. A request that finds more than SERVER_MAX_QUEUE
others still waiting for a server thread (gunicorn gthread, see quizsite.gunicorn_conf) is refused without waiting.
Nothing was written, so nothing is lost: the exam
page keeps the answer in its outbox and sends it again after Retry-After (static/js/exam.js). With a threaded
server (gunicorn gthread) the spare threads are what turn a queue into fast refusals; SERVER_MAX_INFLIGHT=0 (the
default, and `make run`/tests) switches this off. The health check and static files are never refused.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.http import JsonResponse

logger = logging.getLogger(__name__)

EXEMPT_PREFIXES = ("/healthz", "/static/")

# How many accepted requests wait for a thread in this process (quizsite.gunicorn_conf sets it for gthread).
_queue_probe = None


def set_queue_probe(probe) -> None:
    global _queue_probe
    _queue_probe = probe


class AdmissionControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = int(getattr(settings, "SERVER_MAX_INFLIGHT", 0) or 0)
        self.wait = max(0, int(getattr(settings, "SERVER_ADMISSION_WAIT_MS", 200))) / 1000
        self.retry_after = str(max(1, int(getattr(settings, "SERVER_RETRY_AFTER", 2))))
        self.max_queue = int(getattr(settings, "SERVER_MAX_QUEUE", 16))
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None
        self.refused = 0

    def __call__(self, request):
        if self.slots is None or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        probe = _queue_probe
        queued = probe() if probe is not None else 0
        # Behind a long queue: refuse now (a refusal costs well under a millisecond, so the queue drains).
        if queued > self.max_queue or not self.slots.acquire(timeout=self.wait):
            self.refused += 1
            if self.refused == 1 or self.refused % 500 == 0:
                logger.warning("overload: %s requests refused with 503 so far in this process", self.refused)
            response = JsonResponse(
                {"detail": "The server is busy. Your answers are kept; they will be sent again shortly."},
                status=503,
            )
            response["Retry-After"] = self.retry_after
            return response
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
