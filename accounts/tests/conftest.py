import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import AuditLog, User
from tests.factories import StudentFactory


@pytest.fixture
def unclaimed_student(db, school_class):
    s = StudentFactory(
        user__email="una@school.test",
        user__name="Una Unclaimed",
        registration_number="STU2026500",
        school_class=school_class,
        is_account_claimed=False,
        claimed_at=None,
    )
    s.user.set_unusable_password()
    s.user.save(update_fields=["password"])
    return s


@pytest.fixture
def slip_student(unclaimed_student):
    """An unclaimed student whose school printed a claim slip with a code."""
    from accounts.claim_codes import claim_code_hash

    unclaimed_student.claim_code_hash = claim_code_hash("ABCD-1234")
    unclaimed_student.save(update_fields=["claim_code_hash"])
    return unclaimed_student


@pytest.fixture
def snapshot():
    """Counts of what a refused request must not change."""

    def take():
        return {
            "users": User.objects.count(),
            "audit": AuditLog.objects.exclude(action__startswith="login").count(),
            "passwords": sorted(User.objects.values_list("password", flat=True)),
            "names": sorted(User.objects.values_list("name", flat=True)),
            "active": sorted(User.objects.values_list("is_active", flat=True)),
        }

    return take


@pytest.fixture
def make_pw():
    return make_password
