"""Journeys across apps, as a school lives them: each step through the public API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Student

pytestmark = pytest.mark.django_db

HEADER = "name,email,registration_number,class_name\n"


def test_imported_student_claims_with_the_printed_code_then_logs_in(api_for, admin, school_class):
    upload = SimpleUploadedFile("roster.csv", (HEADER + "Ann Lee,Ann.Lee@School.test,stu7001,Class 10A\n").encode())
    body = (
        api_for(admin)
        .post("/api/v1/students/bulk-import?issue_claim_codes=true", {"file": upload}, format="multipart")
        .json()
    )
    assert body["imported"] == 1, body
    code = body["claim_codes"][0]["code"]

    anonymous = APIClient()
    # Before claiming nobody can log in, whatever the password.
    for password in ("", "anything-at-all"):
        refused = anonymous.post(
            "/api/v1/auth/login", {"email_or_reg_no": "STU7001", "password": password}, format="json"
        )
        assert refused.status_code in (401, 403)
    # Without the code the guessable registration number is not enough.
    no_code = anonymous.post(
        "/api/v1/auth/claim-account",
        {"registration_number": "stu7001", "password": "Blue-Heron-42", "confirm_password": "Blue-Heron-42"},
        format="json",
    )
    assert no_code.status_code == 400 and not Student.objects.get(registration_number="STU7001").is_account_claimed

    claimed = anonymous.post(
        "/api/v1/auth/claim-account",
        {
            "registration_number": "stu7001",
            "claim_code": code.lower(),
            "password": "Blue-Heron-42",
            "confirm_password": "Blue-Heron-42",
        },
        format="json",
    )
    assert claimed.status_code == 200, claimed.json()

    login = anonymous.post(
        "/api/v1/auth/login", {"email_or_reg_no": "ann.lee@school.test", "password": "Blue-Heron-42"}, format="json"
    )
    assert login.status_code == 200
    assert login.json()["user"]["registration_number"] == "STU7001"
    # The code worked once.
    again = anonymous.post(
        "/api/v1/auth/claim-account",
        {
            "registration_number": "STU7001",
            "claim_code": code,
            "password": "Other-Pass-43",
            "confirm_password": "Other-Pass-43",
        },
        format="json",
    )
    assert again.status_code in (400, 403, 409)
