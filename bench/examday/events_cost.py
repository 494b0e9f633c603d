"""What a live event costs the request that publishes it: the old way (async_to_sync: a new event loop and a new
Redis connection per send, in the request thread) against quizsite.live' background sender (enqueue only).

    python bench/examday/events_cost.py   # with the serve environment (REDIS_URL), run.py's env_for_django()
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

import django  # noqa: E402

django.setup()

from asgiref.sync import async_to_sync  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402

from quizsite import live as events  # noqa: E402

N = 300


def main() -> None:
    layer = get_channel_layer()
    message = events._message("answer_saved", {"attempt_id": "x", "n": 1})
    group = events.quiz_group("events-cost-bench")
    start = time.perf_counter()
    for _ in range(N):
        async_to_sync(events._send_on)(layer, group, message)
    per_send_old = (time.perf_counter() - start) / N * 1000
    start = time.perf_counter()
    for _ in range(N):
        events._publish(group, "answer_saved", {"attempt_id": "x", "n": 1})
    per_send_new = (time.perf_counter() - start) / N * 1000
    events.wait_until_sent(30)
    drained = (time.perf_counter() - start) / N * 1000
    print(
        f"per event, in the request thread: async_to_sync {per_send_old:.2f} ms; background sender "
        f"{per_send_new:.3f} ms (all {N} delivered after {drained:.2f} ms each)"
    )


if __name__ == "__main__":
    main()
