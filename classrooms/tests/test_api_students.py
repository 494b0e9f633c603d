"""/api/v1/students (list, detail, create, update, delete) and /api/v1/teachers/{id}/students."""

import pytest

from accounts.models import Role, Student, User
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def url(path=""):
    return f"/api/v1/students{path}"


NEW = {
    "name": "New Student",
    "email": "NewStudent@School.com ",
    "registration_number": " stu2024010",
    "date_of_birth": "2008-05-15",
    "parent_email": "parent@email.com",
    "parent_phone": "+1234567890",
}


# --- list / detail ---------------------------------------------------------------------------------------------
def test_admin_lists_students_filtered_by_class_and_search(api_for, admin, student, outsider_student, school_class):
    client = api_for(admin)
    assert client.get(url()).json()["total"] == 2
    body = client.get(url(f"?class_id={school_class.pk}")).json()
    assert [s["registration_number"] for s in body["items"]] == ["STU2026001"]
    assert client.get(url("?search=oscar")).json()["items"][0]["name"] == "Oscar Outsider"
    assert client.get(url("?search=stu2026999")).json()["total"] == 1
    assert client.get(url("?class_id=nope")).status_code == 400


def test_teacher_sees_students_of_their_classes_only(api_for, teacher, student, outsider_student):
    body = api_for(teacher).get(url()).json()
    assert [s["name"] for s in body["items"]] == ["Alice Johnson"]


def test_student_sees_only_themself(api_for, student, outsider_student):
    body = api_for(student).get(url()).json()
    assert [s["registration_number"] for s in body["items"]] == ["STU2026001"]


def test_anonymous_list_401(api, student):
    assert api.get(url()).status_code == 401


def test_student_list_query_count_is_constant(api_for, admin, school_class, django_assert_num_queries):
    client = api_for(admin)
    StudentFactory.create_batch(3, school_class=school_class)
    with django_assert_num_queries(3):  # auth user, count, page with user and class joined
        assert client.get(url()).status_code == 200
    StudentFactory.create_batch(15, school_class=school_class)
    with django_assert_num_queries(3):
        assert len(client.get(url()).json()["items"]) == 18


def test_detail_has_the_guide_shape(api_for, teacher, student, school_class):
    body = api_for(teacher).get(url(f"/{student.pk}")).json()
    assert body["id"] == str(student.pk)
    assert body["name"] == "Alice Johnson" and body["email"] == "alice@school.test"
    assert body["registration_number"] == "STU2026001"
    assert body["class"]["id"] == str(school_class.pk) and body["class"]["name"] == "Class 10A"
    assert body["is_account_claimed"] is True and body["created_at"]


@pytest.mark.parametrize("persona", ["other_teacher", "outsider_student"])
def test_outsiders_get_404_on_detail(request, api_for, persona, student):
    assert api_for(request.getfixturevalue(persona)).get(url(f"/{student.pk}")).status_code == 404


# --- create ----------------------------------------------------------------------------------------------------
def test_admin_creates_unclaimed_student_with_unusable_password(api_for, admin, school_class):
    res = api_for(admin).post(url(), {**NEW, "class_id": str(school_class.pk)}, format="json")
    assert res.status_code == 201
    body = res.json()
    assert body["email"] == "newstudent@school.com" and body["registration_number"] == "STU2024010"
    assert body["class"]["name"] == "Class 10A" and body["is_account_claimed"] is False
    user = User.objects.get(email="newstudent@school.com")
    assert user.role == Role.STUDENT
    assert not user.has_usable_password()
    assert not user.check_password("")


def test_a_student_created_without_a_date_of_birth_gets_a_claim_code_shown_once(api, api_for, teacher, school_class):
    """Issue 13: a student created without a date of birth had no secret on record, so anyone with the registration
    number could claim the account. Now the creator gets a one-time claim code (only its hash is stored)."""
    from accounts.claim_codes import claim_code_matches

    body = {**NEW, "class_id": str(school_class.pk)}
    body.pop("date_of_birth")
    res = api_for(teacher).post(url(), body, format="json")
    assert res.status_code == 201
    code = res.json()["claim_code"]
    student = Student.objects.get(registration_number="STU2024010")
    assert code and code not in student.claim_code_hash and claim_code_matches(code, student.claim_code_hash)
    assert "claim_code" not in api_for(teacher).get(url(f"/{student.pk}")).json()  # shown once, on create only
    claim = {"registration_number": "STU2024010", "password": "Blue-Kettle-42", "confirm_password": "Blue-Kettle-42"}
    assert api.post("/api/v1/auth/claim-account", claim, format="json").status_code == 400
    assert api.post("/api/v1/auth/claim-account", {**claim, "claim_code": code}, format="json").status_code == 200


def test_a_student_created_with_a_date_of_birth_claims_with_it(api_for, admin, school_class):
    res = api_for(admin).post(url(), {**NEW, "class_id": str(school_class.pk)}, format="json")
    assert res.status_code == 201 and res.json()["claim_code"] is None
    assert Student.objects.get(registration_number="STU2024010").claim_code_hash == ""


