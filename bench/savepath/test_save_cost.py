"""Python time per autosave, insensitive to other load on the box: CPU time of this process (time.process_time;
PostgreSQL's own work is in another process and not counted) over 250 saves through the full Django stack (WSGI
handler, middleware, JWT, the view, the service, JSON), with the real PostgreSQL and Redis, as a real client
sends them (a Bearer token, a JSON body). Prints per-save CPU ms and the top of a cProfile.

    make bench-savepath      # = pytest bench/savepath -s (needs the test database settings of the README)
"""

import cProfile
import io
import json
import pstats
import time

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from attempts import services
from attempts.models import StudentAnswer
from tests.builders import science_quiz

pytestmark = pytest.mark.django_db(transaction=True)
SAVES = 250  # with the warm-up and the profiled round: below the API throttle of 600 a minute per user


def test_python_time_per_save(student, teacher, school_class, capsys):
    quiz = science_quiz(teacher, school_class)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    qid = next(q for q, m in attempt.question_meta.items() if m["type"] == "descriptive")
    token = str(RefreshToken.for_user(student.user).access_token)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/attempts/{attempt.pk}/answer"

    def save(seq):
        body = json.dumps({"question_id": qid, "answer_text": f"draft {seq}", "client_seq": seq})
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content

    for seq in range(20):  # warm-up: connections, caches, imports
        save(seq)
    cpu = time.process_time()
    wall = time.perf_counter()
    for seq in range(20, 20 + SAVES):
        save(seq)
    cpu_ms = (time.process_time() - cpu) * 1000 / SAVES
    wall_ms = (time.perf_counter() - wall) * 1000 / SAVES
    profile = cProfile.Profile()
    profile.enable()
    for seq in range(20 + SAVES, 20 + 2 * SAVES):
        save(seq)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
    assert StudentAnswer.objects.get(attempt=attempt, question_id=qid).client_seq == 20 + 2 * SAVES - 1
    with capsys.disabled():
        print(f"\n[save path] {cpu_ms:.2f} ms CPU per save in this process ({wall_ms:.2f} ms wall), {SAVES} saves")
        print(out.getvalue()[:6000])
