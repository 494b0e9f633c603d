"""The Student admin (classrooms/admin.py): a student it adds or imports gets a claim code its creator can see."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.claim_codes import claim_code_matches
from accounts.models import Role, Student
from classrooms.models import ImportJob
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'<code class="claim-code">([A-Z0-9-]+)</code>')


def test_a_student_added_in_the_admin_without_a_date_of_birth_gets_a_claim_code(client, admin, school_class):
    """Issue 13: a Student row added in the admin had no secret on record, so its number alone claimed it."""
    user = UserFactory(role=Role.STUDENT, email="adam@school.test", name="Adam Added")
    user.set_unusable_password()
    user.save()
    client.force_login(admin)
    data = {"user": user.pk, "registration_number": "ADM1", "school_class": school_class.pk, "parent_email": ""}
    res = client.post(reverse("admin:accounts_student_add"), data, follow=True)
    assert res.status_code == 200
    student = Student.objects.get(registration_number="ADM1")
    page_url = reverse("classrooms:student_claim_code", args=[student.pk])
    assert page_url in res.content.decode()  # the message links to the code and its slip
    code = CODE_RE.search(client.get(page_url).text).group(1)
    assert claim_code_matches(code, student.claim_code_hash)


def test_a_student_added_in_the_admin_with_a_date_of_birth_gets_none(client, admin):
    user = UserFactory(role=Role.STUDENT, email="bea@school.test")
    client.force_login(admin)
    data = {"user": user.pk, "registration_number": "ADM2", "date_of_birth": "2010-05-15", "parent_email": ""}
    res = client.post(reverse("admin:accounts_student_add"), data, follow=True)
    assert res.status_code == 200 and "claim code" not in res.content.decode().lower()
    assert Student.objects.get(registration_number="ADM2").claim_code_hash == ""


def test_the_admin_import_links_the_claim_slips_of_students_without_a_date_of_birth(client, admin, school_class):
    client.force_login(admin)
    csv = "name,email,registration_number,class_name\nZed Admin,zed@school.test,STU8001,Class 10A\n"
    res = client.post(
        "/admin/accounts/student/import/",
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("s.csv", csv.encode())},
    )
    res = client.post("/admin/accounts/student/process_import/", res.context["confirm_form"].initial, follow=True)
    assert res.status_code == 200
    job = ImportJob.objects.get(created_by=admin)
    assert reverse("classrooms:import_job", args=[job.pk]) in res.content.decode()
    zed = Student.objects.get(registration_number="STU8001")
    assert len(job.claim_codes) == 1 and claim_code_matches(job.claim_codes[0]["code"], zed.claim_code_hash)
    assert client.get(reverse("classrooms:import_claim_slips", args=[job.pk])).content.startswith(b"%PDF")
