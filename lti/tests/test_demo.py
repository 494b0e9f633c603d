import pytest
from django.core.management import call_command

from accounts.models import User
from demo import content

pytestmark = pytest.mark.django_db


def test_the_demo_school_shows_its_moodle_on_the_lti_page(client):
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email=content.ADMIN_EMAIL))
    page = client.get("/lti/admin/").content.decode()
    assert content.LTI_PLATFORM["name"] in page and content.LTI_PLATFORM["client_id"] in page
