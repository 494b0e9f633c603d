"""StudentResource: what the Django admin's import/export (django-import-export) does with a sheet."""

import pytest
import tablib

from accounts.models import Student
from classrooms.resources import StudentResource

pytestmark = pytest.mark.django_db


def sheet(*rows, headers=("Name", "Email", "Registration Number", "Class")):
    return tablib.Dataset(*rows, headers=list(headers))


def test_export_has_guide_columns_and_defuses_formulas(student):
    student.user.name = "=cmd|' /C calc'!A0"
    student.user.save()
    data = StudentResource().export()
    assert data.headers[:4] == ["Name", "Email", "Registration Number", "Class"]
    assert data.dict[0]["Name"] == "'=cmd|' /C calc'!A0"
    assert data.dict[0]["Class"] == "Class 10A" and data.dict[0]["Account Claimed"] == "Yes"


def test_dry_run_reports_row_errors_and_writes_nothing(admin, school_class):
    data = sheet(("Ann", "ann@school.test", "r1", "Class 10A"), ("Bad", "nope", "r2", "Class 10A"))
    result = StudentResource().import_data(data, dry_run=True, user=admin)
    assert result.has_validation_errors()
    assert [r.number for r in result.invalid_rows] == [3]
    assert "Invalid email format" in result.invalid_rows[0].error.messages[0]
    assert result.totals["new"] == 1
    assert not Student.objects.exists()


def test_import_creates_students_through_the_service(admin, school_class):
    data = sheet(("Ann", "ann@school.test", "r1", "Class 10A"))
    result = StudentResource().import_data(data, dry_run=False, user=admin)
    assert not result.has_errors() and not result.has_validation_errors()
    ann = Student.objects.select_related("user").get(registration_number="R1")
    assert ann.school_class == school_class and not ann.user.has_usable_password()
    assert result.rows[0].instance == ann  # the admin logs an addition for it


def test_a_teacher_or_missing_columns_are_base_errors(teacher, other_class):
    result = StudentResource().import_data(
        sheet(("A", "a@school.test", "r1", "Class 11B")), dry_run=False, user=teacher.user
    )
    assert result.has_validation_errors() and not Student.objects.exists()
    bad = StudentResource().import_data(tablib.Dataset(("A",), headers=["Name"]), user=teacher.user)
    assert bad.has_errors() and "Missing required columns" in str(bad.base_errors[0].error)


@pytest.mark.urls("classrooms.tests.admin_urls")
def test_works_in_an_import_export_admin(client, admin, school_class):
    """The wiring the lead applies to accounts/admin.py (ImportExportModelAdmin + resource_classes), end to end
    through the admin's import (preview) and confirm pages."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    csv_file = SimpleUploadedFile("s.csv", b"Name,Email,Registration Number,Class\nAnn,ann@school.test,r1,Class 10A\n")
    res = client.post("/admin/accounts/student/import/", {"import_file": csv_file, "format": "0", "resource": "0"})
    assert res.status_code == 200
    assert b"ann@school.test" in res.content and not Student.objects.exists()  # the preview
    confirm = res.context["confirm_form"]
    res = client.post("/admin/accounts/student/process_import/", confirm.initial)
    assert res.status_code == 302
    assert Student.objects.filter(registration_number="R1", school_class=school_class).exists()
    export = client.post(
        "/admin/accounts/student/export/",
        {"format": "0", "resource": "0", **{f"studentresource_{f}": "on" for f in StudentResource.Meta.fields}},
    )
    assert export.status_code == 200, export.content[:300]
    assert export["Content-Type"].startswith("text/csv"), export.content[:2000]
    assert b"Registration Number" in export.content and b"R1" in export.content
