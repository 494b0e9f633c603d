from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from accounts.models import AuditLog
from lti.models import ToolKey
from lti.services.keys import current_key
from lti.toolconf import registration_for

pytestmark = pytest.mark.django_db


def test_the_key_is_made_once_and_only_its_public_half_is_published(client):
    first = client.get("/lti/jwks/").json()
    assert client.get("/lti/jwks/").json() == first and ToolKey.objects.count() == 1
    [key] = first["keys"]
    assert key["kid"] == current_key().kid and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # no private member of an RSA JWK


def test_rotation_keeps_the_old_key_published_until_launches_in_flight_are_over(client, admin, registered):
    old = current_key()
    signed_before = jwt.encode({"x": 1}, old.private_pem, algorithm="RS256", headers={"kid": old.kid})
    client.force_login(admin)
    assert client.post("/lti/admin/rotate-key/").status_code == 302
    new = current_key()
    assert new.kid != old.kid
    jwks = client.get("/lti/jwks/").json()
    assert [k["kid"] for k in jwks["keys"]] == [new.kid, old.kid]
    # a token signed before the rotation still verifies against the published set
    published = {k["kid"]: jwt.PyJWK(k) for k in jwks["keys"]}
    assert jwt.decode(signed_before, published[old.kid].key, algorithms=["RS256"]) == {"x": 1}
    # what we sign from now on carries the new kid
    assert registration_for(registered).get_kid() == new.kid
    assert AuditLog.objects.filter(action="lti.key.rotate", user=admin).exists()
    ToolKey.objects.filter(pk=old.pk).update(retired_at=timezone.now() - timedelta(days=2))
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [new.kid]


def test_results_of_a_quiz_without_lms_links_cost_one_query(django_assert_num_queries, teacher, school_class):
    from lti.passback import on_results_changed
    from tests.builders import build_quiz

    quiz = build_quiz(teacher, school_class=school_class)
    with django_assert_num_queries(1):  # every submit of every quiz passes here
        on_results_changed(quiz_id=quiz.pk)
