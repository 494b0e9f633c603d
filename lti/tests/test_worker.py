"""Grade passback through a real Celery worker and the Redis broker: the submit's signal queues the task on
commit, the worker (another process) gets a token from the platform and posts the score."""

from __future__ import annotations

import time

import pytest

from lti.models import GradeStatus, GradeSync, QuizLink
from lti.tests.conftest import link_identity, register
from tests.builders import make_attempt, science_quiz
from tests.processes import celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_score_goes_to_the_lms_from_a_real_worker(lms, admin, client, teacher, school_class, student):
    platform = register(lms, admin)
    lms.tool_jwks = client.get("/lti/jwks/").json()
    quiz = science_quiz(teacher, school_class)
    QuizLink.objects.create(platform=platform, deployment_id="dep-1", quiz=quiz, lineitem_url=lms.lineitem(7),
                            ags_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"])  # fmt: skip
    link_identity(platform, student, "lms-alice")
    with celery_worker() as worker:
        attempt = make_attempt(quiz, student)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not lms.scores:
            assert worker.proc.poll() is None, "worker died"
            time.sleep(0.3)
        if not lms.scores:
            pytest.fail(f"no score reached the platform within 30 s: {worker.output(2000)}")
    [score] = lms.scores
    assert score["lineitem"] == "/lineitems/7" and score["userId"] == "lms-alice"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (5, 15)
    sync = GradeSync.objects.get(attempt=attempt)
    assert sync.status == GradeStatus.SENT and sync.sent_at is not None
