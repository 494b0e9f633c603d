"""Issue 17: a student's accommodations on the student page, the roster and the API; seen and set by the student's
teachers and admins only."""

import pytest
from django.test import Client

from accounts.models import Accommodation, AuditLog
from conftest import api_as

pytestmark = pytest.mark.django_db


def web(user):
    client = Client()
    client.force_login(user)
    return client


def test_teacher_sets_changes_and_removes_on_the_page(teacher, student, school_class):
    client = web(teacher.user)
    url = f"/classes/students/{student.pk}/accommodation/"
    assert client.get(url).status_code == 200
    form = {"time_multiplier": "1.5", "extra_minutes": "0", "extra_attempts": "1", "reason": "IEP 2026"}
    assert client.post(url, form).status_code == 302
    acc = Accommodation.objects.get()
    assert (acc.time_multiplier, acc.extra_attempts, acc.set_by) == (1.5, 1, teacher.user)
    roster = client.get(f"/classes/{school_class.pk}/").content.decode()
    assert "Accommodations: time x1.5, +1 attempt(s)" in roster
    missing_reason = client.post(url, {**form, "reason": ""})
    assert missing_reason.status_code == 200 and Accommodation.objects.get().reason == "IEP 2026"
    assert client.post(url, {"remove": "1"}).status_code == 302
    assert not Accommodation.objects.exists()
    assert AuditLog.objects.filter(action__startswith="student.accommodation").count() == 2


def test_page_outsiders(teacher, other_teacher, student, outsider_student):
    url = f"/classes/students/{student.pk}/accommodation/"
    assert web(other_teacher.user).get(url).status_code == 404
    assert web(other_teacher.user).post(url, {"time_multiplier": "2", "reason": "x"}).status_code == 404
    assert web(student.user).get(url).status_code in (302, 403)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not Accommodation.objects.exists()


def test_api_put_get_delete_and_outsiders(teacher, other_teacher, student, admin, api):
    url = f"/api/v1/students/{student.pk}/accommodation"
    body = {"time_multiplier": "1.25", "extra_minutes": 5, "exempt_from_focus_violations": True, "reason": "504"}
    assert api.put(url, body, format="json").status_code == 401
    assert api_as(student).get(url).status_code == 403
    assert api_as(student).put(url, body, format="json").status_code == 403
    assert api_as(other_teacher).put(url, body, format="json").status_code == 404
    assert api_as(teacher).get(url).status_code == 404  # none yet
    saved = api_as(teacher).put(url, body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["summary"] == "time x1.25, +5 min, focus-loss exempt"
    assert api_as(admin).get(url).json()["set_by"] == teacher.user.name
    assert api_as(other_teacher).get(url).status_code == 404
    bad = api_as(teacher).put(url, {**body, "time_multiplier": "0.5"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]
    assert Accommodation.objects.get().time_multiplier == 1.25
    assert api_as(teacher).delete(url).status_code == 200
    assert not Accommodation.objects.exists()


def test_the_student_api_never_shows_accommodations(teacher, student):
    api_as(teacher).put(
        f"/api/v1/students/{student.pk}/accommodation", {"extra_minutes": 5, "reason": "SECRET-PLAN"}, format="json"
    )
    assert "SECRET-PLAN" not in api_as(student).get(f"/api/v1/students/{student.pk}").content.decode()


def test_import_with_optional_accommodation_columns(api_for, admin, school_class):
    from accounts.models import Student
    from classrooms.tests.conftest import csv_upload

    upload = csv_upload(
        "name,email,registration_number,class_name,time_multiplier,extra_minutes,focus_exempt,accommodation_reason\n"
        "Ann Lee,ann@school.test,stu100,Class 10A,1.5,,yes,IEP 2026\n"
        "Bob Ray,bob@school.test,stu101,Class 10A,,,,\n"
    )
    res = api_for(admin).post("/api/v1/students/bulk-import", {"file": upload}, format="multipart")
    assert res.status_code == 200, res.json()
    ann = Student.objects.get(registration_number="STU100")
    assert ann.accommodation.time_multiplier == 1.5 and ann.accommodation.exempt_from_focus_violations
    assert ann.accommodation.set_by == admin
    assert Accommodation.objects.count() == 1
    assert AuditLog.objects.get(action="students.import").new_value["accommodations"] == 1


def test_import_refuses_a_bad_accommodation_and_writes_nothing_for_that_row(api_for, admin, school_class):
    from accounts.models import Student
    from classrooms.tests.conftest import csv_upload

    upload = csv_upload(
        "name,email,registration_number,class_name,time_multiplier,accommodation_reason\n"
        "Ann Lee,ann@school.test,stu100,Class 10A,0.5,IEP\n"
        "Cy Dee,cy@school.test,stu102,Class 10A,2,\n"
    )
    res = api_for(admin).post("/api/v1/students/bulk-import", {"file": upload}, format="multipart")
    body = res.json()
    errors = " ".join(e["error"] for e in body["errors"])
    assert "Time multiplier must be between 1 and 5" in errors and "Give the reason" in errors
    assert not Student.objects.filter(registration_number__in=["STU100", "STU102"]).exists()
    assert not Accommodation.objects.exists()
