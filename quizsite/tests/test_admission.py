"""Load shedding (quizsite.admission) and where pages open their sockets (WEBSOCKET_URL)."""

import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from quizsite.admission import AdmissionControlMiddleware


def _held_middleware():
    entered, release = threading.Event(), threading.Event()

    def slow_view(request):
        entered.set()
        release.wait(5)
        return HttpResponse("done")

    return AdmissionControlMiddleware(slow_view), entered, release


@override_settings(SERVER_MAX_INFLIGHT=1, SERVER_ADMISSION_WAIT_MS=50, SERVER_RETRY_AFTER=3)
def test_a_request_beyond_the_limit_is_refused_at_once_with_retry_after():
    middleware, entered, release = _held_middleware()
    rf = RequestFactory()
    first = {}
    worker = threading.Thread(target=lambda: first.setdefault("r", middleware(rf.post("/api/v1/attempts/x/answer"))))
    worker.start()
    assert entered.wait(5)
    refused = middleware(rf.post("/api/v1/attempts/x/answer"))
    try:
        assert refused.status_code == 503
        assert refused["Retry-After"] == "3"
        assert b"busy" in refused.content
    finally:
        release.set()
        worker.join(5)
    assert first["r"].status_code == 200
    # Once the slot is free the next request goes through.
    middleware.get_response = lambda request: HttpResponse("ok")
    health = middleware(rf.get("/api/v1/attempts/"))
    assert health.status_code == 200


@override_settings(SERVER_MAX_INFLIGHT=1, SERVER_ADMISSION_WAIT_MS=0)
def test_the_health_check_is_never_refused():
    middleware, entered, release = _held_middleware()
    rf = RequestFactory()
    worker = threading.Thread(target=lambda: middleware(rf.get("/api/v1/quizzes")))
    worker.start()
    try:
        assert entered.wait(5)
        middleware.get_response = lambda request: HttpResponse("healthy")
        assert middleware(rf.get("/healthz")).status_code == 200
    finally:
        release.set()
        worker.join(5)


def test_off_by_default():
    middleware = AdmissionControlMiddleware(lambda request: HttpResponse("ok"))
    assert middleware.slots is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", ":8001"])
def test_pages_say_where_the_sockets_are(client, value):
    with override_settings(WEBSOCKET_URL=value):
        html = client.get("/accounts/login/").content.decode()
    if value:
        assert '<meta name="websocket-url" content=":8001">' in html
    else:
        assert "websocket-url" not in html


@override_settings(SERVER_MAX_INFLIGHT=4, SERVER_MAX_QUEUE=2)
def test_a_request_behind_a_long_server_queue_is_refused_without_waiting():
    from quizsite import admission

    middleware = AdmissionControlMiddleware(lambda request: HttpResponse("ok"))
    rf = RequestFactory()
    try:
        admission.set_queue_probe(lambda: 3)
        refused = middleware(rf.post("/api/v1/attempts/x/answer"))
        assert refused.status_code == 503 and refused["Retry-After"] == "2"
        admission.set_queue_probe(lambda: 2)
        assert middleware(rf.post("/api/v1/attempts/x/answer")).status_code == 200
    finally:
        admission.set_queue_probe(None)