def test_teacher_creates_student_in_own_class_only(api_for, teacher, school_class, other_class):
    client = api_for(teacher)
    res = client.post(url(), {**NEW, "class_id": str(other_class.pk)}, format="json")
    assert res.status_code == 400
    res = client.post(url(), {**NEW}, format="json")
    assert res.status_code == 400 and "class_id" in res.json()["errors"]
    assert not User.objects.filter(email="newstudent@school.com").exists()
    res = client.post(url(), {**NEW, "class_id": str(school_class.pk)}, format="json")
    assert res.status_code == 201


def test_create_rejects_duplicates_and_bad_email(api_for, admin, student):
    client = api_for(admin)
    res = client.post(url(), {**NEW, "email": "ALICE@school.test"}, format="json")
    assert res.status_code == 400 and "email" in res.json()["errors"]
    res = client.post(url(), {**NEW, "registration_number": "stu2026001"}, format="json")
    assert res.status_code == 400 and "registration_number" in res.json()["errors"]
    res = client.post(url(), {**NEW, "email": "not-an-email"}, format="json")
    assert res.status_code == 400
    assert Student.objects.count() == 1


@pytest.mark.parametrize("persona", ["student", "outsider_student"])
def test_students_cannot_create(request, api_for, persona, school_class):
    res = api_for(request.getfixturevalue(persona)).post(
        url(), {**NEW, "class_id": str(school_class.pk)}, format="json"
    )
    assert res.status_code == 403
    assert not User.objects.filter(email="newstudent@school.com").exists()


def test_anonymous_cannot_create(api, school_class):
    assert api.post(url(), NEW, format="json").status_code == 401
    assert not User.objects.filter(email="newstudent@school.com").exists()


# --- update / delete -------------------------------------------------------------------------------------------
def test_put_is_partial_and_moves_class(api_for, admin, student, other_class):
    res = api_for(admin).put(
        url(f"/{student.pk}"), {"name": "Alice J.", "class_id": str(other_class.pk)}, format="json"
    )
    assert res.status_code == 200
    assert res.json()["name"] == "Alice J." and res.json()["class"]["name"] == "Class 11B"
    student.refresh_from_db()
    assert student.registration_number == "STU2026001" and student.school_class == other_class


def test_teacher_edits_own_student_but_cannot_move_them_out(api_for, teacher, student, school_class, other_class):
    client = api_for(teacher)
    assert client.patch(url(f"/{student.pk}"), {"parent_phone": "+1 555"}, format="json").status_code == 200
    res = client.patch(url(f"/{student.pk}"), {"class_id": str(other_class.pk)}, format="json")
    assert res.status_code == 400
    student.refresh_from_db()
    assert student.parent_phone == "+1 555" and student.school_class == school_class


@pytest.mark.parametrize("persona,code", [("other_teacher", 404), ("student", 403), ("outsider_student", 404)])
def test_update_outsiders(request, api_for, persona, code, teacher, student):
    res = api_for(request.getfixturevalue(persona)).put(url(f"/{student.pk}"), {"name": "Hacked"}, format="json")
    assert res.status_code == code
    student.user.refresh_from_db()
    assert student.user.name == "Alice Johnson"


def test_admin_deletes_student(api_for, admin, student):
    res = api_for(admin).delete(url(f"/{student.pk}"))
    assert res.status_code == 200 and res.json() == {"message": "Student deleted"}
    assert not User.objects.filter(pk=student.pk).exists()


@pytest.mark.parametrize("persona,code", [("teacher", 403), ("other_teacher", 404), ("student", 403)])
def test_delete_refused(request, api_for, persona, code, teacher, student):
    assert api_for(request.getfixturevalue(persona)).delete(url(f"/{student.pk}")).status_code == code
    assert Student.objects.filter(pk=student.pk).exists()


def test_anonymous_delete_401(api, student):
    assert api.delete(url(f"/{student.pk}")).status_code == 401
    assert Student.objects.filter(pk=student.pk).exists()


# --- teachers/{id}/students ------------------------------------------------------------------------------------
def test_teacher_students(api_for, admin, teacher, other_teacher, student, outsider_student):
    res = api_for(admin).get(f"/api/v1/teachers/{teacher.pk}/students")
    assert res.status_code == 200
    assert [s["registration_number"] for s in res.json()] == ["STU2026001"]
    assert api_for(teacher).get(f"/api/v1/teachers/{teacher.pk}/students/").status_code == 200
    assert api_for(other_teacher).get(f"/api/v1/teachers/{teacher.pk}/students").status_code == 404
    assert api_for(student).get(f"/api/v1/teachers/{teacher.pk}/students").status_code == 403
    assert api_for(admin).get(f"/api/v1/teachers/{student.pk}/students").status_code == 404


def test_delete_refused_while_the_student_has_attempts(api_for, admin, teacher, student):
    """Deleting a student would cascade to their exam results: 409 like DELETE /users/{id}, nothing destroyed."""
    from tests.factories import QuizAttemptFactory, QuizFactory

    attempt = QuizAttemptFactory(quiz=QuizFactory(created_by=teacher), student=student)
    res = api_for(admin).delete(url(f"/{student.pk}"))
    assert res.status_code == 409
    assert "Deactivate" in res.json()["detail"]
    assert Student.objects.filter(pk=student.pk).exists()
    assert attempt.__class__.objects.filter(pk=attempt.pk).exists()
