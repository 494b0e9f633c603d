"""gunicorn hooks for `make serve` and docker-compose (`gunicorn -c python:quizsite.gunicorn_conf ...`).

post_fork hands quizsite.admission a probe of the gthread worker's queue of accepted requests that no thread has
picked up yet, so a request arriving behind a long queue is refused at once (cheaply, which drains the queue)
instead of waiting seconds for its turn.
"""


def post_fork(server, worker):
    from quizsite import admission

    def queued() -> int:
        pool = getattr(worker, "tpool", None)
        queue = getattr(pool, "_work_queue", None)
        return queue.qsize() if queue is not None else 0

    admission.set_queue_probe(queued)
