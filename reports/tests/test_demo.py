"""The demo school shows the feature: its maths teacher has a finished class pack of Class 10 A."""

from io import StringIO

import pytest
from django.core.management import call_command

from reports.models import ReportJob

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_class_pack(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    job = ReportJob.objects.get()
    assert job.owner.email == "maths@school.test" and job.kind == "class_pack" and job.status == "done", job.error
    assert job.title == "Arithmetic check-up — Class 10A (2026-2027)" and job.total > 5
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert ReportJob.objects.count() == 1  # a second run starts nothing
