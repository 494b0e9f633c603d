import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_unreachable():
    # A real server process pointed at a PostgreSQL port where nothing listens.
    code = (
        "import django;django.setup();from django.test import Client;"
        "r=Client().get('/healthz');print(r.status_code, r.json()['database'])"
    )
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="quizsite.settings", DATABASE_URL="postgres://postgres@127.0.0.1:1/postgres"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["503", "unavailable"]


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
