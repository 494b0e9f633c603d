"""The collusion leads are computed by a real Celery worker through the real Redis broker when a teacher asks."""

from __future__ import annotations

import time

import pytest

from integrity import services
from integrity.models import CollusionRun
from tests.processes import celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_requested_leads_are_computed_on_a_real_worker(copied_quiz, teacher, student):
    with celery_worker() as worker:
        run = services.collusion_request(quiz=copied_quiz, by=teacher.user)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert worker.proc.poll() is None, "worker died"
            run = CollusionRun.objects.filter(pk=run.pk).first()
            if run is None or run.status != "queued":
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"the worker did not compute the leads within 60 s: {worker.output(2000)}")
    assert run.status == "done", run.error
    lead = run.leads.get(significant=True)
    assert student.pk in {lead.attempt_a.student_id, lead.attempt_b.student_id}
