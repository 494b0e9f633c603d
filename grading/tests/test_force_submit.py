import pytest

from accounts.models import AuditLog
from attempts.models import AttemptStatus
from grading import services
from grading.services import GradingError

pytestmark = pytest.mark.django_db


def test_force_submit_ends_the_attempt_as_the_teacher(in_progress, teacher):
    attempt = services.attempt_force_submit(attempt=in_progress, by=teacher.user)
    assert attempt.status == AttemptStatus.AUTO_SUBMITTED  # the essay awaits marks
    assert attempt.submit_reason == "teacher"
    assert AuditLog.objects.filter(action="attempt.force_submit", entity_id=in_progress.pk).exists()
    with pytest.raises(GradingError, match="already"):
        services.attempt_force_submit(attempt=in_progress, by=teacher.user)
