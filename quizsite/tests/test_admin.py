"""Every model's admin changelist, add and change page loads for a school admin."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_every_changelist_and_change_page_loads(seeded, client):
    admin_user = User.objects.get(email="admin@school.test")
    client.force_login(admin_user)
    assert admin.site._registry, "no model registered"
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        response = client.get(changelist, {"q": "a"})
        assert response.status_code == 200, f"{changelist}?q=a"
        obj = model_admin.get_queryset(response.wsgi_request).first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add


def test_admin_refuses_teachers_and_students(seeded, client):
    client.force_login(User.objects.get(email="maths@school.test"))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(User.objects.get(email="alice.johnson@school.test"))
    assert client.get("/admin/accounts/user/").status_code == 302


@pytest.mark.django_db
def test_admin_login_page_loads_for_anonymous(client):
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_createsuperuser_noinput_creates_a_working_admin_login(client, settings):
    env = {
        "DJANGO_SUPERUSER_EMAIL": "Head@School.Test",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-admin-password",
    }
    import os

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    user = User.objects.get(email="head@school.test")
    assert user.role == "admin" and user.is_superuser and user.is_staff
    assert user.password.startswith("argon2$argon2id$")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "HEAD@school.test", "password": "a-long-admin-password"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_student_admin_imports_and_exports_through_the_roster_service(seeded, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Student

    client.force_login(User.objects.get(email="admin@school.test"))
    assert client.get("/admin/accounts/student/import/").status_code == 200
    export = client.post("/admin/accounts/student/export/", {"format": "0", "resource": "0"})
    assert export.status_code in (200, 302)
    csv = "name,email,registration_number,class_name\nZed Admin,zed@school.test,STU8001,Class 10A\n"
    response = client.post(
        "/admin/accounts/student/import/",
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("s.csv", csv.encode())},
    )
    assert response.status_code == 200
    assert b"Zed Admin" in response.content or b"STU8001" in response.content  # the confirm preview
    assert not Student.objects.filter(registration_number="STU8001").exists()  # nothing written before confirm
