"""A Redis or channel-layer outage never fails or slows a student's request beyond a short timeout."""

import time

import pytest
from django.db import transaction
from django.test import override_settings

from quizsite import live as events

pytestmark = pytest.mark.django_db

# A Redis channel layer pointed at a port nobody listens on (connection refused at once) and at an address that
# does not answer (the connect hangs until our timeout cuts it).
CLOSED_PORT = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
}
BLACKHOLE = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://10.255.255.1:6379/0"]},
    }
}


@pytest.mark.parametrize("layers", [CLOSED_PORT, BLACKHOLE], ids=["closed-port", "blackhole"])
def test_publish_returns_quickly_without_raising_when_redis_is_down(layers):
    with override_settings(CHANNEL_LAYERS=layers):
        start = time.monotonic()
        assert events.send_quiz_event_now("00000000-0000-0000-0000-000000000001", "violation", {"x": 1}) is False
        first = time.monotonic() - start
        start = time.monotonic()
        # Right after a failure the layer is not tried again: the next student's request pays nothing.
        assert events.send_quiz_event_now("00000000-0000-0000-0000-000000000001", "violation", {"x": 2}) is False
        second = time.monotonic() - start
    assert first < events.SEND_TIMEOUT_SECONDS + 0.5
    assert second < 0.05


def test_publish_inside_a_transaction_commits_the_work_when_redis_is_down(student, django_capture_on_commit_callbacks):
    from accounts.models import Notification
    from accounts.services import notify

    with override_settings(CHANNEL_LAYERS=CLOSED_PORT):
        start = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            notify(users=[student.user], type="t", title="kept", message="m")
            events.publish_quiz_event("00000000-0000-0000-0000-000000000001", "violation", {})
        elapsed = time.monotonic() - start
    assert len(callbacks) == 1  # the send ran, and failed quietly
    assert Notification.objects.filter(title="kept").exists()
    assert elapsed < 1.0


def test_a_student_reporting_a_violation_over_http_is_not_held_up(
    api_for, student, in_progress, django_capture_on_commit_callbacks
):
    with override_settings(CHANNEL_LAYERS=BLACKHOLE):
        start = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            r = api_for(student).post(
                f"/api/v1/attempts/{in_progress.pk}/violations", {"violation_type": "tab_switch"}, format="json"
            )
        elapsed = time.monotonic() - start
    assert callbacks  # the live event was really attempted
    assert r.status_code == 201 and r.json()["total_violations"] == 1
    assert elapsed < 1.5


def test_only_committed_work_is_announced(django_capture_on_commit_callbacks):
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    async def receive(layer, channel):
        return await asyncio.wait_for(layer.receive(channel), timeout=0.2)

    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}):
        layer = get_channel_layer()
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(events.quiz_group("q1"), channel)
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    events.publish_quiz_event("q1", "violation", {"n": 1})
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            with transaction.atomic():
                events.publish_quiz_event("q1", "violation", {"n": 2})
        assert async_to_sync(receive)(layer, channel) == {"type": "quiz.event", "event": "violation", "data": {"n": 2}}
        with pytest.raises(asyncio.TimeoutError):
            async_to_sync(receive)(layer, channel)
