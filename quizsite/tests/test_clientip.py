"""The client's address (quizsite.clientip): X-Forwarded-For counts only when the direct peer is a configured proxy.

Every consumer of the address (throttles, the audit log, attempts' IP, load shedding) reads it from one function,
so a client that forges the header gains nothing anywhere, and a deployment behind its own proxy sees real clients.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from accounts.models import AuditLog
from quizsite.api.throttling import AnonymousIPThrottle
from quizsite.clientip import client_ip
from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
rf = RequestFactory()


def req(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert client_ip(req("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    assert client_ip(req("203.0.113.7")) == "203.0.113.7"
    assert client_ip(None) is None
    assert client_ip(req("")) is None


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "::1/128"])
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client():
    assert client_ip(req("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # A client that sends its own X-Forwarded-For: the proxy appends the real address, and that one wins.
    assert client_ip(req("10.0.0.5", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    # Two trusted proxies in a row are skipped.
    assert client_ip(req("10.0.0.5", "203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    assert client_ip(req("::1", " 2001:db8::1 ")) == "2001:db8::1"
    # A proxy that forwarded nothing: the proxy itself is all we know.
    assert client_ip(req("10.0.0.5")) == "10.0.0.5"
    assert client_ip(req("10.0.0.5", "")) == "10.0.0.5"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_an_untrusted_peer_cannot_forge_its_address():
    assert client_ip(req("203.0.113.50", "10.0.0.1")) == "203.0.113.50"
    assert client_ip(req("203.0.113.50", "198.51.100.1")) == "203.0.113.50"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_garbage_in_the_header_stops_the_walk_at_the_last_good_address():
    assert client_ip(req("10.0.0.5", "<script>, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(req("10.0.0.5", "not-an-ip")) == "10.0.0.5"
    assert client_ip(req("10.0.0.5", "203.0.113.9:4711")) == "203.0.113.9"
    assert client_ip(req("10.0.0.5", "[2001:db8::2]:4711")) == "2001:db8::2"
    assert client_ip(req("10.0.0.5", "::ffff:203.0.113.9")) == "203.0.113.9"


@pytest.mark.django_db
def test_the_anonymous_api_throttle_cannot_be_dodged_with_a_forged_header(monkeypatch):
    # DRF's own get_ident trusts X-Forwarded-For from anyone: every forged value was a fresh bucket.
    monkeypatch.setattr(AnonymousIPThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/login", {}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(5)
    ]
    assert codes[:3] == [400, 400, 400]
    assert codes[3:] == [429, 429]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.0/8"])
def test_behind_a_proxy_clients_are_told_apart_and_audited_with_their_own_address(admin, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1
    api = APIClient()

    def login(password, client):
        body = {"email_or_reg_no": "admin@school.test", "password": password}
        return api.post("/api/v1/auth/login", body, format="json", HTTP_X_FORWARDED_FOR=client)

    assert login("wrong-password", "203.0.113.1").status_code == 401
    assert login("wrong-password", "203.0.113.1").status_code == 429
    # Another client behind the same proxy is not slowed by the first one's failures.
    assert login(DEFAULT_PASSWORD, "203.0.113.2").status_code == 200
    ips = set(AuditLog.objects.filter(action__startswith="login").values_list("ip_address", flat=True))
    assert ips == {"203.0.113.1", "203.0.113.2"}


def test_a_malformed_trusted_proxies_setting_stops_start_up():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DEBUG="true", TRUSTED_PROXIES="10.0.0.0/8, not-a-network")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "not-a-network" in result.stderr
